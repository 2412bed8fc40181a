"""Dataset import and export through their interfaces: every file of PyRIT's datasets
(../shared/datasets/pyrit) imported over HTTP, each prompt and field compared with the file
parsed here by Debian's python3-yaml; export to JSON Lines and PyRIT YAML imported back
unchanged; malformed files refused naming their line, with nothing stored; the body limit
(413 from Content-Length), the cap on large uploads read at once (503), isolation between
users; and `redcell dataset import|list|show|export` on a local store."""
import json
import os
import pathlib
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest
import yaml

from redcell_harness import BIN, Server, assert_error_shape, run_cli
from test_jwt import as_user, jwt_server

HERE = pathlib.Path(__file__).resolve().parent


def shared_root():
    for c in [os.environ.get("REDCELL_SHARED_DATASETS"), HERE / "../../../shared/datasets/pyrit",
              "/work/shared/datasets/pyrit"]:
        if c and pathlib.Path(c, "seed_datasets").is_dir():
            return pathlib.Path(c).resolve()
    return None


ROOT = shared_root()
FILES = sorted(p for p in ROOT.rglob("*") if p.suffix in (".prompt", ".yaml", ".json")) if ROOT else []
LISTS = ("harm_categories", "authors", "groups")
JSON_FIELDS = ("sequence", "metadata", "parameters", "is_objective", "is_general_technique")


def as_list(v):
    return [] if v is None else [v] if isinstance(v, str) else list(v)


def union(a, b):
    out = []
    for x in list(a) + list(b):
        if x not in out:
            out.append(x)
    return out


def plain(v):
    """How a field redcell keeps as text reads: the scalar's text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def expected(path):
    """(name, description, [(value, data_type, harm_categories, metadata)]) as PyRIT's rules
    give them: top-level fields are every seed's defaults, lists add up."""
    if path.suffix == ".json":
        items = json.loads(path.read_text(encoding="utf-8"))
        return path.stem, "", [(i["user"], "text", [i["category"]],
                                {"metadata": {"assistant": i["assistant"], "category": i["category"]}})
                               for i in items]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "scale_descriptions" in doc:
        extra = {"category": doc["category"]}
        if "version" in doc:
            extra["version"] = str(doc["version"])
        return doc["category"], "", [
            (plain(level["description"]), "text", [doc["category"]],
             {"metadata": dict(extra, score_value=plain(level["score_value"]))})
            for level in doc["scale_descriptions"]]
    if "seeds" not in doc and "prompts" not in doc:  # a jailbreak template: one seed
        meta = {k: (v if k in JSON_FIELDS else as_list(v) if k in LISTS else plain(v))
                for k, v in doc.items() if k not in ("value", "data_type", "harm_categories")}
        return doc.get("name", path.stem), "", [
            (plain(doc["value"]), doc.get("data_type", "text"), as_list(doc.get("harm_categories")), meta)]
    name, description, defaults = None, "", {}
    for k, v in doc.items():
        if k in ("seeds", "prompts"):
            continue
        if k == "description" and not description:
            description = v
        elif k in ("dataset_name", "name") and name is None:
            name = v
        else:
            defaults[k] = as_list(v) if k in LISTS else v
    seeds = []
    for s in doc.get("seeds", doc.get("prompts")):
        meta = {k: v for k, v in defaults.items() if k != "harm_categories"}
        harms = list(defaults.get("harm_categories", []))
        for k, v in s.items():
            if k == "value":
                continue
            if k == "harm_categories":
                harms = union(harms, as_list(v))
            elif k in LISTS:
                meta[k] = union(meta.get(k, []), as_list(v))
            elif k in JSON_FIELDS:
                meta[k] = v
            else:
                meta[k] = plain(v)
        data_type = meta.pop("data_type", "text")
        seeds.append((plain(s["value"]), data_type, harms, meta))
    return name or path.stem, description, seeds


