"""Targets, datasets, orchestrators, scorers and Idempotency-Key through the real binary,
with two JWT users: shapes clients rely on, secrets never echoed/logged/stored raw, the
target allow-list, dataset versions, orchestrator reuse, audit rows, and 404 for others."""
import concurrent.futures
import glob
import uuid

import pytest

from redcell_harness import Server, assert_error_shape
from test_jwt import as_user, jwt_server

PLANTED_KEY = "sk-planted-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with jwt_server(tmp_path_factory.mktemp("resources"), "--target-allow", "loopback") as s:
        yield s


ALICE, BOB = as_user("alice-res"), as_user("bob-res")


def target_body(**kw):
    body = {"name": "local model", "type": "openai_chat",
            "endpoint": "http://127.0.0.1:9/v1/chat/completions", "model": "llama3"}
    body.update(kw)
    return body


def create(server, path, body, who=ALICE, status=201, headers=None):
    r = server.request("POST", path, json_body=body, headers={**who, **(headers or {})})
    assert r.status == status, (r.status, r.data)
    return r.json()


def test_target_secret_is_sealed_never_echoed_logged_or_stored_raw(server):
    t = create(server, "/api/v1/targets", target_body(api_key=PLANTED_KEY, temperature=0.2))
    assert t["has_api_key"] is True and "api_key" not in t
    assert t["endpoint"].startswith("http://127.0.0.1") and t["temperature"] == 0.2
    assert t["limits"]["max_in_flight"] == 64  # defaults are filled in and shown
    got = server.request("GET", f"/api/v1/targets/{t['id']}", headers=ALICE)
    assert got.status == 200 and PLANTED_KEY.encode() not in got.data
    listed = server.request("GET", "/api/v1/targets", headers=ALICE)
    assert PLANTED_KEY.encode() not in listed.data
    # PATCH keeps the key unless told otherwise; null forgets it.
    p = server.request("PATCH", f"/api/v1/targets/{t['id']}", json_body={"model": "llama3.1"},
                       headers=ALICE).json()
    assert p["model"] == "llama3.1" and p["has_api_key"] is True
    p = server.request("PATCH", f"/api/v1/targets/{t['id']}", json_body={"api_key": None},
                       headers=ALICE).json()
    assert p["has_api_key"] is False
    env = create(server, "/api/v1/targets", target_body(api_key_env="REDCELL_TARGET_KEY_OPENAI"))
    assert env["api_key_env"] == "REDCELL_TARGET_KEY_OPENAI" and env["has_api_key"] is False
    assert PLANTED_KEY not in server.log_text()
    for f in glob.glob(server.home + "/redcell.db*"):
        with open(f, "rb") as fh:
            assert PLANTED_KEY.encode() not in fh.read(), f


@pytest.mark.parametrize("endpoint,why", [
    ("http://169.254.169.254/latest/meta-data", "always refused"),
    ("http://[fe80::1]/v1", "always refused"),
    ("http://10.1.2.3/v1", "private"),
    ("http://192.168.0.10/v1", "private"),
    ("ftp://example.com/x", "http"),
    ("http://user:pw@example.com/x", "user:password"),
    ("not a url", "http"),
])
def test_target_allow_list_refuses_with_the_reason(server, endpoint, why):
    r = server.request("POST", "/api/v1/targets", json_body=target_body(endpoint=endpoint),
                       headers=ALICE)
    err = assert_error_shape(r, 400, "invalid_argument", "/endpoint")
    assert why in err["message"] + err["details"]["expected"], err


def test_loopback_needs_the_flag():
    with Server() as s:  # local mode, no --target-allow
        r = s.request("POST", "/api/v1/targets", json_body=target_body())
        err = assert_error_shape(r, 400, "invalid_argument", "/endpoint")
        assert "--target-allow loopback" in err["message"]
        ok = s.request("POST", "/api/v1/targets",
                       json_body=target_body(endpoint="https://api.openai.com/v1/chat/completions"))
        assert ok.status == 201, ok.data


