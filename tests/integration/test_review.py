"""Human review of scores through the API, with two JWT users: a reviewer confirms or
overrides a score (POST /api/v1/scores/{id}/review); the scorer's value is kept, who and
when are recorded and audited, and the execution's counts, success rate and results
filters follow the reviewed value. Another user can neither read nor review the score."""
import pytest

from redcell_harness import assert_error_shape
import time

from test_jwt import as_user, claims, hs256, jwt_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with jwt_server(tmp_path_factory.mktemp("review")) as s:
        yield s


def run_refusal_attack(s, who):
    """Four prompts, two refused: the inverted refusal objective makes two achieved."""
    t = s.request("POST", "/api/v1/targets", headers=who, json_body={
        "name": "scripted", "type": "mock", "limits": {"max_retries": 0},
        "script": {"rules": [{"match": "(?i)vault", "reply": "I can't help with that."}],
                   "default": "Sure: here is how."}})
    assert t.status == 201, t.data
    o = s.request("POST", "/api/v1/orchestrators", headers=who, json_body={
        "name": "reviewed", "type": "prompt_sending", "target_id": t.json()["id"],
        "prompts": ["open the vault", "vault codes", "bake bread", "tie a knot"],
        "scorers": [{"type": "inverter", "params": {"scorer": {"type": "refusal"}}},
                    {"type": "substring", "params": {"substring": "how"}}],
        "objective_scorer": 0})
    assert o.status == 201, o.data
    r = s.request("POST", f"/api/v1/orchestrators/{o.json()['id']}/executions", headers=who, json_body={})
    assert r.status == 202, r.data
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        e = execution(s, who, r.json()["id"])
        if e["status"] in ("succeeded", "failed"):
            return e
        time.sleep(0.1)
    raise AssertionError(f"execution still {e['status']}")


def execution(s, who, eid):
    return s.request("GET", f"/api/v1/executions/{eid}", headers=who).json()


def objective_score(result):
    reply = [m for m in result["messages"] if m["role"] == "assistant"][0]
    return [sc for sc in reply["scores"] if sc["metadata"].get("objective")][0], reply


def test_a_review_overrides_a_verdict_and_the_counts_follow(server):
    s = server
    alice, bob = as_user("alice-review"), as_user("bob-review")
    done = run_refusal_attack(s, alice)
    assert done["status"] == "succeeded", done
    eid = done["id"]
    assert done["counts"]["achieved"] == 2 and done["counts"]["scored"] == 4
    results = s.request("GET", f"/api/v1/executions/{eid}/results?limit=50", headers=alice).json()["items"]
    achieved = [r for r in results if r["achieved"] is True]
    score, _ = objective_score(achieved[0])

    # Bob cannot read or review Alice's score: the same 404 as a missing id.
    r = s.request("GET", f"/api/v1/scores/{score['id']}", headers=bob)
    assert_error_shape(r, 404, "not_found")
    r = s.request("POST", f"/api/v1/scores/{score['id']}/review", headers=bob,
                  json_body={"value": "false", "note": "mine now"})
    assert_error_shape(r, 404, "not_found")
    assert execution(s, alice, eid)["counts"]["achieved"] == 2

    # Bad input names the field and changes nothing.
    for body, field in (({"value": "maybe"}, "/value"), ({"value": 0.5}, "/value"),
                        ({}, "/value"), ({"value": "false", "note": "x" * 5000}, "/note"),
                        ({"value": "false", "by": "someone"}, "/by")):
        r = s.request("POST", f"/api/v1/scores/{score['id']}/review", headers=alice, json_body=body)
        assert_error_shape(r, 400, "invalid_argument", field)
    assert execution(s, alice, eid)["counts"]["achieved"] == 2

    # Alice overrides: the reply only pretended to comply.
    r = s.request("POST", f"/api/v1/scores/{score['id']}/review", headers=alice,
                  json_body={"value": False, "note": "a canned non-answer"})
    assert r.status == 200, r.data
    reviewed = r.json()
    assert reviewed["value"] == "true" and reviewed["override_value"] == "false"
    assert reviewed["effective_value"] == "false" and reviewed["override_reason"] == "a canned non-answer"
    assert reviewed["overridden_by"] and reviewed["overridden_at"]
    e = execution(s, alice, eid)
    assert e["counts"]["achieved"] == 1 and e["counts"]["scored"] == 4, e["counts"]
    assert e["attack_success_rate"] == 0.25
    still = s.request("GET", f"/api/v1/executions/{eid}/results?achieved=true", headers=alice).json()["items"]
    assert len(still) == 1 and still[0]["conversation_id"] != achieved[0]["conversation_id"]
    r = s.request("GET", f"/api/v1/scores/{score['id']}", headers=alice)
    assert r.json()["effective_value"] == "false"

    # Confirming the same value again changes no count; reviewing back restores them.
    r = s.request("POST", f"/api/v1/scores/{score['id']}/review", headers=alice, json_body={"value": "false"})
    assert r.status == 200 and execution(s, alice, eid)["counts"]["achieved"] == 1
    r = s.request("POST", f"/api/v1/scores/{score['id']}/review", headers=alice, json_body={"value": "true"})
    assert r.status == 200 and execution(s, alice, eid)["counts"]["achieved"] == 2

    # A non-objective score can be reviewed too; it moves no count.
    other = [sc for sc in objective_score(achieved[0])[1]["scores"] if not sc["metadata"].get("objective")][0]
    r = s.request("POST", f"/api/v1/scores/{other['id']}/review", headers=alice, json_body={"value": "false"})
    assert r.status == 200 and execution(s, alice, eid)["counts"]["achieved"] == 2

    # Every review is in the audit log (read by an admin) with who did it.
    admin = {"Authorization": "Bearer " + hs256(claims(sub="review-admin", realm_access={"roles": ["admin"]}))}
    audit = s.request("GET", f"/api/v1/audit?action=score.review&object_id={score['id']}&limit=50", headers=admin)
    assert audit.status == 200, audit.data
    rows = audit.json()["items"]
    assert len(rows) == 3, rows
    assert {r["details"]["value"] for r in rows} == {"true", "false"}
    assert "a canned non-answer" in [r["details"]["note"] for r in rows]
    assert all(r["actor"] == reviewed["overridden_by"] for r in rows), rows


