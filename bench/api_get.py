#!/usr/bin/env python3
"""wrk -t2 -c64 against GET /api/v1/orchestrators/{id} authenticated with an API key, next
to GET /healthz of the same server in the same run; median of N runs each, alternating.
Prints a Markdown section for bench/RESULTS.md.

Usage: bench/api_get.py BUILD_DIR [--runs 3] [--duration 10]
Loopback only; each wrk run is bounded by --duration.
"""
import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time

from loopback import Api, free_port, wait_port, wrk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()

    home = tempfile.mkdtemp(prefix="redcell-bench-")
    port = free_port()
    proc = subprocess.Popen([os.path.join(args.build_dir, "redcell"), "serve", "--listen", f"127.0.0.1:{port}"],
                            env=dict(os.environ, REDCELL_HOME=home), stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        key = Api(port).call("POST", "/api/v1/api-keys", {"name": "bench"})["secret"]
        api = Api(port, {"X-API-Key": key})
        t = api.call("POST", "/api/v1/targets", {"name": "m", "type": "mock"})
        d = api.call("POST", "/api/v1/datasets", {"name": "d", "prompts": ["p"]})
        o = api.call("POST", "/api/v1/orchestrators", {
            "name": "bench", "type": "prompt_sending", "target_id": t["id"], "dataset_id": d["id"],
            "converter_chains": [[], [{"type": "base64"}]],
            "scorers": [{"type": "substring", "params": {"substring": "sure"}}]})
        url = f"http://127.0.0.1:{port}/api/v1/orchestrators/{o['id']}"
        wrk(url, 2, [f"X-API-Key: {key}"])  # warm-up
        results = {"healthz": [], "orchestrator": []}
        for _ in range(args.runs):
            results["healthz"].append(wrk(f"http://127.0.0.1:{port}/healthz", args.duration))
            results["orchestrator"].append(wrk(url, args.duration, [f"X-API-Key: {key}"]))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

    med = {k: (statistics.median(r for r, _ in v), statistics.median(p for _, p in v)) for k, v in results.items()}
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"""## API: GET /api/v1/orchestrators/{{id}} with an API key (issue: REST API)

- Command: `make bench` → `bench/api_get.py build-bench --runs {args.runs} --duration {args.duration}`
  (`wrk -t2 -c64 -d{args.duration}s --latency -H "X-API-Key: rc_..."`, loopback, release build,
  access log on, logs to /dev/null; the same server's `/healthz` alternates with it)
- Machine: {os.cpu_count()} cores, {cpu}; wrk and the server share the cores. Date: {time.strftime('%Y-%m-%d')}

| route | requests/s (median of {args.runs}) | p99 ms (median) | runs (req/s) | goal |
|---|---|---|---|---|
| `GET /healthz` (baseline) | {med['healthz'][0]:,.0f} | {med['healthz'][1]:.2f} | {', '.join(f'{r:,.0f}' for r, _ in results['healthz'])} | |
| `GET /api/v1/orchestrators/{{id}}`, API key | {med['orchestrator'][0]:,.0f} | {med['orchestrator'][1]:.2f} | {', '.join(f'{r:,.0f}' for r, _ in results['orchestrator'])} | ≥ 40,000 req/s, p99 < 5 ms |

Ratio orchestrator / healthz: **{med['orchestrator'][0] / med['healthz'][0]:.2f}**.
""")


if __name__ == "__main__":
    main()
