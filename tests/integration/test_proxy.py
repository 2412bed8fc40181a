"""Outgoing proxies: HTTPS_PROXY tunnels https targets with CONNECT (TLS end to end, the
proxy is told the address the allow-list accepted), HTTP_PROXY forwards http targets,
NO_PROXY sends a target direct, proxy credentials go as Proxy-Authorization and never into
the log. A small proxy and a TLS server with a test CA run in this process, on loopback."""
import base64
import http.server
import json
import select
import socket
import ssl
import subprocess
import threading

import pytest

from redcell_harness import Server
from test_engine import mock_factory  # noqa: F401

PASSWORD = "proxy-pw-planted-7731"


class Proxy:
    """CONNECT tunnels and absolute-form forwarding; records what it was asked."""

    def __init__(self, refuse_connect=False):
        self.seen = []  # (method, target, Proxy-Authorization)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_CONNECT(self):
                outer.seen.append(("CONNECT", self.path, self.headers.get("Proxy-Authorization")))
                if refuse_connect:
                    self.send_response(403, "Forbidden by policy")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                host, port = self.path.rsplit(":", 1)
                upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                pipe(self.connection, upstream)
                self.close_connection = True

            def do_POST(self):
                outer.seen.append(("POST", self.path, self.headers.get("Proxy-Authorization")))
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                assert self.path.startswith("http://")
                hostport, path = self.path[len("http://"):].split("/", 1)
                host, port = hostport.rsplit(":", 1)
                import http.client
                c = http.client.HTTPConnection(host, int(port), timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-authorization"}
                c.request("POST", "/" + path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                self.send_response(r.status)
                self.send_header("Content-Type", r.getheader("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, creds=True):
        return f"http://alice:{PASSWORD}@127.0.0.1:{self.port}" if creds else f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pipe(a, b):
    socks = [a, b]
    try:
        while True:
            ready, _, _ = select.select(socks, [], [], 15)
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return
    finally:
        b.close()


@pytest.fixture(scope="module")
def tls_llm(tmp_path_factory):
    """An OpenAI-compatible https endpoint on 127.0.0.1 with a certificate from a test CA."""
    d = tmp_path_factory.mktemp("tls")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=d)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=redcell test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            text = "Sure, over TLS: " + body["messages"][-1]["content"]
            out = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}],
                              "usage": {"prompt_tokens": 3, "completion_tokens": 4}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "srv.pem", d / "srv.key")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"https://127.0.0.1:{server.server_address[1]}/v1", "port": server.server_address[1],
           "ca": str(d / "ca.pem")}
    server.shutdown()


def probe(s, endpoint):
    t = s.request("POST", "/api/v1/targets", json_body={
        "name": "t", "type": "openai_chat", "endpoint": endpoint, "model": "m", "limits": {"max_retries": 0}})
    assert t.status == 201, t.data
    return s.request("POST", f"/api/v1/targets/{t.json()['id']}/test", json_body={"prompt": "hello"}).json()


def test_https_targets_tunnel_through_the_proxy_and_http_targets_are_forwarded(tls_llm, mock_factory):
    proxy = Proxy()
    mock = mock_factory("--behavior", "echo")
    try:
        env = {"HTTPS_PROXY": proxy.url(), "http_proxy": proxy.url(), "SSL_CERT_FILE": tls_llm["ca"]}
        with Server("--target-allow", "loopback", env=env) as s:
            started = s.wait_for("starting")
            assert "https via http://alice:***@127.0.0.1" in started["proxy"]

            r = probe(s, tls_llm["url"])
            assert r["ok"] is True, r
            assert r["reply"] == "Sure, over TLS: hello"
            basic = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
            # The proxy is told the address the allow-list accepted, not a name to resolve.
            assert ("CONNECT", f"127.0.0.1:{tls_llm['port']}", basic) in proxy.seen

            r = probe(s, mock.url)
            assert r["ok"] is True, r
            assert ("POST", f"http://127.0.0.1:{mock.port}/v1/chat/completions", basic) in proxy.seen
            assert PASSWORD not in s.log_text()
    finally:
        proxy.close()


def test_no_proxy_goes_direct_and_a_refused_tunnel_is_a_clear_failure(tls_llm):
    proxy = Proxy(refuse_connect=True)
    try:
        env = {"HTTPS_PROXY": proxy.url(creds=False), "SSL_CERT_FILE": tls_llm["ca"]}
        with Server("--target-allow", "loopback", env=env) as s:
            r = probe(s, tls_llm["url"])
            assert r["ok"] is False
            assert "refused CONNECT" in r["error"] and "403" in r["error"], r
        seen = len(proxy.seen)
        with Server("--target-allow", "loopback", env=dict(env, NO_PROXY="localhost,127.0.0.0/8")) as s:
            r = probe(s, tls_llm["url"])
            assert r["ok"] is True, r
        assert len(proxy.seen) == seen, "NO_PROXY: the proxy was not asked"
    finally:
        proxy.close()


def test_the_allow_list_still_applies_behind_a_proxy(tls_llm):
    proxy = Proxy()
    try:
        env = {"HTTPS_PROXY": proxy.url(), "SSL_CERT_FILE": tls_llm["ca"]}
        # Without --target-allow loopback: "127.1" is a name to the URL check, which the
        # resolver turns into 127.0.0.1 at connect time, where it is refused before the proxy
        # is asked anything.
        with Server(env=env) as s:
            t = s.request("POST", "/api/v1/targets", json_body={
                "name": "t", "type": "openai_chat", "endpoint": f"https://127.1:{tls_llm['port']}/v1",
                "model": "m"})
            assert t.status == 201, t.data
            r = s.request("POST", f"/api/v1/targets/{t.json()['id']}/test", json_body={}).json()
            assert r["ok"] is False and "loopback" in r["error"], r
        assert proxy.seen == []
    finally:
        proxy.close()


def test_a_malformed_proxy_variable_stops_the_server_with_its_name():
    s = Server(env={"HTTPS_PROXY": "https://proxy.example:443"}, wait=False)
    assert s.proc.wait(timeout=30) == 2
    s.reader.join(timeout=10)
    text = "\n".join(s.lines)
    assert "HTTPS_PROXY" in text and "http://" in text, text
