"""Robustness found in review (Engine II), through the real binary: numbers in API JSON as
people write them, and a kept-alive pool whose connections the server dropped."""
import threading
import time

from redcell_harness import Server
from test_engine import mock_factory  # noqa: F401
from test_security import create_target, openai_target, probe, upstream_factory  # noqa: F401


def test_numbers_in_api_json_read_as_people_write_them():
    with Server() as s:
        r = s.request("POST", "/api/v1/targets", json_body={
            "name": "m", "type": "openai_chat", "endpoint": "https://llm.example/v1", "model": "x",
            "temperature": 0.5, "extra_body": {"top_p": 12.29, "big": 1e21}})
        assert r.status == 201, r.data
        text = r.data.decode()
        assert '"temperature":0.5' in text and '"top_p":12.29' in text, text
        assert "E-1" not in text and "E1" not in text, text
        assert '"big":1e+21' in text, text


def test_a_probe_after_the_server_dropped_every_idle_connection_gets_through(upstream_factory):
    up = upstream_factory(hold=True)
    with Server("--target-allow", "loopback") as s:
        t = create_target(s, openai_target(up.url))
        # Two probes at once leave two kept-alive connections in the target's pool.
        threads = [threading.Thread(target=probe, args=(s, t["id"])) for _ in range(2)]
        for th in threads:
            th.start()
        up.wait_for(2)
        up.release()
        for th in threads:
            th.join(30)
        up.drop_connections()
        time.sleep(0.2)  # lets the FINs arrive; nothing below is timed
        p = probe(s, t["id"])
        assert p["ok"] is True, p
        ports = [r["port"] for r in up.seen()]
        assert ports[2] not in ports[:2], "the probe must have used a new connection"


def test_sigterm_with_a_probe_still_waiting_exits_cleanly(upstream_factory):
    """A probe parked at a silent endpoint holds the server's reply in the HTTP client;
    shutting down must drop it while the server it answers to still exists (ASan checks)."""
    up = upstream_factory(hold=True)
    s = Server("--target-allow", "loopback", "--shutdown-timeout", "1")
    try:
        t = create_target(s, openai_target(up.url))
        answers = []

        def one():
            try:
                answers.append(s.request("POST", f"/api/v1/targets/{t['id']}/test", json_body={}).status)
            except (ConnectionError, OSError) as e:
                answers.append(type(e).__name__)
        th = threading.Thread(target=one)
        th.start()
        up.wait_for(1)
        assert s.stop() == 0, s.log_text()[-3000:]
        th.join(30)
        assert answers and answers[0] in (503, "RemoteDisconnected", "ConnectionResetError"), answers
    finally:
        s.close()


def test_a_damaged_snapshot_fails_its_execution_and_the_server_still_starts(upstream_factory, tmp_path):
    import signal
    import sqlite3
    from redcell_harness import store_id
    up = upstream_factory(hold=True)
    home = str(tmp_path)
    s = Server("--target-allow", "loopback", home=home)
    t = create_target(s, openai_target(up.url))
    d = s.request("POST", "/api/v1/datasets", json_body={"name": "d", "prompts": ["a", "b"]}).json()
    o = s.request("POST", "/api/v1/orchestrators", json_body={
        "name": "o", "type": "prompt_sending", "target_id": t["id"], "dataset_id": d["id"],
        "scorers": [{"type": "refusal"}]}).json()
    e = s.request("POST", f"/api/v1/orchestrators/{o['id']}/executions", json_body={}).json()
    up.wait_for(1)
    s.stop(signal.SIGKILL)
    s.tmp.cleanup()
    with sqlite3.connect(f"{home}/redcell.db") as db:  # as a damaged disk or a bad restore would
        db.execute("UPDATE executions SET snapshot = ? WHERE id = ?", ('{"definition": 7}', store_id(e["id"])))
    with Server("--target-allow", "loopback", home=home) as again:
        got = again.request("GET", f"/api/v1/executions/{e['id']}").json()
        assert got["status"] == "failed", got
        assert "snapshot cannot be read" in got["error"], got
        assert again.request("GET", "/readyz").status == 200


def test_cancel_and_sigterm_take_back_retries_waiting_out_a_long_retry_after(mock_factory, tmp_path):
    """Every answer is a 429 with Retry-After: 3600. Cancel and SIGTERM must not wait an hour
    (nor --shutdown-timeout) for the retries they make pointless."""
    import signal
    from test_engine import setup_run, start, wait_status
    mock = mock_factory("--behavior", "echo", "--fault", "429:1", "--retry-after", "3600")
    home = str(tmp_path)
    s = Server("--target-allow", "loopback", "--shutdown-timeout", "120", home=home)
    try:
        o = setup_run(s, mock.url, ["a", "b", "c"], limits={"max_in_flight": 8, "max_retries": 3})
        e = start(s, o)
        deadline = time.monotonic() + 20
        while mock.stats()["requests"] < 3:
            assert time.monotonic() < deadline, mock.stats()
            time.sleep(0.05)
        r = s.request("POST", f"/api/v1/executions/{e['id']}/cancel", json_body={})
        assert r.status in (200, 202), r.data
        done = wait_status(s, e["id"], {"cancelled"}, timeout=20)
        assert done["counts"]["sent"] == 0 and done["counts"]["errors"] == 0, done
        second = start(s, o)
        while mock.stats()["requests"] < 6:
            assert time.monotonic() < deadline + 20, mock.stats()
            time.sleep(0.05)
        # SIGTERM: the drain gives the waiting retries back at once instead of waiting 120 s.
        assert s.stop(signal.SIGTERM, timeout=20) == 0, s.log_text()[-3000:]
        assert "drain_timeout" not in s.log_text()
    finally:
        s.close()
    with Server("--target-allow", "loopback", home=home) as again:
        got = again.request("GET", f"/api/v1/executions/{second['id']}").json()
        assert got["status"] == "interrupted", got
    assert mock.stats()["requests"] == 6, "nothing was re-sent while waiting"
