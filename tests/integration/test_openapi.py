"""The OpenAPI document and the isolation matrix, both from the server's own route table.

Every route is documented with a response schema (the harness validates every answer the
other tests get against it). Then, for every route with an {id}, user A gets 2xx on A's
object (GET) and user B gets a 404 byte-identical to a random id's, whatever the method;
canary strings planted in every text field of A's objects appear in none of B's answers.
A new route is covered by both without editing this file."""
import re
import tempfile
import uuid

import jsonschema

from redcell_harness import Server
from test_engine import mock_factory, wait_status  # noqa: F401
from test_jwt import AUD, ISS, SECRET, claims, hs256

CANARY = "canary-7f3e-" + uuid.uuid4().hex[:8]
RANDOM_ID = "01900000-0000-7000-8000-000000000000"


def test_every_route_is_documented_with_schemas():
    with Server() as s:
        doc = s.request("GET", "/api/v1/openapi.json").json()
        assert doc["openapi"] == "3.1.0" and doc["info"]["title"] == "redcell"
        for name, schema in doc["components"]["schemas"].items():
            jsonschema.Draft202012Validator.check_schema(schema)
        operations = [(p, m, op) for p, item in doc["paths"].items() for m, op in item.items()]
        assert len(operations) >= 40
        for path, method, op in operations:
            assert not op.get("x-redcell-untyped"), f"{method} {path} has no response schema"
            assert not op.get("x-redcell-untyped-body"), f"{method} {path} has no request schema"
            assert op["summary"], f"{method} {path} has no summary"
            assert "default" in op["responses"]
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            assert params == [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
            # What a client generator needs: a plain, unique operation id; a list's paging.
            assert re.fullmatch(r"[a-z][a-z0-9_]*", op["operationId"]), op["operationId"]
            query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            schema = op["responses"]["2XX"]["content"].get("application/json", {}).get("schema", {})
            if "next_cursor" in schema.get("properties", {}):
                assert {"limit", "cursor"} <= query, f"{method} {path}"
            public = path in ("/healthz", "/readyz", "/metrics", "/api/v1/openapi.json")
            assert (op["security"] == []) == public, f"{method} {path}"
        ids = [op["operationId"] for _, _, op in operations]
        assert len(ids) == len(set(ids)), "operation ids are unique"
        # Routes needing the admin role say so.
        assert doc["paths"]["/api/v1/system"]["get"]["x-redcell-role"] == "admin"


# Bodies that pass validation, so that B's answer is decided by ownership alone.
BODIES = {
    ("PATCH", "/api/v1/targets/{id}"): {"name": "renamed"},
    ("POST", "/api/v1/targets/{id}/test"): {"prompt": "hi"},
    ("POST", "/api/v1/datasets/{id}/versions"): {"prompts": ["another"]},
    ("POST", "/api/v1/orchestrators/{id}/executions"): {},
    ("PUT", "/api/v1/scorer-configs/{id}"): {"name": "n", "scorer": {"type": "refusal"}},
    ("POST", "/api/v1/scores/{id}/review"): {"value": "false", "note": "not theirs"},
}


def test_isolation_matrix_from_the_route_table(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with tempfile.TemporaryDirectory() as d:
        open(d + "/secret", "w").write(SECRET)
        with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                    "--jwt-hs256-secret-file", d + "/secret", "--target-allow", "loopback") as s:
            alice = {"Authorization": "Bearer " + hs256(claims(sub="matrix-alice", preferred_username=CANARY))}
            bob = {"Authorization": "Bearer " + hs256(claims(sub="matrix-bob"))}

            def call(who, method, path, body=None):
                return s.request(method, path, json_body=body, headers=who)

            def made(r):
                assert r.status in (200, 201, 202), r.data
                return r.json()

            # A's objects, a canary in every text field.
            t = made(call(alice, "POST", "/api/v1/targets", {
                "name": CANARY, "type": "openai_chat", "endpoint": mock.url, "model": CANARY,
                "system_prompt": CANARY, "headers": {"X-" + CANARY: CANARY}, "api_key": CANARY + "-key"}))
            ds = made(call(alice, "POST", "/api/v1/datasets", {
                "name": CANARY, "description": CANARY,
                "prompts": [{"value": CANARY, "harm_categories": [CANARY], "metadata": {"note": CANARY}}]}))
            o = made(call(alice, "POST", "/api/v1/orchestrators", {
                "name": CANARY, "type": "prompt_sending", "target_id": t["id"], "dataset_id": ds["id"],
                "labels": {"owner": CANARY},
                "scorers": [{"type": "substring", "params": {"substring": CANARY}}]}))
            e = made(call(alice, "POST", f"/api/v1/orchestrators/{o['id']}/executions", {"labels": {"run": CANARY}}))
            wait_status(type("S", (), {"request": lambda _, m, p: call(alice, m, p)})(), e["id"], {"succeeded"})
            key = made(call(alice, "POST", "/api/v1/api-keys", {"name": CANARY}))
            saved = made(call(alice, "POST", "/api/v1/scorer-configs", {
                "name": CANARY, "scorer": {"type": "substring", "params": {"substring": CANARY}}}))
            results = made(call(alice, "GET", f"/api/v1/executions/{e['id']}/results"))["items"]
            conversation = results[0]["conversation_id"]
            score = [sc for m in results[0]["messages"] for sc in m["scores"]][0]
            ids = {"scores": score["id"], "targets": t["id"], "datasets": ds["id"], "orchestrators": o["id"],
                   "executions": e["id"], "conversations": conversation, "api-keys": key["id"],
                   "scorer-configs": saved["id"]}

            doc = s.request("GET", "/api/v1/openapi.json").json()
            routes = [(m.upper(), p, op) for p, item in doc["paths"].items() for m, op in item.items()]
            seen_by_bob = []
            covered = set()
            # B first: nothing of A's may change before A's own checks.
            for method, pattern, op in routes:
                if "{id}" not in pattern:
                    continue
                resource = pattern.split("/")[3]
                assert resource in ids, f"the matrix has no object for {pattern}: add one"
                body = BODIES.get((method, pattern), {} if op.get("requestBody") else None)
                theirs = call(bob, method, pattern.replace("{id}", ids[resource]), body)
                random = call(bob, method, pattern.replace("{id}", RANDOM_ID), body)
                assert theirs.status == 404, (method, pattern, theirs.status, theirs.data)
                assert theirs.data == random.data, (method, pattern, theirs.data, random.data)
                seen_by_bob.append(theirs.data)
                covered.add((method, pattern))
            for method, pattern, op in routes:
                if method == "GET" and "{id}" not in pattern and pattern.startswith("/api/v1/"):
                    r = call(bob, method, pattern)
                    seen_by_bob.append(r.data)
            for data in seen_by_bob:
                assert CANARY.encode() not in data
            # A reads every one of A's objects.
            for method, pattern, op in routes:
                if method == "GET" and "{id}" in pattern:
                    resource = pattern.split("/")[3]
                    r = call(alice, method, pattern.replace("{id}", ids[resource]))
                    assert 200 <= r.status < 300, (pattern, r.status, r.data)
                    if "event-stream" not in r.headers.get("content-type", ""):
                        assert CANARY.encode() in r.data or resource in ("executions", "api-keys"), pattern
            assert len(covered) >= 22  # every {id} route of today; new ones join by themselves
