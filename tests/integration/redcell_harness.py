"""Starts the real redcell binary for integration tests and talks to it over loopback.

Every server gets its own REDCELL_HOME in a temp dir and a free port (--listen :0); the
harness reads the JSON log lines from stderr, so tests can wait for events and grep logs.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import jsonschema

BIN = os.environ.get("REDCELL_BIN", os.path.join(os.path.dirname(__file__), "../../build-asan/redcell"))
UUID_V7 = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class Server:
    def __init__(self, *args, env=None, home=None, wait=True, preexec_fn=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="redcell-it-")
        self.home = home or self.tmp.name
        # Outgoing proxies come only from a test's own env (the tests' targets are on loopback).
        proxies = {"http_proxy", "https_proxy", "no_proxy"}
        self.env = {k: v for k, v in os.environ.items()
                    if (not k.startswith("REDCELL_") or k == "REDCELL_BIN") and k.lower() not in proxies}
        self.env["REDCELL_HOME"] = self.home
        self.env.update(env or {})
        listen = [] if any(str(a).startswith("--listen") for a in args) else ["--listen", "127.0.0.1:0"]
        self.proc = subprocess.Popen([BIN, "serve", *listen, *map(str, args)], env=self.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8", errors="strict", preexec_fn=preexec_fn)
        self.lines = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.url = None
        if wait:
            event = self.wait_for("listening", timeout=30)
            self.url = event["url"]
            self.port = int(self.url.rsplit(":", 1)[1])

    def _read(self):
        for line in self.proc.stderr:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def events(self):
        out = []
        with self.cond:
            for line in self.lines:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def log_text(self):
        with self.cond:
            return "\n".join(self.lines)

    def wait_for(self, event, timeout=30, **match):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if e.get("event") == event and all(e.get(k) == v for k, v in match.items()):
                        return e
                if self.proc.poll() is not None and not self.reader.is_alive():
                    raise AssertionError(f"redcell exited ({self.proc.returncode}) before '{event}':\n" + "\n".join(self.lines))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no '{event}' event within {timeout}s:\n" + "\n".join(self.lines))
                self.cond.wait(min(left, 0.2))

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, json_body=None):
        conn = self.connection()
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        out = Response(resp.status, resp.getheaders(), data)
        self.openapi().check(method, path, out, json_body)
        return out

    def openapi(self):
        """The server's own OpenAPI document, read once; every answer `request` gets is
        validated against it."""
        if getattr(self, "_openapi", None) is None:
            conn = self.connection()
            conn.request("GET", "/api/v1/openapi.json")
            r = conn.getresponse()
            doc = json.loads(r.read())
            conn.close()
            assert r.status == 200, doc
            self._openapi = OpenApi(doc)
        return self._openapi

    def raw(self, payload: bytes, timeout=10):
        """Sends raw bytes and returns everything the server sends back until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(payload)
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
            return b"".join(chunks)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self.reader.join(timeout=5)
        return rc

    def close(self):
        if self.proc.poll() is None:
            self.stop()
        self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        rc = self.stop() if self.proc.poll() is None else self.proc.returncode
        self.tmp.cleanup()
        # A sanitizer report makes the process exit non-zero: never let that pass silently.
        assert rc == 0, f"redcell exited with {rc}:\n" + self.log_text()[-4000:]


class OpenApi:
    """Checks answers against an OpenAPI 3.1 document: a 2xx against its route's success
    schema, anything else against the error shape."""

    def __init__(self, doc):
        self.doc = doc
        self.routes = []
        for pattern, item in doc["paths"].items():
            rx = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(pattern)) + "$")
            literal = pattern.count("{")
            for method, op in item.items():
                self.routes.append((method.upper(), rx, literal, op))
        # Literal segments win over parameters, as in the server's router.
        self.routes.sort(key=lambda r: r[2])
        self.resolver = jsonschema.RefResolver.from_schema(doc)

    def validate(self, instance, schema, where):
        try:
            jsonschema.Draft202012Validator(schema, resolver=self.resolver).validate(instance)
        except jsonschema.ValidationError as e:
            raise AssertionError(f"{where}: the answer does not match the OpenAPI document: "
                                 f"{e.message} at {list(e.absolute_path)}") from None

    def check(self, method, path, resp, json_body=None):
        path = path.split("?", 1)[0]
        op = next((op for m, rx, _, op in self.routes if m == method and rx.match(path)), None)
        where = f"{method} {path} -> {resp.status}"
        ctype = resp.headers.get("content-type", "")
        if op is None and not path.startswith("/api/") and 200 <= resp.status < 400:
            return  # the web UI's files and the sign-in's redirects (test_web_ui, test_sign_in)
        if op is None or not 200 <= resp.status < 300:
            assert ctype.startswith("application/json"), where
            self.validate(json.loads(resp.data), {"$ref": "#/components/schemas/Error"}, where)
            return
        assert not op.get("x-redcell-untyped"), f"{where}: the route has no response schema"
        # A body the server accepted must be one its document allows: the request schemas
        # never accept less than the handlers do.
        if json_body is not None and "requestBody" in op:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            self.validate(json_body, schema, where + " (request body)")
        content = op["responses"]["2XX"]["content"]
        media = next((m for m in content if ctype.startswith(m)), None)
        assert media, (where, ctype, list(content))
        if media == "application/json":
            self.validate(json.loads(resp.data), content[media]["schema"], where)


class Response:
    def __init__(self, status, headers, data):
        self.status = status
        pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
        self.headers = {k.lower(): v for k, v in pairs}  # a repeated header: its last value
        self.header_list = [(k.lower(), v) for k, v in pairs]
        self.data = data

    def all(self, name):
        """Every value of a header that may repeat (Set-Cookie)."""
        return [v for k, v in self.header_list if k == name.lower()]

    def json(self):
        return json.loads(self.data)


def assert_error_shape(resp, status, code, field=None):
    assert resp.status == status, (resp.status, resp.data)
    assert resp.headers["content-type"].startswith("application/json")
    doc = resp.json()
    assert set(doc) == {"error"}, doc
    err = doc["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert err["code"] == code, err
    assert isinstance(err["message"], str) and err["message"], err
    assert "Traceback" not in err["message"] and "std::" not in err["message"]
    if field is not None:
        assert err["details"]["field"] == field, err
        assert "expected" in err["details"], err
    return err


def store_id(text):
    """An id as the SQLite store holds it, to bind in a query on the file: 16 bytes."""
    return uuid.UUID(text).bytes


def id_text(value):
    """An id read from the SQLite store file, in the API's text form."""
    return str(uuid.UUID(bytes=value)) if isinstance(value, bytes) and len(value) == 16 else value


def run_cli(*args, env=None, home=None, timeout=60):
    """Runs the redcell binary. Without a home it gets an empty one of its own, so a command
    that falls back to the default store (a server refusing to start after opening it, say)
    never touches the real one of whoever runs the tests."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("REDCELL_")}
    base.pop("XDG_DATA_HOME", None)
    with tempfile.TemporaryDirectory(prefix="redcell-cli-") as own_home:
        base["REDCELL_HOME"] = home or own_home
        base.update(env or {})
        return subprocess.run([BIN, *map(str, args)], env=base, capture_output=True, text=True, timeout=timeout)
