"""The HTTP server skeleton through the real binary: health, metrics, request ids, the
error shapes of 400/404/405/413/415/421, keep-alive, and the graceful SIGTERM drain."""
import json
import re
import signal
import socket
import time

import pytest

from redcell_harness import Server, UUID_V7, assert_error_shape, run_cli

PREVIEW = "/api/v1/converters/preview"


@pytest.fixture(scope="module")
def server():
    with Server("--body-limit", "4096") as s:
        yield s


def test_healthz_answers_ok_with_a_generated_request_id(server):
    r = server.request("GET", "/healthz")
    assert r.status == 200
    assert r.json() == {"status": "ok"}
    assert re.match(UUID_V7, r.headers["x-request-id"])


def test_readyz_answers_ready(server):
    r = server.request("GET", "/readyz")
    assert r.status == 200
    assert r.json()["status"] == "ready"


def test_request_id_is_echoed_and_a_bad_one_replaced(server):
    r = server.request("GET", "/healthz", headers={"X-Request-Id": "ci-run-42.step:7"})
    assert r.headers["x-request-id"] == "ci-run-42.step:7"
    r = server.request("GET", "/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert re.match(UUID_V7, r.headers["x-request-id"])
    r = server.request("GET", "/healthz", headers={"X-Request-Id": "x" * 200})
    assert re.match(UUID_V7, r.headers["x-request-id"])


def test_access_log_has_one_json_line_per_request(server):
    server.request("GET", "/healthz", headers={"X-Request-Id": "access-log-probe"})
    e = server.wait_for("http_request", request_id="access-log-probe")
    assert e["method"] == "GET" and e["path"] == "/healthz" and e["route"] == "/healthz"
    assert e["status"] == 200 and isinstance(e["duration_us"], int)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["ts"])


def test_metrics_count_requests_per_route_with_latency_histograms(server):
    for _ in range(5):
        server.request("GET", "/api/v1/converters")
    server.request("GET", "/api/v1/no/such/route")
    server.request("GET", "/some/page")  # the web UI's fallback route
    # A request is counted once its answer is written: the client may read it a moment before.
    deadline = time.monotonic() + 5
    while True:
        r = server.request("GET", "/metrics")
        text = r.data.decode()
        if re.search(r'code="4xx",method="any",route="unmatched"\} [1-9]', text) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert r.status == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    m = re.search(r'redcell_http_requests_total\{code="2xx",method="GET",route="/api/v1/converters"\} (\d+)', text)
    assert m and int(m.group(1)) >= 5, text
    m = re.search(r'redcell_http_requests_total\{code="4xx",method="any",route="unmatched"\} (\d+)', text)
    assert m and int(m.group(1)) >= 1
    m = re.search(r'redcell_http_requests_total\{code="2xx",method="GET",route="/\*"\} (\d+)', text)
    assert m and int(m.group(1)) >= 1, text
    assert re.search(r'redcell_http_request_duration_seconds_bucket\{method="GET",route="/api/v1/converters",le="\+Inf"\} ([5-9]|\d\d+)', text)
    assert "redcell_http_requests_in_flight" in text


def test_unknown_route_is_404_in_the_error_shape(server):
    err = assert_error_shape(server.request("GET", "/api/v1/nothing-here"), 404, "not_found")
    assert "/api/v1/nothing-here" in err["message"]


