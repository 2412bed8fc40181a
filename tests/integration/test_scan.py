"""`redcell scan FILE.yaml` end to end against `redcell mock-target`: standalone (the scan
runs its own server on the store) and through a running server (found from the store's
lock file, or named with --server and signed in with REDCELL_API_KEY); every exit status
(0 pass, 1 gate reached, 2 configuration error naming file/line/field, 3 incomplete); the
summary table, --json, --dry-run, the reports the file asks for, secrets kept out of the
output; and Ctrl-C mid-scan followed by --resume, which finishes without sending any work
item twice."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
from junitparser import JUnitXml

from redcell_harness import BIN, Server
from test_engine import mock_factory  # noqa: F401 (a fixture)

ROOT = pathlib.Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart.yaml"


def scan_env(home, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDCELL_")}
    env.pop("XDG_DATA_HOME", None)
    env["REDCELL_HOME"] = str(home)
    env.update(extra)
    return env


def scan(home, *args, timeout=180, **env):
    return subprocess.run([BIN, "scan", *map(str, args)], env=scan_env(home, **env),
                          capture_output=True, text=True, timeout=timeout)


def write(tmp_path, text, name="scan.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def scan_file(endpoint, extra="", chains="[[], [{type: base64}]]", dataset="starter: refusal_probes"):
    return f"""name: t
targets:
  mock: {{type: openai_chat, endpoint: "{endpoint}", model: m, limits: {{max_in_flight: 4, max_retries: 0}}}}