@pytest.mark.parametrize("body,field", [
    ({"type": "openai_chat", "endpoint": "http://127.0.0.1:9/", "model": "m"}, "/name"),
    (target_body(type="gopher"), "/type"),
    (target_body(temperature=3), "/temperature"),
    (target_body(temperature="hot"), "/temperature"),
    (target_body(max_tokens=10**30), "/max_tokens"),
    (target_body(limits={"max_in_flight": 0}), "/limits/max_in_flight"),
    (target_body(limits={"burst": 1}), "/limits/burst"),
    (target_body(id="0190a000-0000-7000-8000-000000000000"), "/id"),
    (target_body(owner="someone"), "/owner"),
    (target_body(api_key="k", api_key_env="K"), "/api_key_env"),
    (target_body(api_key_env="1BAD-NAME"), "/api_key_env"),
    (target_body(headers={"X-A": 1}), "/headers/X-A"),
    ({"name": "h", "type": "http", "endpoint": "http://127.0.0.1:9/", "body_template": "{}",
      "response_pointer": "/a"}, "/body_template"),
])
def test_bad_target_bodies_name_the_field(server, body, field):
    r = server.request("POST", "/api/v1/targets", json_body=body, headers=ALICE)
    assert_error_shape(r, 400, "invalid_argument", field)


def test_datasets_are_versioned(server):
    d = create(server, "/api/v1/datasets", {"name": "jailbreaks", "description": "first cut",
                                            "prompts": [{"value": "p1", "harm_categories": ["x"]}, "p2"]})
    assert (d["version"], d["count"], d["name"]) == (1, 2, "jailbreaks")
    v2 = create(server, f"/api/v1/datasets/{d['id']}/versions", {"prompts": ["q1", "q2", "q3"]})
    assert (v2["id"], v2["version"], v2["count"]) == (d["id"], 2, 3)
    latest = server.request("GET", f"/api/v1/datasets/{d['id']}/prompts", headers=ALICE).json()
    assert [p["value"] for p in latest["items"]] == ["q1", "q2", "q3"]
    old = server.request("GET", f"/api/v1/datasets/{d['id']}/prompts?version=1&limit=1",
                         headers=ALICE).json()
    assert [p["value"] for p in old["items"]] == ["p1"] and old["items"][0]["harm_categories"] == ["x"]
    rest = server.request("GET", f"/api/v1/datasets/{d['id']}/prompts?version=1&cursor={old['next_cursor']}",
                          headers=ALICE).json()
    assert [p["value"] for p in rest["items"]] == ["p2"] and rest["next_cursor"] is None
    assert server.request("GET", f"/api/v1/datasets/{d['id']}?version=1", headers=ALICE).json()["count"] == 2
    assert_error_shape(server.request("GET", f"/api/v1/datasets/{d['id']}?version=9", headers=ALICE),
                       404, "not_found")
    assert_error_shape(server.request("GET", f"/api/v1/datasets/{d['id']}?version=x", headers=ALICE),
                       400, "invalid_argument", "/query/version")


@pytest.mark.parametrize("body,field", [
    ({"prompts": ["a"]}, "/name"),
    ({"name": "d", "prompts": []}, "/prompts"),
    ({"name": "d", "prompts": [""]}, "/prompts/0"),
    ({"name": "d", "prompts": ["a", {"value": 3}]}, "/prompts/1/value"),
    ({"name": "d", "prompts": [{"value": "a", "harm_categories": "x"}]}, "/prompts/0/harm_categories"),
    ({"name": "d", "prompts": ["a"], "version": 4}, "/version"),
])
def test_bad_dataset_bodies_name_the_field(server, body, field):
    assert_error_shape(server.request("POST", "/api/v1/datasets", json_body=body, headers=ALICE),
                       400, "invalid_argument", field)


def orchestrator_body(target, dataset, **kw):
    body = {"name": "b64 sweep", "type": "prompt_sending", "target_id": target, "dataset_id": dataset,
            "converters": [{"type": "base64", "params": {}}],
            "scorers": [{"type": "substring", "params": {"substring": "sure"}}]}
    body.update(kw)
    return body


