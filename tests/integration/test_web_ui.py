"""The web UI as the server delivers it: the embedded files with their types, caching and
Content-Security-Policy, the client routes' fallback, what stays an API 404, the OpenAPI
snapshot the UI is typed from, the demo target `make run` registers, and the progress-only
event stream the execution page reads. The pages themselves are tested in Chromium
(web/e2e/run.mjs, ctest web.e2e)."""
import gzip
import json
import os
import re
import time

from redcell_harness import Server, assert_error_shape
from test_engine import mock_factory, setup_run, start, wait_status  # noqa: F401
from test_events import open_stream, read_events
from test_jwt import AUD, ISS, SECRET, as_user, claims, hs256, jwt_server

SNAPSHOT = os.path.join(os.path.dirname(__file__), "../../web/src/api/openapi.json")


def page_assets(s):
    r = s.request("GET", "/")
    assert r.status == 200
    return r, re.findall(r'(?:src|href)="(/assets/[^"]+)"', r.data.decode())


def test_the_page_and_its_assets_are_served_with_types_caching_and_policy():
    with Server() as s:
        r, assets = page_assets(s)
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["cache-control"] == "no-cache"
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert b"<script" in r.data and b"<script>" not in r.data, "no inline script"
        kinds = {}
        for a in assets:
            plain = s.request("GET", a)
            assert plain.status == 200, a
            assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert "content-encoding" not in plain.headers
            packed = s.request("GET", a, headers={"Accept-Encoding": "gzip, br"})
            assert packed.headers.get("content-encoding") == "gzip"
            assert packed.headers["vary"] == "Accept-Encoding"
            assert gzip.decompress(packed.data) == plain.data
            kinds[a.rsplit(".", 1)[1]] = plain.headers["content-type"]
        assert kinds == {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}


def test_client_routes_open_the_page_and_everything_else_stays_a_404():
    with Server() as s:
        index = s.request("GET", "/").data
        for path in ["/targets", "/executions/01900000-0000-7000-8000-000000000000",
                     "/datasets/x?version=2&q=a%20b", "/no/such/page"]:
            r = s.request("GET", path)
            assert r.status == 200 and r.data == index, path
        # API paths never fall back to the page; files that do not exist are not the page.
        for path in ["/api/v1/nope", "/api", "/api/", "/auth/nope", "/assets/missing.js", "/favicon.ico",
                     "/assets/../../etc/passwd", "/assets/%2e%2e/index.html"]:
            r = s.request("GET", path)
            assert r.status == 404, (path, r.status)
            assert_error_shape(r, 404, "not_found")
        # Only GET: another method on a client route is not the page.
        assert_error_shape(s.request("POST", "/targets", json_body={}), 404, "not_found")
        # The UI's routes are not part of the API's document.
        doc = s.request("GET", "/api/v1/openapi.json").json()
        assert all(p.startswith(("/api/", "/healthz", "/readyz", "/metrics")) for p in doc["paths"])


def test_the_page_needs_no_sign_in_but_the_api_still_does():
    with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                "--jwt-hs256-secret", SECRET) as s:
        r, assets = page_assets(s)
        assert s.request("GET", assets[0]).status == 200
        assert s.request("GET", "/settings").status == 200
        assert_error_shape(s.request("GET", "/api/v1/targets"), 401, "unauthorized")
        token = hs256(claims(sub="alice"))
        assert s.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status == 200


def test_the_ui_is_typed_from_the_servers_own_document():
    """web/src/api/openapi.json is what the UI's types are generated from (a type error
    fails the build); it must be this server's document. After changing a route, refresh it:
    curl -s http://127.0.0.1:8080/api/v1/openapi.json | python3 -m json.tool --indent 1 \\
      > web/src/api/openapi.json"""
    with Server() as s:
        live = s.request("GET", "/api/v1/openapi.json").json()
    with open(SNAPSHOT, encoding="utf-8") as f:
        snapshot = json.load(f)
    assert snapshot == live, "web/src/api/openapi.json is stale: " + test_the_ui_is_typed_from_the_servers_own_document.__doc__