datasets: [{{{dataset}}}]
converter_chains: {chains}
scorers:
  - type: inverter
    params: {{scorer: {{type: refusal}}}}
{extra}"""


def test_quickstart_standalone_reaches_its_gate_writes_reports_and_lands_in_the_store(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "decode")
    home = tmp_path / "home"
    shutil.copy(QUICKSTART, tmp_path / "quickstart.yaml")
    r = scan(home, tmp_path / "quickstart.yaml", QUICKSTART_ENDPOINT=mock.url)
    assert r.returncode == 1, r.stdout + r.stderr
    # The summary: per dataset x chain, with counts and the interval.
    lines = r.stdout.splitlines()
    baseline = next(l for l in lines if "baseline" in l)
    encoded = next(l for l in lines if "base64" in l)
    assert baseline.split()[-4:-2] == ["0", "0"] or "0.0%" in baseline, baseline
    assert "100.0%" in encoded, encoded
    assert "starter: refusal_probes" in baseline
    assert "REACHED" in r.stdout and "FAIL" in r.stdout
    # The reports the file names, beside it.
    html = (tmp_path / "quickstart-report.html").read_text()
    assert "<html" in html.lower() and "http://" not in html.split("<body", 1)[0].replace("http://www.w3.org", "")
    junit = JUnitXml.fromfile(str(tmp_path / "quickstart-junit.xml"))
    failures = sum(int(s.failures) for s in junit)
    assert failures == 16, failures
    # The results are in the store `redcell serve` reads, as the local user.
    with Server(home=str(home)) as s:
        items = s.request("GET", "/api/v1/executions").json()["items"]
        assert len(items) == 1 and items[0]["labels"]["scan"] == "quickstart", items
        assert items[0]["counts"]["achieved"] == 16
        datasets = s.request("GET", "/api/v1/datasets").json()["items"]
        assert [d["name"] for d in datasets] == ["starter: refusal_probes"]
    # A second scan reuses the stored dataset version and the orchestrator.
    r2 = scan(home, tmp_path / "quickstart.yaml", "--json", QUICKSTART_ENDPOINT=mock.url)
    assert r2.returncode == 1, r2.stderr
    doc = json.loads(r2.stdout)
    assert doc["exit_status"] == 1 and doc["status"] == "succeeded"
    assert doc["overall"]["attempts"] == 32 and doc["overall"]["achieved"] == 16
    assert [g["gate"] for g in doc["gates"] if g["reached"]] == ["success_rate"]
    assert {row["chain"] for row in doc["rows"]} == {"baseline", "base64"}
    with Server(home=str(home)) as s:
        datasets = s.request("GET", "/api/v1/datasets").json()["items"]
        assert len(datasets) == 1 and datasets[0]["version"] == 1, datasets
        assert len(s.request("GET", "/api/v1/orchestrators").json()["items"]) == 1


def test_pass_exits_0_and_dry_run_sends_nothing(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "refuse")
    home = tmp_path / "home"
    f = write(tmp_path, scan_file(mock.url, "fail_on: {success_rate: 0.1, achieved: 1}\n"))
    dry = scan(home, f, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "32 work items" in dry.stdout and "nothing was sent" in dry.stdout
    assert mock.stats()["requests"] == 0
    r = scan(home, f)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout
    assert mock.stats()["requests"] == 32


def test_a_target_that_fails_every_request_never_passes(tmp_path):
    home = tmp_path / "home"
    # Nothing listens on port 9 of loopback (discard): every send fails.
    f = write(tmp_path, scan_file("http://127.0.0.1:9/v1",
                                  "budget: {max_error_share: 0.5}\nfail_on: {success_rate: 0.5}\n"))
    r = scan(home, f, "--json")
    assert r.returncode == 3, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["exit_status"] == 3 and doc["overall"]["determined"] == 0, doc
    # Without a gate too: nothing decided is not a pass.
    f2 = write(tmp_path, scan_file("http://127.0.0.1:9/v1"), "nogate.yaml")
    assert scan(home, f2).returncode == 3


@pytest.mark.parametrize("text, where, words", [
    ("name: t\ntargets: {m: {type: mock}}\ndatasets: [{starter: refusal_probes}]\nscorers: [{type: refusal}]\nfial_on: {risk: 7}\n",
     ":5:", "/fial_on"),
    ("name: t\ntargets:\n  m: {type: openai_chat, endpoint: http://x/v1, model: m, api_key: \"${NOT_SET_FOR_SURE}\"}\n"
     "datasets: [{starter: refusal_probes}]\nscorers: [{type: refusal}]\n", ":3:", "NOT_SET_FOR_SURE"),
    ("name: t\ntargets: {m: {type: mock}}\ndatasets: [{starter: refusal_probes}]\nconverter_chains:\n  - []\n"
     "  - [{type: base64}, {type: no_such_converter}]\nscorers: [{type: refusal}]\n", ":6:", "/converter_chains/1/1/type"),
    ("name: t\ntargets: {m: {type: mock}}\ndatasets:\n  - starter: refusal_probes\n  - {file: bad.csv}\nscorers: [{type: refusal}]\n",
     ":5:", "line 3"),
    ("name: t\ntargets: {m: {type: mock}}\ndatasets: [{starter: nope}]\nscorers: [{type: refusal}]\n", ":3:", "/datasets/0/starter"),
    ("name: t\ntargets: {m: {type: mock}}\ndatasets: [{starter: refusal_probes}]\nscorers: [{type: refusal}]\n"
     "fail_on: {risk: 70}\n", ":5:", "/fail_on/risk"),
    ("name: [unclosed\n", ":2:", "valid YAML"),
])
def test_configuration_errors_exit_2_naming_file_line_and_field(tmp_path, text, where, words):
    (tmp_path / "bad.csv").write_text('value,harm\n"fine",x\n"never closed,x\n')
    f = write(tmp_path, text)
    r = scan(tmp_path / "home", f)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"scan.yaml{where}" in r.stderr and words in r.stderr, r.stderr


def test_a_dataset_file_over_the_limit_or_not_a_file_is_refused_at_its_line_unread(tmp_path):
    # Sparse: 101 MiB long, no disk used; read whole it would fill the scan's memory.
    with open(tmp_path / "huge.jsonl", "wb") as big:
        big.truncate(101 << 20)
    for path, words in ((tmp_path / "huge.jsonl", "at most 100 MiB"), ("/dev/zero", "a file that exists")):
        f = write(tmp_path, "name: t\ntargets: {m: {type: mock}}\ndatasets:\n  - starter: refusal_probes\n"
                            f"  - {{file: {path}}}\nscorers: [{{type: refusal}}]\n")
        r = scan(tmp_path / "home", f)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "scan.yaml:5:" in r.stderr and "/datasets/1/file" in r.stderr and words in r.stderr, r.stderr


def test_secrets_from_the_environment_never_reach_the_output_or_reports(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "decode")
    secret = "sk-scan-secret-4f1d2c9e8b7a"
    f = write(tmp_path, scan_file(mock.url).replace("model: m,", "model: m, api_key: \"${SCAN_KEY}\",") +
              "reports: [{format: json, output: r.json}, {format: markdown, output: r.md}]\n")
    r = scan(tmp_path / "home", f, SCAN_KEY=secret)
    assert r.returncode == 0, r.stdout + r.stderr
    for text in (r.stdout, r.stderr, (tmp_path / "r.json").read_text(), (tmp_path / "r.md").read_text()):
        assert secret not in text


def test_through_the_running_server_that_holds_the_store(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "decode")
    home = tmp_path / "home"
    with Server("--target-allow", "loopback", home=str(home)) as s:
        f = write(tmp_path, scan_file(mock.url))
        r = scan(home, f)
        assert r.returncode == 0, r.stdout + r.stderr
        assert f"through {s.url}" in r.stderr, r.stderr
        items = s.request("GET", "/api/v1/executions").json()["items"]
        assert len(items) == 1 and items[0]["counts"]["total"] == 32
        # The server's allow-list holds: a scan cannot reach what the server refuses.
        f2 = write(tmp_path, scan_file("http://169.254.169.254/v1"), "metadata.yaml")
        r2 = scan(home, f2)
        assert r2.returncode == 2, r2.stdout + r2.stderr
        assert "metadata.yaml:3:" in r2.stderr


def test_through_a_jwt_server_with_an_api_key(mock_factory, tmp_path):
    from test_jwt import as_user, jwt_server
    mock = mock_factory("--behavior", "decode")
    with jwt_server(tmp_path, "--target-allow", "loopback") as s:
        headers = as_user("scan-user")
        key = s.request("POST", "/api/v1/api-keys", headers=headers, json_body={"name": "ci"}).json()["secret"]
        f = write(tmp_path, scan_file(mock.url))
        denied = scan(tmp_path / "home", f, "--server", s.url)
        assert denied.returncode == 2 and "REDCELL_API_KEY" in denied.stderr, denied.stderr
        r = scan(tmp_path / "home", f, "--server", s.url, REDCELL_API_KEY=key)
        assert r.returncode == 0, r.stdout + r.stderr
        mine = s.request("GET", "/api/v1/executions", headers=headers).json()["items"]
        assert len(mine) == 1 and mine[0]["status"] == "succeeded"
        assert s.request("GET", "/api/v1/executions", headers=as_user("someone-else")).json()["items"] == []


def scan_interrupted(home, f, mock, after_requests):
    """`redcell scan F` running, sent one SIGINT once the mock has had `after_requests`
    requests (within 60 s); returns the process."""
    p = subprocess.Popen([BIN, "scan", str(f)], env=scan_env(home), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while mock.stats()["requests"] < after_requests and time.monotonic() < deadline:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    return p


def test_ctrl_c_pauses_then_resume_finishes_without_sending_twice(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "decode", "--latency-ms", "150")
    home = tmp_path / "home"
    f = write(tmp_path, scan_file(mock.url, dataset="starter: harm_categories").replace(
        "max_in_flight: 4", "max_in_flight: 2"))
    p = scan_interrupted(home, f, mock, after_requests=6)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3, out + err
    assert "interrupted" in out, out
    resume_line = next(l for l in err.splitlines() if "--resume" in l)
    execution = resume_line.rsplit(" ", 1)[1]
    sent_before = mock.stats()["requests"]
    assert 6 <= sent_before < 40, sent_before
    r = scan(home, f, "--resume", execution, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["execution_id"] == execution and doc["status"] == "succeeded"
    assert doc["overall"]["attempts"] == 40
    assert mock.stats()["requests"] == 40  # each work item sent exactly once


def test_ctrl_c_twice_leaves_at_once(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "decode", "--latency-ms", "2000")
    home = tmp_path / "home"
    # A slow target: the first Ctrl-C waits for two in-flight requests of ~2 s; the second
    # does not wait.
    f = write(tmp_path, scan_file(mock.url).replace("max_in_flight: 4", "max_in_flight: 2"))
    p = scan_interrupted(home, f, mock, after_requests=2)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 3, out + err
    assert "interrupted twice" in err and "--resume" in err, err
