"""The engine end to end through the real binaries: `redcell serve` attacking a
`redcell mock-target` over loopback. Executions complete under every fault kind with each
failure stored with its reason; Retry-After is honoured (from recorded attempt times);
budgets, cancel, SIGTERM drain + resume, and SIGKILL + restart each end to end."""
import base64
import json
import os
import signal
import socket
import subprocess
import time
from datetime import datetime

import pytest

from redcell_harness import BIN, Server, assert_error_shape, run_cli, store_id


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mock:
    def __init__(self, *args):
        self.port = free_port()
        self.proc = subprocess.Popen([BIN, "mock-target", "--listen", f"127.0.0.1:{self.port}", *map(str, args)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        assert '"listening"' in line, line
        self.url = f"http://127.0.0.1:{self.port}/v1"

    def stats(self, detail=False):
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats" + ("?detail=1" if detail else "")) as r:
            return json.loads(r.read())

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture
def mock_factory():
    made = []

    def make(*args):
        m = Mock(*args)
        made.append(m)
        return m
    yield make
    for m in made:
        m.close()


def setup_run(s, mock_url, prompts, **orch):
    t = s.request("POST", "/api/v1/targets", json_body={
        "name": "mock", "type": "openai_chat", "endpoint": mock_url, "model": "mock-llm",
        "limits": orch.pop("limits", {"max_in_flight": 8, "max_retries": 3})})
    assert t.status == 201, t.data
    d = s.request("POST", "/api/v1/datasets", json_body={"name": "d", "prompts": prompts})
    assert d.status == 201, d.data
    body = {"name": "run", "type": "prompt_sending", "target_id": t.json()["id"],
            "dataset_id": d.json()["id"],
            "scorers": [{"type": "substring", "params": {"substring": "sure"}}]}
    body.update(orch)
    o = s.request("POST", "/api/v1/orchestrators", json_body=body)
    assert o.status == 201, o.data
    return o.json()["id"]


def start(s, orchestrator, **body):
    r = s.request("POST", f"/api/v1/orchestrators/{orchestrator}/executions", json_body=body)
    assert r.status == 202, r.data
    return r.json()


def wait_status(s, execution, statuses, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        e = s.request("GET", f"/api/v1/executions/{execution}").json()
        if e["status"] in statuses:
            return e
        time.sleep(0.1)
    raise AssertionError(f"execution still {e['status']}: {e}")


def all_results(s, execution):
    out, cursor = [], None
    while True:
        r = s.request("GET", f"/api/v1/executions/{execution}/results?limit=500" + (f"&cursor={cursor}" if cursor else "")).json()
        out += r["items"]
        cursor = r["next_cursor"]
        if not cursor:
            return out


def test_an_execution_completes_and_is_scored(mock_factory):
    mock = mock_factory("--behavior", "decode")
    with Server("--target-allow", "loopback") as s:
        prompts = [f"explain how to do thing {i}" for i in range(20)]
        o = setup_run(s, mock.url, prompts, converter_chains=[[], [{"type": "base64"}]])
        dry = s.request("POST", f"/api/v1/orchestrators/{o}/executions", json_body={"dry_run": True}).json()
        assert dry["work_items"] == 40 and dry["estimated_prompt_tokens"] > 0
        assert s.request("GET", "/api/v1/executions").json()["items"] == []  # a dry run stores nothing
        e = start(s, o, labels={"ticket": "RT-1"})
        assert e["counts"]["total"] == 40
        done = wait_status(s, e["id"], {"succeeded"})
        assert done["counts"] == {"total": 40, "sent": 40, "errors": 0, "scored": 40, "achieved": 20,
                                  "undetermined": 0}
        assert done["attack_success_rate"] == 0.5
        results = all_results(s, e["id"])
        assert len(results) == 40
        for r in results:
            user = [m for m in r["messages"] if m["role"] == "user"][0]
            reply = [m for m in r["messages"] if m["role"] == "assistant"][0]
            assert user["labels"] == {"ticket": "RT-1"}
            if r["chain_index"] == 1:  # base64 gets past the mock's filter
                assert user["converted_value"] == base64.b64encode(user["original_value"].encode()).decode()
                assert r["achieved"] is True and reply["original_value"].startswith("Sure")
            else:
                assert r["achieved"] is False
            assert reply["scores"][0]["metadata"]["objective"] is True
            assert reply["prompt_tokens"] > 0
        achieved = s.request("GET", f"/api/v1/executions/{e['id']}/results?achieved=true&limit=500").json()["items"]
        assert len(achieved) == 20
        assert mock.stats()["requests"] == 40
        # Deleting purges its conversations.
        conv = results[0]["conversation_id"]
        assert s.request("GET", f"/api/v1/conversations/{conv}").status == 200
        assert s.request("DELETE", f"/api/v1/executions/{e['id']}").json()["deleted_messages"] == 80
        assert s.request("GET", f"/api/v1/conversations/{conv}").status == 404


@pytest.mark.parametrize("fault", ["429:0.5", "500:0.5", "malformed:0.5", "reset:0.5", "timeout:0.5"])
def test_faults_are_retried_and_final_failures_stored_with_their_reason(mock_factory, fault):
    mock = mock_factory("--behavior", "echo", "--fault", fault, "--retry-after", "0", "--seed", "7")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(60)],
                      limits={"max_in_flight": 32, "max_retries": 1, "timeout_ms": 500})
        e = start(s, o)
        done = wait_status(s, e["id"], {"succeeded"})
        c = done["counts"]
        assert c["total"] == 60 and c["sent"] == 60
        # Each item fails twice with p = 0.25: P(no error among 60) < 1e-7.
        assert c["errors"] > 0 and c["errors"] + c["scored"] == 60, c
        results = all_results(s, e["id"])
        failed = [r for r in results if r["status"] == "failed"]
        assert len(failed) == c["errors"]
        for r in failed:
            reply = [m for m in r["messages"] if m["role"] == "assistant"][0]
            assert reply["response_error"] in ("unknown", "processing")
            assert reply["error_message"], reply
            assert reply["original_value"] == ""  # nothing invented
            assert reply["scores"] == []
            assert len(reply["metadata"]["attempts"]) == 2  # one try + max_retries=1
        # Retries are bounded: at most 1 + max_retries requests per item.
        assert mock.stats()["max_per_item"] <= 2


def test_retry_after_is_honoured(mock_factory):
    mock = mock_factory("--behavior", "echo", "--fault", "429:0.5", "--retry-after", "1", "--seed", "3")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(8)], limits={"max_in_flight": 8, "max_retries": 4})
        e = start(s, o)
        wait_status(s, e["id"], {"succeeded"})
        gaps = 0
        for r in all_results(s, e["id"]):
            reply = [m for m in r["messages"] if m["role"] == "assistant"][0]
            tries = reply["metadata"]["attempts"]
            for a, b in zip(tries, tries[1:]):
                if "retry_after_ms" in a:
                    t0 = datetime.fromisoformat(a["at"].replace("Z", "+00:00"))
                    t1 = datetime.fromisoformat(b["at"].replace("Z", "+00:00"))
                    # The next attempt's answer comes at least Retry-After after the 429.
                    assert (t1 - t0).total_seconds() >= a["retry_after_ms"] / 1000 - 0.002
                    gaps += 1
        assert gaps > 0