def stored(s, headers, dataset_id):
    out, cursor = [], None
    while True:
        q = "?limit=500" + (f"&cursor={cursor}" if cursor else "")
        page = s.request("GET", f"/api/v1/datasets/{dataset_id}/prompts{q}", headers=headers).json()
        out += [(p["value"], p["data_type"], p["harm_categories"], p["metadata"]) for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def post_file(s, headers, body, **query):
    q = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    return s.request("POST", "/api/v1/datasets/import" + (f"?{q}" if q else ""),
                     body=body, headers=dict(headers, **{"Content-Type": "application/octet-stream"}))


def count_datasets(s, headers):
    return len(s.request("GET", "/api/v1/datasets?limit=500", headers=headers).json()["items"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with jwt_server(tmp_path_factory.mktemp("import")) as s:
        yield s


@pytest.mark.skipif(ROOT is None, reason="PyRIT's datasets are not beside the checkout")
def test_every_pyrit_file_imports_with_every_field_and_round_trips(server):
    s, alice = server, as_user("alice-import")
    assert len(FILES) >= 140
    formats = set()
    for path in FILES:
        r = post_file(s, alice, path.read_bytes(), filename=path.name)
        assert r.status == 201, (path, r.data)
        made = r.json()
        formats.add(made["format"])
        name, description, seeds = expected(path)
        assert made["name"] == name and made["description"] == description, path
        assert made["count"] == len(seeds), path
        got = stored(s, alice, made["id"])
        assert got == [(v, t, h, m) for v, t, h, m in seeds], path
        for fmt, fname in (("jsonl", "x.jsonl"), ("pyrit_yaml", "x.yaml")):
            e = s.request("GET", f"/api/v1/datasets/{made['id']}/export?format={fmt}", headers=alice)
            assert e.status == 200, e.data
            assert "attachment" in e.headers["content-disposition"]
            again = post_file(s, alice, e.data, filename=fname)
            assert again.status == 201, (path, fmt, again.data, e.data[:500])
            assert stored(s, alice, again.json()["id"]) == got, (path, fmt)
            if fmt == "pyrit_yaml":
                assert again.json()["name"] == made["name"]
    assert formats == {"pyrit_yaml", "jailbreak_template", "harm_definition", "many_shot"}


MALFORMED = [
    ("wrong type", "x.yaml", b"dataset_name: x\nseeds:\n  - value: fine\n  - value: ok\n    sequence: first\n", "line 5", "/file/seeds/1/sequence"),
    ("missing value", "x.yaml", b"seeds:\n  - value: fine\n  - harm_categories: [a]\n", "line 3", "/file/seeds/1/value"),
    ("unknown field", "x.prompt", b"seeds:\n  - value: fine\n    colour: red\n", "line 3", "/file/seeds/0/colour"),
    ("bad YAML", "x.yaml", b"seeds:\n  - value: a\n   bad: indent\n", "line 3", "/file"),
    ("unterminated CSV quote", "x.csv", b"prompt,id\nfine,1\n\"never closed,2\nstill open\n", "line 3", "/file"),
    ("CSV row too long", "x.csv", b"prompt,id\nfine,1\na,b,c\n", "line 3", "/file/2"),
    ("invalid UTF-8", "x.txt", b"fine\nalso fine\nbad \xc3\x28 here\n", "line 3", "/file"),
    ("bad JSON line", "x.jsonl", b'{"prompt": "a"}\n{"prompt": "b",\n', "line 2", "/file"),
    ("JSONL value not text", "x.jsonl", b'{"prompt": "a"}\n{"prompt": 7}\n', "line 2", "/file/1/prompt"),
    ("template without placeholder", "t.yaml", b"name: t\nparameters: [prompt]\nvalue: no placeholder here\n", "line 3", "/file/value"),
]


@pytest.mark.parametrize("label,filename,body,line,field", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_name_their_line_and_store_nothing(server, label, filename, body, line, field):
    s, bob = server, as_user("bob-malformed")
    before = count_datasets(s, bob)
    for dry in ("false", "true"):
        r = post_file(s, bob, body, filename=filename, dry_run=dry)
        err = assert_error_shape(r, 400, "invalid_argument", field)
        assert line in err["message"], err
    assert count_datasets(s, bob) == before


def test_dry_run_previews_csv_with_a_field_mapping(server):
    s, carol = server, as_user("carol-csv")
    csv = b"id,attack,harm\n1,first attack,violence; illegal\n2,\"second, quoted\",\n"
    r = post_file(s, carol, csv, filename="attacks.csv", dry_run="true")
    assert_error_shape(r, 400, "invalid_argument", "/query/value_field")
    assert "id, attack, harm" in r.json()["error"]["message"]
    r = post_file(s, carol, csv, filename="attacks.csv", dry_run="true", value_field="attack",
                  harm_categories_field="harm")
    assert r.status == 200, r.data
    preview = r.json()
    assert preview["dry_run"] is True and preview["format"] == "csv" and preview["count"] == 2
    assert preview["fields"] == ["id", "attack", "harm"]
    assert preview["preview"][0]["harm_categories"] == ["violence", "illegal"]
    assert preview["preview"][1]["value"] == "second, quoted"
    assert count_datasets(s, carol) == 0
    r = post_file(s, carol, csv, filename="attacks.csv", value_field="attack",
                  harm_categories_field="harm", name="my attacks")
    assert r.status == 201 and r.json()["name"] == "my attacks" and r.json()["version"] == 1
    v2 = post_file(s, carol, b"one more\n", filename="more.txt", dataset_id=r.json()["id"])
    assert v2.status == 201 and v2.json()["version"] == 2 and v2.json()["count"] == 1
    assert_error_shape(post_file(s, carol, b"a\n", format="docx"), 400, "invalid_argument", "/query/format")
    r = s.request("POST", "/api/v1/datasets/import", body=b"--x\r\n", headers=dict(carol, **{"Content-Type": "multipart/mixed; boundary=x"}))
    assert_error_shape(r, 415, "unsupported_media_type", "/headers/content-type")


def form(parts, boundary="----redcellFormBoundary7MA4YWxkTrZu0gW"):
    """A multipart/form-data body as a browser sends it: [(name, filename or None, bytes)]."""
    out = b"preamble to ignore\r\n"
    for name, filename, data in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"Content-Disposition: {disposition}\r\n".encode()
        if filename:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def test_a_browser_form_upload_imports_its_file_part(server):
    s, erin = server, as_user("erin-form")
    # The file holds the boundary's lookalikes and CRLFs of its own; only the delimiter ends it.
    csv = b"prompt,category\r\n\"two\r\nlines\",x\r\n\"--not the boundary\",y\r\n" + b"z,w\r\n" * 30000
    body, ctype = form([("note", None, b"ignored"), ("file", "C:\\temp\\probes.csv", csv)])
    r = s.request("POST", "/api/v1/datasets/import", body=body, headers=dict(erin, **{"Content-Type": ctype}))
    assert r.status == 201, r.data
    made = r.json()
    assert made["format"] == "csv" and made["name"] == "probes" and made["count"] == 30002, made
    items = s.request("GET", f"/api/v1/datasets/{made['id']}/prompts?limit=2", headers=erin).json()["items"]
    assert [i["value"] for i in items] == ["two\r\nlines", "--not the boundary"]
    # A dry run reads the form the same way.
    r = s.request("POST", "/api/v1/datasets/import?dry_run=true", body=body, headers=dict(erin, **{"Content-Type": ctype}))
    assert r.status == 200 and r.json()["count"] == 30002
    # A form without a file part, without a boundary, or cut short stores nothing.
    for bad, field in [(form([("note", None, b"x")]), "/file"),
                       ((body, "multipart/form-data"), "/headers/content-type"),
                       ((body[:len(body) // 2], ctype), "/file")]:
        (b, t) = bad
        r = s.request("POST", "/api/v1/datasets/import", body=b, headers=dict(erin, **{"Content-Type": t}))
        assert_error_shape(r, 400, "invalid_argument", field)
    assert count_datasets(s, erin) == 1


def test_isolation_another_users_dataset_is_not_found(server):
    s, alice, mallory = server, as_user("alice-iso"), as_user("mallory-iso")
    made = post_file(s, alice, b"secret prompt\n", filename="mine.txt").json()
    for path in (f"/api/v1/datasets/{made['id']}/export", f"/api/v1/datasets/{made['id']}/export?format=pyrit_yaml"):
        assert_error_shape(s.request("GET", path, headers=mallory), 404, "not_found")
    r = post_file(s, mallory, b"overwrite\n", filename="x.txt", dataset_id=made["id"])
    assert_error_shape(r, 404, "not_found")
    assert stored(s, alice, made["id"]) == [("secret prompt", "text", [], {})]
    assert s.request("POST", "/api/v1/datasets/import", body=b"x\n").status == 401


def head_only(port, length, path="/api/v1/datasets/import"):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    token = as_user("uploader")["Authorization"]
    sock.sendall((f"POST {path}?filename=big.jsonl HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: {token}\r\nContent-Length: {length}\r\n\r\n").encode())
    return sock


def read_status(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1]) if data else None


def test_the_body_limit_and_the_cap_on_large_uploads(server):
    s = server
    # 150 MB announced: refused from the head, before a byte of it is read.
    sock = head_only(s.port, 150 * 1024 * 1024)
    assert read_status(sock) == 413
    sock.close()
    # The default 1 MiB stays for every other route.
    sock = head_only(s.port, 2 * 1024 * 1024, "/api/v1/datasets")
    assert read_status(sock) == 413
    sock.close()
    # Two uploads are being read; a third waits for neither: 503 at once.
    readers = [head_only(s.port, 5 * 1024 * 1024) for _ in range(2)]
    for r in readers:
        r.sendall(b"{" * 10)
    time.sleep(0.3)
    third = head_only(s.port, 5 * 1024 * 1024)
    assert read_status(third) == 503
    third.close()
    for r in readers:
        r.close()
    time.sleep(0.3)
    r = post_file(s, as_user("after"), b"fits again\n", filename="x.txt")
    assert r.status == 201, r.data


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmRSS")


def import_watching_memory(s, size_mb):
    """Imports a JSON Lines file of `size_mb` MB and returns (answer, the server's peak RSS
    above what it held before, in MB), sampling /proc every 10 ms."""
    line = json.dumps({"prompt": "p" * 480, "harm_categories": ["bulk"]}).encode() + b"\n"
    n = (size_mb * 1024 * 1024) // len(line)
    body = line * n
    base = rss_mb(s.proc.pid)
    peak, done = [base], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(s.proc.pid))
            time.sleep(0.01)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        r = post_file(s, {}, body, filename="big.jsonl")
    finally:
        done.set()
        watcher.join()
    assert r.status == 201, r.data[:300]
    assert r.json()["count"] == n
    return r, peak[0] - base


def test_large_jsonl_imports_stream_with_memory_that_does_not_grow_with_the_file():
    # The body goes to a temp file and is read a batch at a time in two passes, and the
    # writer's page cache stays small meanwhile: what the server holds is about one batch,
    # whatever the size. ASan's quarantine of freed memory is kept small so RSS shows what
    # is live.
    env = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=1"}
    with Server(env=env) as s:
        _, at_50 = import_watching_memory(s, 50)
        r, at_95 = import_watching_memory(s, 95)
        assert at_50 < 25 and at_95 < 48, f"50 MB: +{at_50} MB, 95 MB: +{at_95} MB"
        assert at_95 <= at_50 + 16, f"50 MB: +{at_50} MB, 95 MB: +{at_95} MB"
        prompts = s.request("GET", f"/api/v1/datasets/{r.json()['id']}/prompts?limit=2").json()
        assert prompts["items"][1]["position"] == 1 and prompts["items"][1]["harm_categories"] == ["bulk"]
        # A bad line near the end of a large file stores nothing, and names its line.
        good = json.dumps({"prompt": "fine"}).encode() + b"\n"
        before = len(s.request("GET", "/api/v1/datasets?limit=500").json()["items"])
        bad = post_file(s, {}, good * 200_000 + b"{not json\n" + good, filename="bad.jsonl")
        assert_error_shape(bad, 400, "invalid_argument")
        assert "line 200001" in bad.json()["error"]["message"], bad.json()
        assert len(s.request("GET", "/api/v1/datasets?limit=500").json()["items"]) == before


def test_cli_imports_lists_shows_and_exports(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    good = tmp_path / "probes.csv"
    good.write_text("prompt,category\nfirst probe,test\nsecond probe,test\n", encoding="utf-8")
    bad = tmp_path / "broken.yaml"
    bad.write_text("seeds:\n  - value: a\n  - value: [1, 2]\n", encoding="utf-8")
    r = run_cli("dataset", "import", bad, home=home)
    assert r.returncode == 1 and "line 3" in r.stderr, r.stderr
    r = run_cli("dataset", "import", good, "--dry-run", home=home)
    assert r.returncode == 0 and "2 prompts as csv" in r.stdout and "nothing stored" in r.stdout, r
    r = run_cli("dataset", "list", "--json", home=home)
    assert r.returncode == 0 and json.loads(r.stdout) == [], r
    r = run_cli("dataset", "import", good, "--name", "cli probes", "--json", home=home)
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert made["count"] == 2 and made["format"] == "csv" and made["name"] == "cli probes"
    listed = json.loads(run_cli("dataset", "list", "--json", home=home).stdout)
    assert [d["id"] for d in listed] == [made["id"]]
    shown = run_cli("dataset", "show", made["id"], home=home)
    assert "second probe" in shown.stdout, shown
    out = tmp_path / "out.yaml"
    r = run_cli("dataset", "export", made["id"], "--format", "pyrit_yaml", "-o", out, home=home)
    assert r.returncode == 0, r.stderr
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["dataset_name"] == "cli probes"
    assert [seed["value"] for seed in doc["seeds"]] == ["first probe", "second probe"]
    r = run_cli("dataset", "import", out, "--json", home=home)
    assert r.returncode == 0 and json.loads(r.stdout)["count"] == 2, r.stderr
    r = run_cli("dataset", "show", "01a00000-0000-7000-8000-000000000000", home=home)
    assert r.returncode == 1


def cli_import_peak_mb(path, home):
    """`redcell dataset import PATH --json` with its peak RSS (VmHWM) in MB, read every 10 ms
    while it runs; returns (answer, peak)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDCELL_")}
    env["REDCELL_HOME"] = str(home)
    env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=1"
    proc = subprocess.Popen([BIN, "dataset", "import", str(path), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("VmHWM"):
                    peak = max(peak, int(line.split()[1]) // 1024)
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.01)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out), peak


def test_cli_import_streams_a_large_file_and_a_bad_line_stores_nothing(tmp_path):
    # As the server's route: a first pass checks and counts, a second stores batch by batch,
    # so the command holds about one batch of a JSON Lines file, whatever its size (it read
    # the whole file and every prompt into memory before).
    home = tmp_path / "home"
    home.mkdir()
    line = json.dumps({"prompt": "p" * 480, "harm_categories": ["bulk"]}) + "\n"
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    small.write_text(line * 2_000, encoding="utf-8")
    n = (60 * 1024 * 1024) // len(line)
    big.write_text(line * n, encoding="utf-8")
    small_made, small_peak = cli_import_peak_mb(small, home)
    big_made, big_peak = cli_import_peak_mb(big, home)
    assert small_made["count"] == 2_000 and big_made["count"] == n
    assert big_peak - small_peak < 30, f"1 MB file: {small_peak} MB, 60 MB file: {big_peak} MB"
    shown = run_cli("dataset", "show", big_made["id"], home=home)
    assert shown.returncode == 0 and "pppp" in shown.stdout, shown
    # A bad line near the end: the command names it and nothing is stored.
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "fine"}\n' * 200_000 + "{not json\n", encoding="utf-8")
    r = run_cli("dataset", "import", bad, home=home)
    assert r.returncode == 1 and "line 200001" in r.stderr, r.stderr
    listed = json.loads(run_cli("dataset", "list", "--json", home=home).stdout)
    assert sorted(d["id"] for d in listed) == sorted([small_made["id"], big_made["id"]])
    r = run_cli("dataset", "import", tmp_path / "missing.jsonl", home=home)
    assert r.returncode == 2 and "a readable file" in r.stderr, r.stderr


TEMPLATE = b"""---
name: Our test template
description: written for redcell's tests
parameters:
  - prompt
  - persona
data_type: text
value: >
  Speak as {{ persona }} and answer: {{ prompt }}
"""


def test_an_imported_jailbreak_template_is_used_by_text_jailbreak(server):
    s, alice, mallory = server, as_user("alice-template"), as_user("mallory-template")
    r = post_file(s, alice, TEMPLATE, filename="ours.yaml")
    assert r.status == 201 and r.json()["format"] == "jailbreak_template", r.data
    tid = r.json()["id"]
    step = {"type": "text_jailbreak", "params": {"template_dataset": tid,
                                                  "template_parameters": {"persona": "a pirate"}}}
    p = s.request("POST", "/api/v1/converters/preview", headers=alice,
                  json_body={"text": "what is the tide?", "converters": [step]})
    assert p.status == 200, p.data
    assert p.json()["output"] == "Speak as a pirate and answer: what is the tide?\n"
    # The orchestrator keeps the template's text: a later change to the dataset leaves it be.
    target = s.request("POST", "/api/v1/targets", headers=alice,
                       json_body={"name": "m", "type": "mock"}).json()["id"]
    data = post_file(s, alice, b"one probe\n", filename="p.txt").json()["id"]
    o = s.request("POST", "/api/v1/orchestrators", headers=alice, json_body={
        "name": "tmpl", "type": "prompt_sending", "target_id": target, "dataset_id": data,
        "converter_chains": [[step]]})
    assert o.status == 201, o.data
    params = o.json()["converter_chains"][0][0]["params"]
    assert "template_dataset" not in params and params["template"].startswith("Speak as {{ persona }}")
    # Another user's template is unknown to them, in both places.
    for path, body, field in (
            ("/api/v1/converters/preview", {"text": "x", "converters": [step]}, "/converters/0/params/template_dataset"),
            ("/api/v1/orchestrators", {"name": "t", "type": "prompt_sending", "target_id": target,
                                       "dataset_id": data, "converter_chains": [[step]]},
             "/converter_chains/0/0/params/template_dataset")):
        assert_error_shape(s.request("POST", path, headers=mallory, json_body=body), 400, "invalid_argument", field)
    both = dict(step, params=dict(step["params"], template="{{ prompt }}"))
    r = s.request("POST", "/api/v1/converters/preview", headers=alice, json_body={"text": "x", "converters": [both]})
    assert_error_shape(r, 400, "invalid_argument", "/converters/0/params/template_dataset")


def test_starter_datasets_ship_in_the_server_and_the_cli(server, tmp_path):
    s, erin, frank = server, as_user("erin-starter"), as_user("frank-starter")
    listed = s.request("GET", "/api/v1/starter-datasets", headers=erin).json()["items"]
    assert {d["name"] for d in listed} == {"harm_categories", "refusal_probes",
                                           "prompt_injection_probes", "encoding_probes"}
    for d in listed:
        r = s.request("POST", f"/api/v1/datasets/import?starter={d['name']}", headers=erin)
        assert r.status == 201 and r.json()["count"] == d["count"], r.data
        assert r.json()["name"] == d["dataset_name"]
    assert count_datasets(s, erin) == 4 and count_datasets(s, frank) == 0  # a copy per user
    assert_error_shape(s.request("POST", "/api/v1/datasets/import?starter=nope", headers=erin),
                       400, "invalid_argument", "/query/starter")
    assert_error_shape(post_file(s, erin, b"x\n", starter="refusal_probes"), 400, "invalid_argument", "/file")
    home = tmp_path / "home"
    home.mkdir()
    r = run_cli("dataset", "starters", "--json", home=home)
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 4, r.stderr
    r = run_cli("dataset", "import", "starter:encoding_probes", "--json", home=home)
    assert r.returncode == 0 and json.loads(r.stdout)["format"] == "pyrit_yaml", r.stderr
    r = run_cli("dataset", "import", "starter:nope", home=home)
    assert r.returncode == 2 and "starter:NAME" in r.stderr