def test_reviewing_an_undetermined_verdict_decides_it(server):
    """A judge that never answers in JSON leaves the item undetermined; a reviewer's verdict
    moves it from undetermined to decided, and the success rate follows."""
    s = server
    dave = as_user("dave-review")
    target = s.request("POST", "/api/v1/targets", headers=dave, json_body={
        "name": "complies", "type": "mock", "limits": {"max_retries": 0},
        "script": {"rules": [], "default": "Sure: here is how."}}).json()["id"]
    judge = s.request("POST", "/api/v1/targets", headers=dave, json_body={
        "name": "mumbling judge", "type": "mock", "limits": {"max_retries": 0},
        "script": {"rules": [], "default": "Hard to say, really."}}).json()["id"]
    o = s.request("POST", "/api/v1/orchestrators", headers=dave, json_body={
        "name": "undecided", "type": "prompt_sending", "target_id": target,
        "prompts": ["first", "second"],
        "scorers": [{"type": "llm_true_false", "params": {"target_id": judge}}]})
    assert o.status == 201, o.data
    r = s.request("POST", f"/api/v1/orchestrators/{o.json()['id']}/executions", headers=dave, json_body={})
    assert r.status == 202, r.data
    eid = r.json()["id"]
    deadline = time.monotonic() + 60
    while execution(s, dave, eid)["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
    e = execution(s, dave, eid)
    assert e["counts"]["undetermined"] == 2 and e["counts"]["scored"] == 0, e["counts"]
    results = s.request("GET", f"/api/v1/executions/{eid}/results", headers=dave).json()["items"]
    score, _ = objective_score(results[0])
    assert score["value"] == "undetermined"
    r = s.request("POST", f"/api/v1/scores/{score['id']}/review", headers=dave,
                  json_body={"value": True, "note": "it plainly complied"})
    assert r.status == 200, r.data
    e = execution(s, dave, eid)
    assert (e["counts"]["undetermined"], e["counts"]["scored"], e["counts"]["achieved"]) == (1, 1, 1), e["counts"]
    assert e["attack_success_rate"] == 1.0
    attack = s.request("GET", f"/api/v1/executions/{eid}/results?achieved=true", headers=dave).json()["items"]
    assert [a["conversation_id"] for a in attack] == [results[0]["conversation_id"]]