def test_a_budget_cut_ends_incomplete(mock_factory):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "20")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(200)], budget={"max_requests": 25},
                      limits={"max_in_flight": 4, "max_retries": 0})
        e = start(s, o)
        done = wait_status(s, e["id"], {"incomplete"})
        assert "max_requests" in done["error"]
        assert 25 <= done["counts"]["sent"] <= 25 + 4
        assert mock.stats()["requests"] == done["counts"]["sent"]


def test_cancel_stops_new_sends(mock_factory):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "50")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(500)], limits={"max_in_flight": 4})
        e = start(s, o)
        time.sleep(0.5)
        r = s.request("POST", f"/api/v1/executions/{e['id']}/cancel")
        assert r.status == 202
        done = wait_status(s, e["id"], {"cancelled"})
        sent = done["counts"]["sent"]
        assert 0 < sent < 500
        time.sleep(0.3)
        assert mock.stats()["requests"] == sent  # nothing more went out
        audit = s.request("GET", "/api/v1/audit?object_id=" + e["id"]).json()["items"]
        assert {"execution.start", "execution.cancel"} <= {a["action"] for a in audit}


def test_items_held_past_their_lease_are_sent_once(mock_factory):
    # One send at a time, 25 ms each: 300 items take ~8 s, far past a 1 s lease, so the
    # second claim gets back items this server still holds in its queue. It renews their
    # lease and must not queue them twice.
    mock = mock_factory("--behavior", "echo", "--latency-ms", "25")
    with Server("--target-allow", "loopback", "--claim-lease", "1s") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(300)], limits={"max_in_flight": 1})
        e = start(s, o)
        done = wait_status(s, e["id"], {"succeeded", "failed", "incomplete"}, timeout=300)
        assert done["status"] == "succeeded", done
        assert done["counts"]["sent"] == 300 and done["counts"]["errors"] == 0
        st = mock.stats()
        assert st["requests"] == 300 and st["max_per_item"] == 1, st
        assert [e for e in s.events() if e.get("level") in ("warn", "error")] == []


