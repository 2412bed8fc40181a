"""An execution's server-sent events through the real binaries: every finished work item is
one event, numbered 1..N in finishing order; a client reconnecting with Last-Event-ID gets
exactly the rest; the stream ends with `finished`; the result filters a red-teamer slices
by (chain, harm category, label, achieved, error)."""
import json
import signal
import time

from redcell_harness import Server, assert_error_shape
from test_engine import mock_factory, setup_run, start, wait_status, all_results  # noqa: F401


def read_events(resp, stop_after=None):
    """Parses a text/event-stream body into [{"id", "event", "data"}] until it ends, or
    until `stop_after` item events have been read."""
    events, current, items = [], {}, 0
    while True:
        line = resp.readline()
        if not line:
            return events
        line = line.decode().rstrip("\n")
        if line == "":
            if "event" in current:
                current["data"] = json.loads(current["data"])
                events.append(current)
                if current["event"].startswith("item_"):
                    items += 1
                    if stop_after is not None and items >= stop_after:
                        return events
                if current["event"] == "finished":
                    # The body ends right after: the next read sees its end.
                    assert resp.readline() == b""
                    return events
            current = {}
        elif line.startswith(":"):
            continue
        else:
            key, _, value = line.partition(": ")
            current[key] = value


def open_stream(s, execution, last_event_id=None, timeout=60, query=""):
    conn = s.connection(timeout=timeout)
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    conn.request("GET", f"/api/v1/executions/{execution}/events{query}", headers=headers)
    resp = conn.getresponse()
    return conn, resp


def test_events_cover_every_item_once_in_order_and_end_with_finished(mock_factory):
    mock = mock_factory("--behavior", "decode", "--latency-ms", "15")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"question {i}" for i in range(60)],
                      limits={"max_in_flight": 4, "max_retries": 0})
        e = start(s, o)
        conn, resp = open_stream(s, e["id"])
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "text/event-stream"
        events = read_events(resp)
        conn.close()
        assert events[0]["event"] == "started" and events[0]["id"] == "0"
        assert events[0]["data"]["execution_id"] == e["id"]
        items = [ev for ev in events if ev["event"].startswith("item_")]
        assert [int(ev["id"]) for ev in items] == list(range(1, 61))
        assert len({ev["data"]["work_item_id"] for ev in items}) == 60
        assert all(ev["event"] == "item_done" and ev["data"]["error"] is None for ev in items)
        assert sum(ev["data"]["achieved"] is True for ev in items) == 0  # plain prompts are refused
        counters = [ev for ev in events if ev["event"] == "counters"]
        assert counters and counters[-1]["data"]["counts"]["sent"] == 60
        finished = events[-1]
        assert finished["event"] == "finished" and finished["data"]["status"] == "succeeded"
        final = s.request("GET", f"/api/v1/executions/{e['id']}").json()
        assert finished["data"]["counts"] == final["counts"]
        # The stream of a finished execution replays it all and ends at once.
        conn, resp = open_stream(s, e["id"])
        again = read_events(resp)
        conn.close()
        assert [ev["id"] for ev in again if ev["event"].startswith("item_")] == [str(i) for i in range(1, 61)]


def test_a_client_reconnecting_with_last_event_id_gets_exactly_the_rest(mock_factory):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "20")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(50)],
                      limits={"max_in_flight": 2, "max_retries": 0})
        e = start(s, o)
        conn, resp = open_stream(s, e["id"])
        first = read_events(resp, stop_after=10)
        conn.close()  # the client goes away mid-run
        seen = [int(ev["id"]) for ev in first if ev["event"].startswith("item_")]
        assert seen == list(range(1, 11))
        conn, resp = open_stream(s, e["id"], last_event_id=seen[-1])
        rest = read_events(resp)
        conn.close()
        assert rest[0]["event"] != "started"  # a resumed stream does not start over
        ids = [int(ev["id"]) for ev in rest if ev["event"].startswith("item_")]
        assert ids == list(range(11, 51))
        assert rest[-1]["event"] == "finished"
        # The server kept serving while clients came and went.
        assert s.request("GET", "/healthz").status == 200


def test_bad_last_event_id_and_unknown_execution_are_clear_errors(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, ["a"])
        e = start(s, o)
        wait_status(s, e["id"], {"succeeded"})
        r = s.request("GET", f"/api/v1/executions/{e['id']}/events", headers={"Last-Event-ID": "seven"})
        assert_error_shape(r, 400, "invalid_argument", "/headers/Last-Event-ID")
        assert "seven" in r.data.decode()
        r = s.request("GET", "/api/v1/executions/01900000-0000-7000-8000-000000000000/events")
        assert_error_shape(r, 404, "not_found")


