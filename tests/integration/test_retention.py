"""The retention window through the real server: finished executions older than
--retention are purged with their conversations and scores, audited as execution.purge;
a running execution is never touched; a bad window is refused at start-up."""
import time

from redcell_harness import Server, run_cli
from test_engine import mock_factory, setup_run, start, wait_status  # noqa: F401


def test_old_finished_executions_are_purged_and_audited(mock_factory):
    fast = mock_factory("--behavior", "echo")
    slow = mock_factory("--behavior", "echo", "--latency-ms", "400")
    with Server("--target-allow", "loopback", "--retention", "3s") as s:
        done = start(s, setup_run(s, fast.url, ["a", "b", "c"]))
        finished = wait_status(s, done["id"], {"succeeded"})
        conversation = s.request("GET", f"/api/v1/executions/{done['id']}/results").json()["items"][0]["conversation_id"]
        # A long run that outlives the window: running executions are never purged.
        running = start(s, setup_run(s, slow.url, [f"p{i}" for i in range(40)],
                                     limits={"max_in_flight": 1, "max_retries": 0}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if s.request("GET", f"/api/v1/executions/{done['id']}").status == 404:
                break
            time.sleep(0.25)
        assert s.request("GET", f"/api/v1/executions/{done['id']}").status == 404
        assert s.request("GET", f"/api/v1/conversations/{conversation}").status == 404
        assert s.request("GET", f"/api/v1/executions/{running['id']}").json()["status"] == "running"
        audit = s.request("GET", "/api/v1/audit?action=execution.purge").json()["items"]
        assert [a["object_id"] for a in audit] == [done["id"]]
        assert audit[0]["details"]["reason"] == "retention"
        assert audit[0]["details"]["finished_at"] == finished["finished_at"]
        assert audit[0]["details"]["deleted_messages"] == 6
        s.wait_for("retention_purged", executions=1)
        s.request("POST", f"/api/v1/executions/{running['id']}/cancel")


def test_a_bad_retention_is_refused_at_start_up():
    r = run_cli("serve", "--listen", "127.0.0.1:0", "--retention", "3 weeks")
    assert r.returncode == 2
    assert "--retention" in r.stderr and "90d" in r.stderr