def test_a_slow_target_holds_few_claimed_items(mock_factory):
    # The queue a job claims ahead follows its send rate (~200 ms of sends, at least half a
    # claim batch of 256; claims of half that, at least 256): ~100 sends/s must never hold
    # the dataset's 1,000 items, whose leases only the next claim renews. Read from the
    # store file itself, read-only.
    import sqlite3
    mock = mock_factory("--behavior", "echo", "--latency-ms", "20")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(1000)], limits={"max_in_flight": 2})
        e = start(s, o)
        db = sqlite3.connect(f"file:{os.path.join(s.home, 'redcell.db')}?mode=ro", uri=True)
        held, deadline = [], time.monotonic() + 6
        while time.monotonic() < deadline:
            held.append(db.execute("SELECT count(*) FROM work_items WHERE execution_id = ? AND "
                                   "status = 'claimed'", (store_id(e["id"]),)).fetchone()[0])
            time.sleep(0.05)
        db.close()
        # Held = queued (< 128 when a claim starts) + a claim of 256 + 2 in flight.
        assert 0 < max(held) <= 128 + 256 + 2, held
        r = s.request("POST", f"/api/v1/executions/{e['id']}/cancel")
        assert r.status == 202, r.data
        wait_status(s, e["id"], {"cancelled"})


def test_sigterm_drains_then_resume_finishes_exactly_once(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "30")
    home = str(tmp_path)
    s = Server("--target-allow", "loopback", home=home)
    o = setup_run(s, mock.url, [f"p{i}" for i in range(300)], limits={"max_in_flight": 8})
    e = start(s, o)
    time.sleep(0.6)
    assert s.stop(signal.SIGTERM) == 0
    with Server("--target-allow", "loopback", home=home) as s2:
        mid = s2.request("GET", f"/api/v1/executions/{e['id']}").json()
        assert mid["status"] == "interrupted" and 0 < mid["counts"]["sent"] < 300
        r = s2.request("POST", f"/api/v1/executions/{e['id']}/resume")
        assert r.status == 202, r.data
        done = wait_status(s2, e["id"], {"succeeded"})
        assert done["counts"]["sent"] == 300
        results = all_results(s2, e["id"])
        assert len(results) == 300 and len({r["work_item_id"] for r in results}) == 300
        assert mock.stats()["max_per_item"] == 1  # a drain loses nothing it sent
        again = s2.request("POST", f"/api/v1/executions/{e['id']}/resume")
        assert_error_shape(again, 409, "conflict")


