#!/usr/bin/env python3
"""wrk -t2 -c64 against redcell's GET /healthz and against a bare Beast hello-world
(bench/bare_beast_hello.cpp) in the same run; median of N runs each, alternating so that
both see the same machine state. Prints a Markdown section for bench/RESULTS.md.

Usage: bench/http_healthz.py BUILD_DIR [--runs 3] [--duration 10]
Loopback only; each wrk run is bounded by --duration.
"""
import argparse
import os
import platform
import signal
import statistics
import subprocess
import tempfile
import time

from loopback import free_port, wait_port, wrk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()

    home = tempfile.mkdtemp(prefix="redcell-bench-")
    p_bare, p_rc = free_port(), free_port()
    bare = subprocess.Popen([os.path.join(args.build_dir, "bench/bare_beast_hello"), str(p_bare)],
                            stdout=subprocess.DEVNULL)
    env = dict(os.environ, REDCELL_HOME=home)
    rc = subprocess.Popen([os.path.join(args.build_dir, "redcell"), "serve", "--listen", f"127.0.0.1:{p_rc}"],
                          env=env, stderr=subprocess.DEVNULL)
    try:
        wait_port(p_bare, bare)
        wait_port(p_rc, rc)
        wrk(f"http://127.0.0.1:{p_rc}/healthz", 2)  # warm-up
        results = {"bare": [], "redcell": []}
        for _ in range(args.runs):
            results["bare"].append(wrk(f"http://127.0.0.1:{p_bare}/healthz", args.duration))
            results["redcell"].append(wrk(f"http://127.0.0.1:{p_rc}/healthz", args.duration))
    finally:
        for p in (bare, rc):
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)

    med = {k: (statistics.median(r for r, _ in v), statistics.median(p for _, p in v)) for k, v in results.items()}
    ratio = med["redcell"][0] / med["bare"][0]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"""## HTTP server: GET /healthz (issue: Foundation I)

- Command: `make bench` → `bench/http_healthz.py build-bench --runs {args.runs} --duration {args.duration}`
  (`wrk -t2 -c64 -d{args.duration}s --latency`, loopback, release build, access log on, logs to /dev/null)
- Machine: {os.cpu_count()} cores, {cpu}; wrk and the server share the cores.
- Date: {time.strftime('%Y-%m-%d')}

| server | requests/s (median of {args.runs}) | p99 latency ms (median) | runs (req/s) |
|---|---|---|---|
| bare Beast hello-world (baseline) | {med['bare'][0]:,.0f} | {med['bare'][1]:.2f} | {', '.join(f'{r:,.0f}' for r, _ in results['bare'])} |
| redcell serve `/healthz` | {med['redcell'][0]:,.0f} | {med['redcell'][1]:.2f} | {', '.join(f'{r:,.0f}' for r, _ in results['redcell'])} |

Ratio redcell / bare: **{ratio:.2f}** (goal ≥ 0.90).
""")


if __name__ == "__main__":
    main()
