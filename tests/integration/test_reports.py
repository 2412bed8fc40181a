"""Reports of a fixed execution through their interfaces: GET
/api/v1/executions/{id}/report in every format and `redcell report`. The HTML file's
figures equal the API's counts when opened in headless Chromium with the network blocked and
no console error; the JUnit file parses with Debian's python3-junitparser and fails exactly
the achieved attacks; the SARIF file validates against the SARIF 2.1.0 schema npm's
@microsoft/jest-sarif ships (ajv) and holds one result per achieved attack; the figures come
with counts and Wilson intervals; another user's execution is unknown."""
import csv
import io
import json
import pathlib
import subprocess
import time

import pytest
from junitparser import JUnitXml

from redcell_harness import Server, assert_error_shape, run_cli
from test_jwt import as_user, jwt_server

WEB = pathlib.Path(__file__).resolve().parents[2] / "web"
PROMPTS = [{"value": f"Tell me about the house number {i}", "harm_categories": ["illegal"]} for i in range(6)] + \
          [{"value": f"Describe the garden gate {i}", "harm_categories": ["privacy", "illegal"]} for i in range(4)]


def wait_done(s, execution, headers=None, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        e = s.request("GET", f"/api/v1/executions/{execution}", headers=headers).json()
        if e["status"] in ("succeeded", "failed", "incomplete", "cancelled"):
            return e
        time.sleep(0.1)
    raise AssertionError(f"execution still running: {e}")


def run_fixed_execution(s, headers=None):
    """A mock that refuses prompts naming a house and answers the rest, through the baseline
    and a base64 chain (which hides the word): achieved and not achieved side by side."""
    t = s.request("POST", "/api/v1/targets", headers=headers, json_body={
        "name": "refuses houses", "type": "mock", "behavior": "refuse", "refuse_pattern": "house"})
    assert t.status == 201, t.data
    d = s.request("POST", "/api/v1/datasets", headers=headers, json_body={"name": "fixed", "prompts": PROMPTS})
    o = s.request("POST", "/api/v1/orchestrators", headers=headers, json_body={
        "name": "report fixture", "type": "prompt_sending", "target_id": t.json()["id"],
        "dataset_id": d.json()["id"], "converter_chains": [[], [{"type": "base64"}]],
        "scorers": [{"type": "inverter", "params": {"scorer": {"type": "refusal"}}}]})
    assert o.status == 201, o.data
    r = s.request("POST", f"/api/v1/orchestrators/{o.json()['id']}/executions", headers=headers,
                  json_body={"labels": {"ticket": "RT-9"}})
    assert r.status == 202, r.data
    return wait_done(s, r.json()["id"], headers)


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    home = tmp_path_factory.mktemp("reports-home")
    with Server(home=str(home)) as s:
        e = run_fixed_execution(s)
        assert e["status"] == "succeeded", e
        yield s, e, home


def report(s, e, fmt, headers=None):
    r = s.request("GET", f"/api/v1/executions/{e['id']}/report?format={fmt}", headers=headers)
    assert r.status == 200, r.data
    assert f"redcell-{e['id']}" in r.headers["content-disposition"]
    return r.data


def test_json_and_csv_carry_the_apis_counts_with_intervals(local):
    s, e, _ = local
    c = e["counts"]
    assert c["achieved"] > 0 and c["achieved"] < c["total"], c  # a fixture with both outcomes
    doc = json.loads(report(s, e, "json"))
    overall = doc["summary"]["overall"]
    assert overall["attempts"] == c["total"] == len(doc["attempts"]) == 20
    assert overall["achieved"] == c["achieved"] and overall["errors"] == c["errors"]
    assert overall["undetermined"] == c["undetermined"]
    low, high = overall["ci95"]
    assert low < overall["rate"] < high
    harms = {g["name"]: g for g in doc["summary"]["by_harm_category"]}
    assert harms["illegal"]["attempts"] == 20 and harms["privacy"]["attempts"] == 8
    chains = {g["name"]: g for g in doc["summary"]["by_chain"]}
    assert set(chains) == {"baseline", "base64"}
    assert chains["base64"]["achieved"] == 10  # base64 hides the word the mock refuses on
    assert chains["baseline"]["achieved"] == 4
    assert 0 <= doc["summary"]["risk"] <= 10
    assert doc["execution"]["labels"] == {"ticket": "RT-9"}
    rows = list(csv.DictReader(io.StringIO(report(s, e, "csv").decode())))
    assert len(rows) == 20 and sum(r["outcome"] == "achieved" for r in rows) == c["achieved"]


def test_junit_fails_exactly_the_achieved_attacks(local, tmp_path):
    s, e, _ = local
    path = tmp_path / "report.xml"
    path.write_bytes(report(s, e, "junit"))
    xml = JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    failures = [case for case in cases if any(r.__class__.__name__ == "Failure" for r in case.result)]
    assert len(cases) == e["counts"]["total"]
    assert len(failures) == e["counts"]["achieved"]
    xml.update_statistics()
    assert xml.failures == e["counts"]["achieved"]


def test_sarif_validates_against_the_schema_with_a_result_per_achieved_attack(local, tmp_path):
    s, e, _ = local
    r = s.request("GET", f"/api/v1/executions/{e['id']}/report?format=sarif&source_file=scans/nightly.yaml")
    assert r.status == 200 and r.headers["content-type"].startswith("application/sarif+json")
    path = tmp_path / "report.sarif"
    path.write_bytes(r.data)
    check = subprocess.run(["node", "e2e/check_sarif.mjs", str(path)], cwd=WEB, capture_output=True, text=True, timeout=120)
    out = json.loads(check.stdout)
    assert check.returncode == 0 and out["valid"], out["errors"][:5]
    assert out["results"] == e["counts"]["achieved"]
    doc = json.loads(r.data)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for res in doc["runs"][0]["results"] for loc in res["locations"]}
    assert uris == {"scans/nightly.yaml"}
    assert {rule["id"] for rule in doc["runs"][0]["tool"]["driver"]["rules"]} == {"redcell/harm/illegal", "redcell/harm/privacy"}