def test_sigkill_restart_resumes_without_duplicates(mock_factory, tmp_path):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "20")
    home = str(tmp_path)
    in_flight = 8
    s = Server("--target-allow", "loopback", home=home)
    o = setup_run(s, mock.url, [f"p{i}" for i in range(400)], limits={"max_in_flight": in_flight})
    e = start(s, o)
    rounds = int(os.environ.get("REDCELL_KILL_ROUNDS", "10"))
    for _ in range(rounds):
        time.sleep(0.15)
        s.stop(signal.SIGKILL)
        s.tmp.cleanup()
        s = Server("--target-allow", "loopback", home=home)
    done = wait_status(s, e["id"], {"succeeded"})
    results = all_results(s, e["id"])
    assert len(results) == 400 and len({r["work_item_id"] for r in results}) == 400
    for r in results:
        assert sum(1 for m in r["messages"] if m["role"] == "assistant") == 1
    assert done["counts"]["sent"] == 400
    # An item is re-sent only when a kill caught it in flight: never more than once per kill.
    assert mock.stats()["max_per_item"] <= 1 + rounds
    s.stop()
    s.tmp.cleanup()


def thread_nices(pid):
    """Nice value per thread name of process pid, from /proc (field 19 of a task's stat)."""
    out = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/comm") as f:
            name = f.read().strip()
        with open(f"/proc/{pid}/task/{task}/stat") as f:
            out[name] = int(f.read().rsplit(")", 1)[1].split()[16])
    return out


def test_the_engine_runs_below_the_store_writer_and_the_api(mock_factory):
    mock = mock_factory("--behavior", "decode")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    if base > 12:
        pytest.skip(f"the tests run at nice {base}: +7 would run into the cap of 19")
    with Server("--target-allow", "loopback", "--engine-nice", "7") as s:
        o = setup_run(s, mock.url, [f"say thing {i}" for i in range(10)])
        assert wait_status(s, start(s, o)["id"], {"succeeded", "failed"})["status"] == "succeeded"
        nices = thread_nices(s.proc.pid)
        engine = {n: v for n, v in nices.items() if n.startswith(("engine-", "http-client-"))}
        rest = {n: v for n, v in nices.items() if n.startswith(("store-writer", "http-loop-", "blocking-"))}
        assert len(engine) >= 3 and len(rest) >= 3, nices
        assert set(engine.values()) == {base + 7}, nices
        assert set(rest.values()) == {base}, nices
    with Server("--target-allow", "loopback", "--engine-nice", "0") as s:
        assert set(thread_nices(s.proc.pid).values()) == {base}
    for bad in ("20", "-3", "high"):
        out = run_cli("serve", "--listen", "127.0.0.1:0", "--engine-nice", bad)
        assert out.returncode == 2 and "--engine-nice: expected an integer from 0 to 19" in out.stderr, out.stderr


def test_other_users_never_see_an_execution(mock_factory):
    from test_jwt import AUD, ISS, SECRET, claims, hs256
    mock = mock_factory("--behavior", "echo")
    alice = {"Authorization": "Bearer " + hs256(claims(sub="alice-x"))}
    bob = {"Authorization": "Bearer " + hs256(claims(sub="bob-x"))}
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        open(d + "/secret", "w").write(SECRET)
        with Server("--auth", "jwt", "--jwt-issuer", ISS, "--jwt-audience", AUD,
                    "--jwt-hs256-secret-file", d + "/secret", "--target-allow", "loopback") as s:
            def req(method, path, who, body=None):
                return s.request(method, path, json_body=body, headers=who)
            t = req("POST", "/api/v1/targets", alice, {"name": "m", "type": "openai_chat", "endpoint": mock.url, "model": "m"}).json()
            ds = req("POST", "/api/v1/datasets", alice, {"name": "d", "prompts": ["x", "y"]}).json()
            o = req("POST", "/api/v1/orchestrators", alice, {"name": "o", "type": "prompt_sending",
                                                             "target_id": t["id"], "dataset_id": ds["id"]}).json()
            e = req("POST", f"/api/v1/orchestrators/{o['id']}/executions", alice, {}).json()
            missing = req("GET", "/api/v1/executions/01900000-0000-7000-8000-000000000000", bob)
            for path in [f"/api/v1/executions/{e['id']}", f"/api/v1/executions/{e['id']}/results",
                         f"/api/v1/executions/{e['id']}/events"]:
                r = req("GET", path, bob)
                assert r.status == 404 and r.data == missing.data
            assert req("POST", f"/api/v1/orchestrators/{o['id']}/executions", bob, {}).status == 404
            assert req("POST", f"/api/v1/executions/{e['id']}/cancel", bob).status == 404
            assert req("POST", f"/api/v1/executions/{e['id']}/pause", bob).status == 404
            assert req("POST", f"/api/v1/executions/{e['id']}/resume", bob).status == 404
            assert req("GET", "/api/v1/executions", bob).json()["items"] == []


