"""Many users at once on one server: 50 users, each authenticated with their own JWT, each
running 4 executions of 200 prompts concurrently against one mock LLM. Every execution
completes, the store reports no error, and each user sees exactly their own 800 results
and nothing of anyone else's. (ViolentUTF lost data and locked its databases here.)"""
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from redcell_harness import Server
from test_engine import mock_factory  # noqa: F401
from test_jwt import AUD, ISS, SECRET, claims, hs256

USERS = int(os.environ.get("REDCELL_LOAD_USERS", "50"))
EXECUTIONS = 4
PROMPTS = 200


def test_fifty_users_four_executions_each_see_exactly_their_own_results(mock_factory):
    mock = mock_factory("--behavior", "decode", "--threads", "1")
    with tempfile.TemporaryDirectory() as d:
        open(d + "/secret", "w").write(SECRET)
        with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                    "--jwt-hs256-secret-file", d + "/secret", "--target-allow", "loopback",
                    "--access-log", "false") as s:
            def as_user(i):
                token = hs256(claims(sub=f"load-user-{i}", preferred_username=f"user{i}"))
                return {"Authorization": "Bearer " + token}

            def call(who, method, path, body=None, expect=(200,)):
                r = s.request(method, path, json_body=body, headers=who)
                assert r.status in expect, (method, path, r.status, r.data[:300])
                return r.json()

            def one_user(i):
                who = as_user(i)
                t = call(who, "POST", "/api/v1/targets", {
                    "name": "mock", "type": "openai_chat", "endpoint": mock.url, "model": "m",
                    "limits": {"max_in_flight": 8, "max_retries": 0}}, expect=(201,))
                ds = call(who, "POST", "/api/v1/datasets", {
                    "name": "d", "prompts": [f"user {i} prompt {k}" for k in range(PROMPTS)]}, expect=(201,))
                o = call(who, "POST", "/api/v1/orchestrators", {
                    "name": "o", "type": "prompt_sending", "target_id": t["id"], "dataset_id": ds["id"],
                    "converter_chains": [[{"type": "base64"}]],
                    "scorers": [{"type": "substring", "params": {"substring": "Sure"}}]}, expect=(201,))
                started = [call(who, "POST", f"/api/v1/orchestrators/{o['id']}/executions", {},
                                expect=(202,))["id"] for _ in range(EXECUTIONS)]
                return who, started

            with ThreadPoolExecutor(max_workers=16) as pool:
                users = list(pool.map(one_user, range(USERS)))

            deadline = time.monotonic() + 600
            pending = {e for _, ids in users for e in ids}
            while pending and time.monotonic() < deadline:
                for who, ids in users:
                    for e in ids:
                        if e in pending:
                            ex = call(who, "GET", f"/api/v1/executions/{e}")
                            if ex["status"] not in ("queued", "running"):
                                assert ex["status"] == "succeeded", ex
                                assert ex["counts"] == {"total": PROMPTS, "sent": PROMPTS, "errors": 0,
                                                        "scored": PROMPTS, "achieved": PROMPTS,
                                                        "undetermined": 0}, ex
                                pending.discard(e)
                time.sleep(0.5)
            assert not pending, f"{len(pending)} executions did not finish"

            def check_user(i):
                who, ids = users[i]
                listed = call(who, "GET", "/api/v1/executions?limit=100")["items"]
                assert sorted(x["id"] for x in listed) == sorted(ids)
                seen = set()
                for e in ids:
                    r = call(who, "GET", f"/api/v1/executions/{e}/results?limit=500")
                    assert r["next_cursor"] is None and len(r["items"]) == PROMPTS
                    for item in r["items"]:
                        user_msg = item["messages"][0]
                        assert user_msg["original_value"].startswith(f"user {i} prompt ")
                        seen.add(item["conversation_id"])
                assert len(seen) == EXECUTIONS * PROMPTS
                # Someone else's execution is a 404, whoever asks.
                other = users[(i + 1) % USERS][1][0]
                r = s.request("GET", f"/api/v1/executions/{other}/results", headers=who)
                assert r.status == 404
                return len(seen)

            with ThreadPoolExecutor(max_workers=8) as pool:
                assert list(pool.map(check_user, range(USERS))) == [EXECUTIONS * PROMPTS] * USERS

            errors = [e for e in s.events() if e.get("level") == "error"]
            assert errors == [], errors[:5]
            users_listed = s.request("GET", "/api/v1/executions", headers=as_user(USERS + 1)).json()
            assert users_listed["items"] == []