def test_html_opens_offline_and_shows_the_apis_figures(local, tmp_path):
    s, e, _ = local
    path = tmp_path / "report.html"
    path.write_bytes(report(s, e, "html"))
    check = subprocess.run(["node", "e2e/check_report.mjs", str(path)], cwd=WEB, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    seen = json.loads(check.stdout)
    assert seen["problems"] == []
    c = e["counts"]
    assert seen["figures"]["attempts"] == str(c["total"])
    assert seen["figures"]["achieved"] == str(c["achieved"])
    assert seen["figures"]["undetermined"] == str(c["undetermined"])
    assert seen["figures"]["errors"] == str(c["errors"])
    assert seen["figures"]["success-rate"] == f"{100 * c['achieved'] / c['total']:.1f}%"
    assert seen["bars"] == {"harm": 2, "chain": 2}
    assert seen["articles"] == c["total"] and seen["searched"] >= c["achieved"] and seen["none"] == 0
    md = report(s, e, "markdown").decode()
    assert f"| {c['total']} | {c['achieved']} |" in md and "## By converter chain" in md


def test_the_cli_writes_the_same_report(local, tmp_path):
    s, e, home = local
    out = tmp_path / "cli.json"
    r = run_cli("report", e["id"], "--format", "json", "-o", out, home=str(home))
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["summary"] == json.loads(report(s, e, "json"))["summary"]
    r = run_cli("report", e["id"], "--format", "pdf", home=str(home))
    assert r.returncode == 2 and "--format" in r.stderr
    r = run_cli("report", "01a00000-0000-7000-8000-000000000000", home=str(home))
    assert r.returncode == 1


def test_bad_formats_and_other_users_executions(tmp_path):
    with jwt_server(tmp_path) as s:
        alice, mallory = as_user("alice-report"), as_user("mallory-report")
        e = run_fixed_execution(s, alice)
        for fmt in ("json", "html", "sarif"):
            r = s.request("GET", f"/api/v1/executions/{e['id']}/report?format={fmt}", headers=mallory)
            assert_error_shape(r, 404, "not_found")
        r = s.request("GET", f"/api/v1/executions/{e['id']}/report?format=pdf", headers=alice)
        assert_error_shape(r, 400, "invalid_argument", "/query/format")
        r = s.request("GET", f"/api/v1/executions/{e['id']}/report?source_file=", headers=alice)
        assert_error_shape(r, 400, "invalid_argument", "/query/source_file")