def test_pause_ends_interrupted_and_resume_sends_each_item_once(mock_factory):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "100")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(30)],
                      limits={"max_in_flight": 2, "max_retries": 0})
        e = start(s, o)
        deadline = time.monotonic() + 30
        while mock.stats()["requests"] < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        r = s.request("POST", f"/api/v1/executions/{e['id']}/pause")
        assert r.status == 202, r.data
        paused = wait_status(s, e["id"], {"interrupted"})
        assert paused["counts"]["sent"] < 30 and paused["error"] == "paused by the user"
        assert mock.stats()["requests"] == paused["counts"]["sent"]
        # Pausing what is not running is a conflict, except an already paused one.
        assert s.request("POST", f"/api/v1/executions/{e['id']}/pause").status == 202
        r = s.request("POST", f"/api/v1/executions/{e['id']}/resume")
        assert r.status == 202, r.data
        done = wait_status(s, e["id"], {"succeeded"})
        assert done["counts"]["sent"] == 30 and mock.stats()["requests"] == 30
        again = s.request("POST", f"/api/v1/executions/{e['id']}/pause")
        assert again.status == 409 and "succeeded" in again.json()["error"]["message"]


def test_tokens_per_minute_pauses_sends_once_the_minute_is_used(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with Server("--target-allow", "loopback") as s:
        # ~100-character prompts echoed back: about 50 tokens per answer by the mock's count.
        prompts = [f"prompt {i:03d} " + "x" * 90 for i in range(30)]
        o = setup_run(s, mock.url, prompts,
                      limits={"max_in_flight": 1, "max_retries": 0, "tokens_per_minute": 120})
        e = start(s, o)
        time.sleep(3)
        mid = s.request("GET", f"/api/v1/executions/{e['id']}").json()
        # Three answers (~150 tokens) use the minute; nothing more is sent within it.
        assert mid["status"] == "running" and 3 <= mid["counts"]["sent"] <= 4, mid["counts"]
        assert mock.stats()["requests"] == mid["counts"]["sent"]
        r = s.request("POST", f"/api/v1/executions/{e['id']}/cancel")
        assert r.status == 202
        done = wait_status(s, e["id"], {"cancelled"})
        assert done["counts"]["sent"] == mid["counts"]["sent"]


def test_a_targets_limits_hold_across_executions(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with Server("--target-allow", "loopback") as s:
        t = s.request("POST", "/api/v1/targets", json_body={
            "name": "shared", "type": "openai_chat", "endpoint": mock.url, "model": "m",
            "limits": {"max_in_flight": 4, "requests_per_minute": 600, "max_retries": 0}}).json()
        runs = []
        for name in ("first", "second"):
            d = s.request("POST", "/api/v1/datasets", json_body={
                "name": name, "prompts": [f"{name} {i}" for i in range(10)]}).json()
            o = s.request("POST", "/api/v1/orchestrators", json_body={
                "name": name, "type": "prompt_sending", "target_id": t["id"], "dataset_id": d["id"]}).json()
            runs.append(o["id"])
        started = [start(s, o)["id"] for o in runs]
        answers = []
        for e in started:
            assert wait_status(s, e, {"succeeded"})["counts"]["sent"] == 10
            for r in all_results(s, e):
                reply = [m for m in r["messages"] if m["role"] == "assistant"][0]
                answers += [datetime.fromisoformat(a["at"].replace("Z", "+00:00")) for a in reply["metadata"]["attempts"]]
        answers.sort()
        # 600/minute is one send per 100 ms for the target, whichever execution sends:
        # 20 sends span at least 19 intervals (each execution alone would take half).
        span = (answers[-1] - answers[0]).total_seconds()
        assert len(answers) == 20 and span >= 1.8, span