def test_orchestrators_reuse_an_identical_definition(server):
    t = create(server, "/api/v1/targets", target_body())
    d = create(server, "/api/v1/datasets", {"name": "d", "prompts": ["a", "b"]})
    first = create(server, "/api/v1/orchestrators", orchestrator_body(t["id"], d["id"]))
    assert first["converter_chains"] == [[{"type": "base64", "params": {}}]]
    assert first["objective_scorer"] == 0 and first["datasets"] == [{"id": d["id"], "version": None}]
    # Same definition, members in another order: the same orchestrator, 200.
    body = orchestrator_body(t["id"], d["id"])
    again = create(server, "/api/v1/orchestrators", dict(reversed(list(body.items()))), status=200)
    assert again["id"] == first["id"] and again["config_hash"] == first["config_hash"]
    renamed = create(server, "/api/v1/orchestrators", orchestrator_body(t["id"], d["id"], name="other"))
    assert renamed["id"] != first["id"]
    # Bob's identical-looking definition cannot name Alice's target.
    r = server.request("POST", "/api/v1/orchestrators", json_body=orchestrator_body(t["id"], d["id"]),
                       headers=BOB)
    assert_error_shape(r, 400, "invalid_argument", "/target_id")
    got = server.request("GET", f"/api/v1/orchestrators/{first['id']}", headers=ALICE)
    assert got.json()["id"] == first["id"]
    missing = server.request("GET", f"/api/v1/orchestrators/{uuid.uuid4()}", headers=BOB)
    others = server.request("GET", f"/api/v1/orchestrators/{first['id']}", headers=BOB)
    assert others.status == 404 and others.data == missing.data
    deleted = server.request("DELETE", f"/api/v1/orchestrators/{first['id']}", headers=ALICE)
    assert deleted.status == 200
    assert server.request("GET", f"/api/v1/orchestrators/{first['id']}", headers=ALICE).status == 404
    audit = server.request("GET", "/api/v1/audit?object_id=" + first["id"],
                           headers=as_user("admin-res-unused")).status
    assert audit == 403  # not an admin


@pytest.mark.parametrize("patch,field", [
    ({"type": "no_such_strategy"}, "/type"),
    ({"dataset_id": None, "prompts": None}, "/dataset_id"),
    ({"converters": [{"type": "leet"}]}, "/converters/0/type"),
    ({"converters": [{"type": "base64", "params": {"x": 1}}]}, "/converters/0/params/x"),
    ({"scorers": [{"type": "regex", "params": {"pattern": "("}}]}, "/scorers/0/params/pattern"),
    ({"scorers": [{"type": "refusal"}, {"type": "substring", "params": {"substring": "x"}}]},
     "/objective_scorer"),
    ({"objective_scorer": 3}, "/objective_scorer"),
    ({"attempts": 0}, "/attempts"),
    ({"budget": {"max_error_share": 2}}, "/budget/max_error_share"),
    ({"labels": {"team": 7}}, "/labels/team"),
    ({"prepended_conversation": [{"role": "tool", "content": "x"}]}, "/prepended_conversation/0/role"),
    ({"config_hash": "abc"}, "/config_hash"),
])
def test_bad_orchestrator_bodies_name_the_field(server, patch, field):
    t = create(server, "/api/v1/targets", target_body())
    d = create(server, "/api/v1/datasets", {"name": "d", "prompts": ["a"]})
    body = {k: v for k, v in {**orchestrator_body(t["id"], d["id"]), **patch}.items() if v is not None}
    r = server.request("POST", "/api/v1/orchestrators", json_body=body, headers=ALICE)
    assert_error_shape(r, 400, "invalid_argument", field)