def test_sigterm_ends_open_streams_and_the_server_exits(mock_factory):
    mock = mock_factory("--behavior", "echo", "--latency-ms", "200")
    with Server("--target-allow", "loopback", "--shutdown-timeout", "10") as s:
        o = setup_run(s, mock.url, [f"p{i}" for i in range(200)],
                      limits={"max_in_flight": 2, "max_retries": 0})
        e = start(s, o)
        conn, resp = open_stream(s, e["id"])
        first = read_events(resp, stop_after=1)
        assert first[0]["event"] == "started"
        began = time.monotonic()
        s.proc.send_signal(signal.SIGTERM)
        while resp.readline():  # the body ends (last chunk) instead of hanging
            pass
        conn.close()
        assert s.proc.wait(timeout=30) == 0
        assert time.monotonic() - began < 10


def test_results_filter_by_chain_harm_category_label_achieved_and_error(mock_factory):
    mock = mock_factory("--behavior", "decode", "--fault", "500:0.3")
    with Server("--target-allow", "loopback") as s:
        # A category that reads as a UUID is still matched as the text it is (the store
        # keeps UUID-shaped values as 16 bytes, the JSON array as text).
        tag = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"
        prompts = [{"value": f"weapons {i}", "harm_categories": ["violence", tag]} for i in range(10)]
        prompts += [{"value": f"fraud {i}", "harm_categories": ["fraud", "crime"]} for i in range(10)]
        o = setup_run(s, mock.url, prompts, converter_chains=[[], [{"type": "base64"}]],
                      limits={"max_in_flight": 4, "max_retries": 0})
        e = start(s, o, labels={"ticket": "RT-7", "team": "blue"})
        done = wait_status(s, e["id"], {"succeeded", "incomplete", "failed"})
        everything = all_results(s, e["id"])
        assert len(everything) == 40

        def ids(query):
            out, cursor = [], None
            while True:
                q = f"/api/v1/executions/{e['id']}/results?limit=7&{query}" + (f"&cursor={cursor}" if cursor else "")
                r = s.request("GET", q)
                assert r.status == 200, r.data
                out += r.json()["items"]
                cursor = r.json()["next_cursor"]
                if not cursor:
                    return {x["work_item_id"] for x in out}, out

        chain1, rows = ids("chain=1")
        assert len(chain1) == 20 and all(x["chain_index"] == 1 for x in rows)
        crime, rows = ids("harm_category=crime")
        assert len(crime) == 20
        assert all(x["messages"][0]["original_value"].startswith("fraud") for x in rows)
        achieved, rows = ids("achieved=true")
        assert len(achieved) == done["counts"]["achieved"] and all(x["achieved"] is True for x in rows)
        failed, rows = ids("error=true")
        assert len(failed) == done["counts"]["errors"] > 0 and all(x["status"] == "failed" for x in rows)
        both, _ = ids("chain=1&harm_category=violence")
        assert both == chain1 & ids("harm_category=violence")[0] and len(both) == 10
        assert ids(f"harm_category={tag}")[0] == ids("harm_category=violence")[0]
        assert ids("label=ticket:RT-7,team:blue")[0] == {x["work_item_id"] for x in everything}
        assert ids("label=ticket:RT-8")[0] == set()
        for bad, field in [("chain=x", "/query/chain"), ("achieved=yes", "/query/achieved"),
                           ("label=nocolon", "/query/label"), ("error=1", "/query/error")]:
            r = s.request("GET", f"/api/v1/executions/{e['id']}/results?{bad}")
            assert_error_shape(r, 400, "invalid_argument", field)


def test_the_orchestrator_pool_reports_hits_misses_and_reloads(mock_factory):
    mock = mock_factory("--behavior", "echo")
    with Server("--target-allow", "loopback") as s:
        o = setup_run(s, mock.url, ["a", "b"])

        def pool():
            return s.request("GET", "/api/v1/system").json()["engine"]["orchestrator_pool"]

        before = pool()
        assert before["size"] == 0 and before["capacity"] > 0
        for _ in range(3):
            wait_status(s, start(s, o)["id"], {"succeeded"})
        after = pool()
        # The first start builds the runtime; the others reuse it.
        assert after["misses"] == 1 and after["hits"] >= 2 and after["size"] == 1
        assert s.request("GET", "/api/v1/system").json()["engine"]["executions_active"] == 0
        metrics = s.request("GET", "/metrics").data.decode()
        for name, value in [("redcell_orchestrator_pool_misses_total", 1),
                            ("redcell_orchestrator_pool_size", 1)]:
            line = [l for l in metrics.splitlines() if l.startswith(name + " ")]
            assert line and float(line[0].split()[1]) == value, line
        assert "# TYPE redcell_orchestrator_pool_hits_total counter" in metrics