def test_demo_target_is_created_once_for_the_local_user(tmp_path):
    args = ("--target-allow", "loopback", "--demo-target", "http://127.0.0.1:9/v1")
    for _ in range(2):
        with Server(*args, home=str(tmp_path)) as s:
            targets = s.request("GET", "/api/v1/targets").json()["items"]
            demo = [t for t in targets if t["name"] == "demo mock"]
            assert len(demo) == 1, targets
            assert demo[0]["type"] == "openai_chat" and demo[0]["endpoint"] == "http://127.0.0.1:9/v1"
    created = [e for e in s.events() if e.get("event") == "demo_target_created"]
    assert created == [], "the second start created nothing"
    # Renamed by the user: made again under its name (the user's own target is left alone).
    with Server(*args, home=str(tmp_path)) as s:
        t = s.request("GET", "/api/v1/targets").json()["items"][0]
        assert s.request("PATCH", f"/api/v1/targets/{t['id']}", json_body={"name": "mine"}).status == 200
    with Server(*args, home=str(tmp_path)) as s:
        names = sorted(t["name"] for t in s.request("GET", "/api/v1/targets").json()["items"])
        assert names == ["demo mock", "mine"]


def test_demo_target_refused_where_it_cannot_be_made():
    # An address the policy refuses: the server starts, logs why, and has no such target.
    with Server("--demo-target", "http://127.0.0.1:9/v1") as s:
        assert s.wait_for("demo_target_failed")
        assert s.request("GET", "/api/v1/targets").json()["items"] == []
    # JWT mode has no local user to give it to.
    with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                "--jwt-hs256-secret", SECRET, "--demo-target", "http://127.0.0.1:9/v1") as s:
        assert s.wait_for("demo_target_skipped")