def test_wrong_method_is_405_with_allow(server):
    r = server.request("DELETE", "/healthz")
    assert_error_shape(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET"


def test_malformed_json_is_400(server):
    for body in [b'{"text": "hi"', b"not json", b"", b'{"text": "\xff\xfe"}', b"[" * 100 + b"]" * 100]:
        r = server.request("POST", PREVIEW, body=body, headers={"Content-Type": "application/json"})
        assert_error_shape(r, 400, "bad_request", field="")


def test_wrong_types_name_the_field(server):
    r = server.request("POST", PREVIEW, json_body={"text": 5, "converters": []})
    err = assert_error_shape(r, 400, "invalid_argument", field="/text")
    assert err["details"]["value"] == 5
    r = server.request("POST", PREVIEW, json_body={"text": "x", "converters": [{"type": "nope"}]})
    err = assert_error_shape(r, 400, "invalid_argument", field="/converters/0/type")
    assert "base64" in err["details"]["expected"]
    r = server.request("POST", PREVIEW, json_body={"text": "x", "converters": [], "id": "x"})
    assert_error_shape(r, 400, "invalid_argument", field="/id")


def test_preview_runs_the_chain(server):
    r = server.request("POST", PREVIEW, json_body={"text": "hello", "converters": [{"type": "rot13"}, {"type": "base64", "params": {}}]})
    assert r.status == 200
    assert r.json() == {"output": "dXJ5eWI=", "seed": 0,
                        "steps": [{"type": "rot13", "output": "uryyb"}, {"type": "base64", "output": "dXJ5eWI="}]}


def test_wrong_content_type_is_415(server):
    r = server.request("POST", PREVIEW, body='{"text":"x","converters":[]}', headers={"Content-Type": "text/plain"})
    assert_error_shape(r, 415, "unsupported_media_type", field="/headers/content-type")
    r = server.request("POST", PREVIEW, body='{"text":"x","converters":[]}')
    assert_error_shape(r, 415, "unsupported_media_type")
    r = server.request("POST", PREVIEW, body='{"text":"x","converters":[]}', headers={"Content-Type": "application/json; charset=UTF-8"})
    assert r.status == 200


def test_oversized_body_is_413_and_the_server_keeps_serving(server):
    big = json.dumps({"text": "a" * 5000, "converters": []})
    r = server.request("POST", PREVIEW, body=big, headers={"Content-Type": "application/json"})
    assert_error_shape(r, 413, "payload_too_large")
    # Chunked, so the size is only known while reading.
    chunk = b"a" * 3000
    payload = (b"POST " + PREVIEW.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
    out = server.raw(payload)
    assert out.startswith(b"HTTP/1.1 413"), out[:200]
    assert b'"payload_too_large"' in out
    assert server.request("GET", "/healthz").status == 200


def test_host_allow_list_stops_dns_rebinding(server):
    r = server.request("GET", "/healthz", headers={"Host": "attacker.example:%d" % server.port})
    assert_error_shape(r, 421, "host_not_allowed", field="/headers/host")
    for host in ["localhost:%d" % server.port, "127.0.0.1:%d" % server.port, "LOCALHOST"]:
        assert server.request("GET", "/healthz", headers={"Host": host}).status == 200, host


def test_allowed_hosts_option_extends_the_list():
    with Server("--allowed-hosts", "redcell.test") as s:
        assert s.request("GET", "/healthz", headers={"Host": "redcell.test"}).status == 200
        assert s.request("GET", "/healthz", headers={"Host": "other.test"}).status == 421


def test_missing_host_and_garbage_are_400_and_the_server_survives(server):
    out = server.raw(b"GET /healthz HTTP/1.1\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400"), out
    assert b'"field":"/headers/host"' in out
    out = server.raw(b"\x16\x03\x01\x02\x00garbage-that-is-not-http\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400"), out
    out = server.raw(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 431"), out[:100]
    assert server.request("GET", "/healthz").status == 200


def test_keep_alive_serves_many_requests_on_one_connection(server):
    conn = server.connection()
    for i in range(50):
        conn.request("GET", "/healthz", headers={"X-Request-Id": f"ka-{i}"})
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("X-Request-Id") == f"ka-{i}"
        r.read()
    conn.close()


def parse_responses(data: bytes):
    """Splits raw bytes into (status line, {field: value}, body) by Content-Length."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("ascii").split("\r\n")
        fields = dict(l.split(": ", 1) for l in lines[1:])
        n = int(fields["Content-Length"])
        out.append((lines[0], fields, rest[:n]))
        data = rest[n:]
    return out


def test_response_heads_follow_http_1_0_and_1_1_connection_rules(server):
    # HTTP/1.0 without keep-alive: answered in 1.0, then closed.
    (line, fields, body), = parse_responses(server.raw(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n"))
    assert line == "HTTP/1.0 200 OK" and "Connection" not in fields and json.loads(body) == {"status": "ok"}
    # HTTP/1.0 asking for keep-alive, then HTTP/1.1 asking to close: two answers on one connection.
    answers = parse_responses(server.raw(
        b"GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\nX-Request-Id: one\r\n\r\n"
        b"GET /api/nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Request-Id: two\r\n\r\n"))
    assert [a[0] for a in answers] == ["HTTP/1.0 200 OK", "HTTP/1.1 404 Not Found"]
    assert answers[0][1]["Connection"] == "keep-alive" and answers[1][1]["Connection"] == "close"
    assert [a[1]["X-Request-Id"] for a in answers] == ["one", "two"]
    assert all(a[1]["Cache-Control"] == "no-store" for a in answers)
    assert json.loads(answers[1][2])["error"]["code"] == "not_found"
    # Pipelined HTTP/1.1 requests are answered in order, each head carrying its own fields.
    answers = parse_responses(server.raw(
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
        b"DELETE /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
    assert [a[0] for a in answers] == ["HTTP/1.1 200 OK", "HTTP/1.1 405 Method Not Allowed"]
    assert answers[1][1]["Allow"] == "GET" and answers[1][1]["Content-Type"] == "application/json"


def test_local_auth_is_refused_on_a_non_loopback_address():
    s = Server("--listen", "0.0.0.0:0", wait=False)
    rc = s.proc.wait(timeout=30)
    s.reader.join(timeout=5)
    assert rc == 2
    assert "--auth local is refused" in s.log_text()
    s.tmp.cleanup()


def test_sigterm_drains_an_in_flight_request_before_exit():
    s = Server("--shutdown-timeout", "20")
    body = json.dumps({"text": "drain me", "converters": [{"type": "base64"}]}).encode()
    slow = socket.create_connection(("127.0.0.1", s.port), timeout=20)
    slow.sendall(b"POST " + PREVIEW.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
    idle = socket.create_connection(("127.0.0.1", s.port), timeout=20)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert idle.recv(4096).startswith(b"HTTP/1.1 200")
    time.sleep(0.3)  # let the server read the slow request's header
    s.proc.send_signal(signal.SIGTERM)
    s.wait_for("shutdown_started")
    # The idle keep-alive connection is closed; no new connection is accepted.
    assert idle.recv(4096) == b""
    with pytest.raises(OSError):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=2)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        if not c.recv(100):
            raise ConnectionRefusedError("closed")
    assert s.proc.poll() is None, "exited while a request was in flight"
    slow.sendall(body[5:])
    out = b""
    while True:
        chunk = slow.recv(65536)
        if not chunk:
            break
        out += chunk
    assert out.startswith(b"HTTP/1.1 200"), out
    assert b"Connection: close" in out
    assert b'"output":"' in out
    assert s.proc.wait(timeout=20) == 0
    s.reader.join(timeout=5)
    assert any(e["event"] == "shutdown_finished" for e in s.events())
    s.tmp.cleanup()


def test_planted_secrets_never_reach_the_logs(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("planted-file-secret-7f3a9-long-enough-for-a-key\n")
    with Server(env={"REDCELL_SECRET_KEY_FILE": str(secret_file)}) as s:
        s.request("GET", "/healthz", headers={"Authorization": "Bearer planted-token-91c2e", "X-API-Key": "rc_planted-key-5d1b"})
        s.request("POST", PREVIEW, json_body={"text": "x", "converters": [{"type": "planted-type"}]},
                  headers={"Authorization": "Bearer planted-token-91c2e"})
        s.request("GET", "/healthz?api_key=planted-query-8e2f")
        s.stop()
        text = s.log_text()
    assert "http_request" in text
    for planted in ["planted-file-secret-7f3a9-long-enough-for-a-key", "planted-token-91c2e", "rc_planted-key-5d1b", "planted-query-8e2f"]:
        assert planted not in text, planted
    with Server("--secret-key", "planted-flag-secret-3c4d-long-enough-for-a-key") as s:
        s.stop()
        assert "planted-flag-secret-3c4d-long-enough-for-a-key" not in s.log_text()
    out = run_cli("doctor", "--json", env={"REDCELL_SECRET_KEY": "planted-env-secret-6b7c-long-enough-for-a-key"}, home=str(tmp_path))
    assert "planted-env-secret-6b7c-long-enough-for-a-key" not in out.stdout + out.stderr


def test_idle_and_slow_loris_connections_are_closed():
    with Server("--idle-timeout", "1") as s:
        idle = socket.create_connection(("127.0.0.1", s.port), timeout=15)
        loris = socket.create_connection(("127.0.0.1", s.port), timeout=15)
        loris.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert idle.recv(100) == b""  # closed by the server, not by the 15 s socket timeout
        assert loris.recv(100) == b""
        assert s.request("GET", "/healthz").status == 200