def test_idempotency_key_replays_refuses_changes_and_is_per_user(server):
    key = {"Idempotency-Key": "import-" + uuid.uuid4().hex}
    body = {"name": "once", "prompts": ["a"]}
    first = server.request("POST", "/api/v1/datasets", json_body=body, headers={**ALICE, **key})
    again = server.request("POST", "/api/v1/datasets", json_body=body, headers={**ALICE, **key})
    assert first.status == again.status == 201 and first.data == again.data
    assert again.headers.get("idempotent-replayed") == "true"
    changed = server.request("POST", "/api/v1/datasets", json_body={**body, "name": "twice"},
                             headers={**ALICE, **key})
    assert_error_shape(changed, 422, "unprocessable", "/headers/idempotency-key")
    bobs = server.request("POST", "/api/v1/datasets", json_body=body, headers={**BOB, **key})
    assert bobs.status == 201 and bobs.json()["id"] != first.json()["id"]
    names = [d["name"] for d in server.request("GET", "/api/v1/datasets?limit=500", headers=ALICE).json()["items"]]
    assert names.count("once") == 1
    # Concurrent duplicates: exactly one dataset is made; the others replay it or get 409.
    key = {"Idempotency-Key": "burst-" + uuid.uuid4().hex}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        rs = list(pool.map(lambda _: server.request("POST", "/api/v1/datasets",
                                                    json_body={"name": "burst", "prompts": ["a"]},
                                                    headers={**ALICE, **key}), range(8)))
    assert {r.status for r in rs} <= {201, 409}
    ids = {r.json()["id"] for r in rs if r.status == 201}
    assert len(ids) == 1
    for r in rs:
        if r.status == 409:
            assert_error_shape(r, 409, "conflict")


def test_api_key_replay_never_shows_the_secret_again(server):
    key = {"Idempotency-Key": "key-" + uuid.uuid4().hex}
    first = server.request("POST", "/api/v1/api-keys", json_body={"name": "ci"}, headers={**ALICE, **key})
    again = server.request("POST", "/api/v1/api-keys", json_body={"name": "ci"}, headers={**ALICE, **key})
    assert first.json()["secret"].startswith("rc_")
    assert "secret" not in again.json() and again.json()["id"] == first.json()["id"]


def test_scorer_catalog_and_test(server):
    cat = server.request("GET", "/api/v1/scorers", headers=ALICE).json()["items"]
    assert {"substring", "regex", "refusal", "inverter"} <= {s["type"] for s in cat}
    assert all(s["params"]["type"] == "object" for s in cat)

    def score(text, scorer):
        r = server.request("POST", "/api/v1/scorers/test", json_body={"text": text, "scorer": scorer},
                           headers=ALICE)
        assert r.status == 200, r.data
        return r.json()["scores"][0]["value"]

    assert score("Sure, here it is", {"type": "substring", "params": {"substring": "SURE"}}) == "true"
    assert score("Sure", {"type": "substring", "params": {"substring": "SURE", "case_sensitive": True}}) == "false"
    assert score("step 1: mix", {"type": "regex", "params": {"pattern": r"step \d+:"}}) == "true"
    assert score("I\u2019m sorry, but I can\u2019t help with that.", {"type": "refusal"}) == "true"
    assert score("Here is the recipe.", {"type": "refusal"}) == "false"
    assert score("Here is the recipe.", {"type": "inverter", "params": {"scorer": {"type": "refusal"}}}) == "true"
    r = server.request("POST", "/api/v1/scorers/test",
                       json_body={"text": "x", "scorer": {"type": "inverter", "params": {"scorer": {"type": "nope"}}}},
                       headers=ALICE)
    assert_error_shape(r, 400, "invalid_argument", "/scorer/params/scorer/type")


def test_changes_are_audited_without_secrets(tmp_path):
    with Server() as s:  # local mode: the local user is an admin
        t = s.request("POST", "/api/v1/targets",
                      json_body=target_body(endpoint="https://example.com/v1", api_key=PLANTED_KEY)).json()
        s.request("PATCH", f"/api/v1/targets/{t['id']}", json_body={"model": "x"})
        s.request("DELETE", f"/api/v1/targets/{t['id']}")
        r = s.request("GET", "/api/v1/audit?object_id=" + t["id"])
        actions = [e["action"] for e in r.json()["items"]]
        assert sorted(actions) == ["target.create", "target.delete", "target.update"]
        assert PLANTED_KEY.encode() not in r.data


