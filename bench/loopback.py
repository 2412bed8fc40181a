"""What the benchmark scripts share on loopback: a free port, waiting until one opens, a
JSON API client, and a bounded wrk run read back as requests/s and p99."""
import http.client
import json
import re
import socket
import subprocess
import time


class Api:
    """redcell's JSON API on a loopback port; a status >= 300 ends the benchmark."""

    def __init__(self, port, headers=None):
        self.port = port
        self.headers = dict(headers or {})

    def call(self, method, path, body=None, timeout=600):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        data = json.dumps(body) if body is not None else None
        headers = dict(self.headers, **({"Content-Type": "application/json"} if data else {}))
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        out = r.read()
        conn.close()
        if r.status >= 300:
            raise SystemExit(f"{method} {path}: {r.status} {out[:300]!r}")
        return json.loads(out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"port {port} never opened")


def to_ms(value, unit):
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def wrk(url, duration, headers=()):
    """wrk -t2 -c64 for `duration` seconds: (requests/s, p99 ms); any error answer stops."""
    cmd = ["wrk", "-t2", "-c64", f"-d{duration}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=duration + 60).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses from {url}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    return rps, to_ms(*p99.groups())