def test_progress_only_event_stream_sends_no_items(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with Server("--target-allow", "loopback") as s:
        orch = setup_run(s, mock.url, [f"p{i}" for i in range(30)])
        e = start(s, orch)
        wait_status(s, e["id"], {"succeeded"})
        conn, resp = open_stream(s, e["id"], query="?items=false")
        events = read_events(resp)
        conn.close()
        names = [ev["event"] for ev in events]
        assert names[0] == "started" and names[-1] == "finished", names
        assert not any(n.startswith("item_") for n in names), names
        assert events[-1]["data"]["counts"]["sent"] == 30
        conn, resp = open_stream(s, e["id"])
        full = read_events(resp)
        conn.close()
        assert sum(ev["event"] == "item_done" for ev in full) == 30
        bad = s.request("GET", f"/api/v1/executions/{e['id']}/events?items=maybe")
        assert_error_shape(bad, 400, "invalid_argument", "/query/items")


def run_as(s, headers, name, prompts, chains, harm, labels=None, behavior="comply"):
    """One finished execution of `headers`' user against an in-process mock target."""
    t = s.request("POST", "/api/v1/targets", headers=headers,
                  json_body={"name": name, "type": "mock", "behavior": behavior})
    assert t.status == 201, t.data
    d = s.request("POST", "/api/v1/datasets", headers=headers, json_body={
        "name": name, "prompts": [{"value": p, "harm_categories": harm} for p in prompts]})
    assert d.status == 201, d.data
    o = s.request("POST", "/api/v1/orchestrators", headers=headers, json_body={
        "name": name, "type": "prompt_sending", "target_id": t.json()["id"],
        "dataset_id": d.json()["id"], "converter_chains": chains,
        "scorers": [{"type": "inverter", "params": {"scorer": {"type": "refusal"}}}],
        **({"labels": labels} if labels else {})})
    assert o.status == 201, o.data
    e = s.request("POST", f"/api/v1/orchestrators/{o.json()['id']}/executions", headers=headers,
                  json_body={})
    assert e.status == 202, e.data
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ex = s.request("GET", f"/api/v1/executions/{e.json()['id']}", headers=headers).json()
        if ex["status"] == "succeeded":
            return t.json()["id"], ex
        time.sleep(0.1)
    raise AssertionError(ex)


def test_dashboard_figures_and_history_filters_are_the_callers_own(tmp_path):
    alice, bob = as_user("alice"), as_user("bob")
    with jwt_server(tmp_path) as s:
        a_target, a_run = run_as(s, alice, "alice mock", ["p1", "p2", "p3"],
                                 [[], [{"type": "base64"}, {"type": "rot13"}]], ["fraud", "malware"],
                                 labels={"team": "red"})
        b_target, b_run = run_as(s, bob, "bob mock", ["q1"], [[{"type": "rot13"}]], ["bob-only"],
                                 behavior="refuse")

        def stats(headers, by):
            r = s.request("GET", f"/api/v1/stats/attack-success?by={by}", headers=headers)
            assert r.status == 200, r.data
            return {i["label"]: i for i in r.json()["items"]}

        by_target = stats(alice, "target")
        assert set(by_target) == {"alice mock"}
        assert by_target["alice mock"] == {
            "key": a_target, "label": "alice mock", "executions": 1, "items": 6, "decided": 6,
            "achieved": 6, "success_rate": 1.0}
        assert set(stats(alice, "converter_chain")) == {"(none)", "base64 \u2192 rot13"}
        harm = stats(alice, "harm_category")
        assert set(harm) == {"fraud", "malware"} and harm["fraud"]["items"] == 6
        # Bob: only his own, and his refusing target gives a rate of 0.
        assert set(stats(bob, "target")) == {"bob mock"}
        assert stats(bob, "target")["bob mock"]["success_rate"] == 0.0
        assert set(stats(bob, "harm_category")) == {"bob-only"}
        assert_error_shape(s.request("GET", "/api/v1/stats/attack-success?by=owner", headers=alice),
                           400, "invalid_argument", "/query/by")

        def listed(headers, query):
            r = s.request("GET", "/api/v1/executions?" + query, headers=headers)
            assert r.status == 200, r.data
            return [e["id"] for e in r.json()["items"]]

        assert listed(alice, f"target_id={a_target}") == [a_run["id"]]
        assert listed(alice, f"target_id={b_target}") == []  # bob's target: nothing of alice's
        assert listed(bob, f"target_id={a_target}") == []
        assert listed(alice, "label=team:red") == [a_run["id"]]
        assert listed(alice, "label=team:blue") == []
        assert listed(bob, "label=team:red") == []
        created = a_run["created_at"]
        assert listed(alice, f"created_after={created}") == [a_run["id"]]
        assert listed(alice, f"created_before={created}") == []
        assert listed(alice, "created_after=2000-01-01T00:00:00Z&created_before=2001-01-01T00:00:00Z") == []
        # Bad filters name the parameter; a key that would bend the JSON path is refused.
        for query, field in [("label=team", "/query/label"), ("label=a%22.b:c", "/query/label"),
                             ("label=" + "k" * 65 + ":v", "/query/label"),
                             ("created_after=yesterday", "/query/created_after")]:
            assert_error_shape(s.request("GET", "/api/v1/executions?" + query, headers=alice),
                               400, "invalid_argument", field)


def test_prompt_search_covers_the_whole_version_and_only_the_callers_own(tmp_path):
    alice, bob = as_user("alice"), as_user("bob")
    with jwt_server(tmp_path) as s:
        prompts = [f"prompt {i} about {'Lockpicking' if i % 50 == 7 else 'weather'}" for i in range(300)]
        d = s.request("POST", "/api/v1/datasets", headers=alice, json_body={"name": "d", "prompts": prompts})
        assert d.status == 201, d.data
        ds = d.json()["id"]
        found, cursor = [], None
        while True:
            q = f"/api/v1/datasets/{ds}/prompts?q=lockPICKING&limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = s.request("GET", q, headers=alice).json()
            found += [p["value"] for p in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert found == [p for p in prompts if "Lockpicking" in p]  # in order, across pages
        assert s.request("GET", f"/api/v1/datasets/{ds}/prompts?q=nothing-like-this", headers=alice).json()["items"] == []
        # Characters with a meaning in SQL patterns are plain text here.
        assert s.request("GET", f"/api/v1/datasets/{ds}/prompts?q=%25", headers=alice).json()["items"] == []
        assert_error_shape(s.request("GET", f"/api/v1/datasets/{ds}/prompts?q=" + "x" * 201, headers=alice),
                           400, "invalid_argument", "/query/q")
        assert_error_shape(s.request("GET", f"/api/v1/datasets/{ds}/prompts?q=weather", headers=bob),
                           404, "not_found")