def test_scorer_configs_are_saved_validated_replaced_and_deleted():
    with Server() as s:
        body = {"name": "refuses", "scorer": {"type": "refusal", "params": {}}}
        r = s.request("POST", "/api/v1/scorer-configs", json_body=body)
        assert r.status == 201, r.data
        c = r.json()
        assert c["name"] == "refuses" and c["scorer"]["type"] == "refusal"
        assert s.request("GET", f"/api/v1/scorer-configs/{c['id']}").json() == c
        assert [x["id"] for x in s.request("GET", "/api/v1/scorer-configs").json()["items"]] == [c["id"]]
        bad = s.request("POST", "/api/v1/scorer-configs", json_body={"name": "x", "scorer": {"type": "regex", "params": {"pattern": "("}}})
        assert_error_shape(bad, 400, "invalid_argument")
        assert bad.json()["error"]["details"]["field"].startswith("/scorer")
        bad = s.request("POST", "/api/v1/scorer-configs", json_body={"name": "x", "scorer": {"type": "nope"}})
        assert_error_shape(bad, 400, "invalid_argument", "/scorer/type")
        put = s.request("PUT", f"/api/v1/scorer-configs/{c['id']}", json_body={
            "name": "says sure", "scorer": {"type": "substring", "params": {"substring": "sure"}}})
        assert put.status == 200 and put.json()["scorer"]["params"] == {"substring": "sure"}
        assert put.json()["created_at"] == c["created_at"]
        assert s.request("DELETE", f"/api/v1/scorer-configs/{c['id']}").status == 200
        assert s.request("GET", f"/api/v1/scorer-configs/{c['id']}").status == 404
        assert s.request("GET", "/api/v1/scorer-configs").json()["items"] == []
        actions = [a["action"] for a in s.request("GET", "/api/v1/audit?object_type=scorer_config").json()["items"]]
        assert sorted(actions) == ["scorer_config.create", "scorer_config.delete", "scorer_config.update"]


def test_an_orchestrator_can_use_a_saved_scorer_config_by_id():
    with Server("--target-allow", "loopback") as s:
        t = s.request("POST", "/api/v1/targets", json_body={"name": "m", "type": "mock"}).json()
        d = s.request("POST", "/api/v1/datasets", json_body={"name": "d", "prompts": ["p"]}).json()
        saved = s.request("POST", "/api/v1/scorer-configs", json_body={
            "name": "sure", "scorer": {"type": "substring", "params": {"substring": "sure"}}}).json()
        body = {"name": "o", "type": "prompt_sending", "target_id": t["id"], "dataset_id": d["id"],
                "scorers": [{"config_id": saved["id"]}, {"type": "refusal"}], "objective_scorer": 0}
        r = s.request("POST", "/api/v1/orchestrators", json_body=body)
        assert r.status == 201, r.data
        o = r.json()
        assert o["scorers"][0] == {"type": "substring", "params": {"substring": "sure"}}
        # A copy: changing the saved config later leaves the orchestrator as it was.
        s.request("PUT", f"/api/v1/scorer-configs/{saved['id']}", json_body={
            "name": "sure", "scorer": {"type": "substring", "params": {"substring": "yes"}}})
        assert s.request("GET", f"/api/v1/orchestrators/{o['id']}").json()["scorers"][0]["params"] == {"substring": "sure"}
        body["scorers"] = [{"config_id": "01900000-0000-7000-8000-000000000000"}]
        assert_error_shape(s.request("POST", "/api/v1/orchestrators", json_body=body), 400,
                           "invalid_argument", "/scorers/0/config_id")
        body["scorers"] = [{"config_id": saved["id"], "type": "regex"}]
        assert_error_shape(s.request("POST", "/api/v1/orchestrators", json_body=body), 400,
                           "invalid_argument", "/scorers/0/config_id")
