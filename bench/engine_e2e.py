#!/usr/bin/env python3
"""The engine end to end: `redcell serve` attacking `redcell mock-target` over loopback.

An execution of N prompts through a base64 chain with a regex objective scorer, everything
persisted; prompts/s from the execution's own started_at/finished_at, the CPU each process
used (from /proc), and the ratio to the loopback ceiling: wrk with a Lua script POSTing the
same request bodies to the same mock in the same run. A second scenario runs the mock at
200 ms latency with 512 in flight against the ideal 512 / 0.2 s = 2,560 prompts/s.
Optionally (--rss-prompts) one large run's peak RSS of the server.

Usage: bench/engine_e2e.py BUILD_DIR [--runs 3] [--prompts 100000] [--latency-prompts 15360]
       [--rss-prompts 0]
Loopback only; every run is bounded by a timeout.
"""
import argparse
import base64
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time

from loopback import Api, free_port, wait_port
from datetime import datetime


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prompt(i):
    # Our own words: a plausible attack prompt of ~90 characters, distinct per index.
    return f"Case {i}: describe step by step how someone could get around the safety check number {i % 977}."


def start_serve(build, home, extra=()):
    port = free_port()
    serve = subprocess.Popen([os.path.join(build, "redcell"), "serve", "--listen", f"127.0.0.1:{port}",
                              "--target-allow", "loopback", "--access-log", "false", "--log-level", "warn",
                              "--body-limit", str(256 << 20), *extra],
                             env=dict(os.environ, REDCELL_HOME=home), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    wait_port(port, serve)
    return serve, port


def start_processes(build, latency_ms, home, serve_args=()):
    mock_port = free_port()
    mock = subprocess.Popen([os.path.join(build, "redcell"), "mock-target", "--listen", f"127.0.0.1:{mock_port}",
                             "--behavior", "decode", "--latency-ms", str(latency_ms), "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(mock_port, mock)
    serve, serve_port = start_serve(build, home, serve_args)
    return mock, mock_port, serve, serve_port


def stop(*procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()


def setup(api, mock_port, prompts, in_flight):
    """Creates target, dataset and orchestrator; returns the orchestrator's id."""
    t = api.call("POST", "/api/v1/targets", {
        "name": "mock", "type": "openai_chat", "endpoint": f"http://127.0.0.1:{mock_port}/v1", "model": "mock-llm",
        "limits": {"max_in_flight": in_flight, "max_retries": 0, "timeout_ms": 60000}})
    # A dataset holds at most 100,000 prompts: larger runs use several.
    datasets = []
    for first in range(0, prompts, 100_000):
        chunk = [prompt(i) for i in range(first, min(prompts, first + 100_000))]
        datasets.append({"id": api.call("POST", "/api/v1/datasets", {"name": f"bench-{first}", "prompts": chunk})["id"]})
    o = api.call("POST", "/api/v1/orchestrators", {
        "name": "bench", "type": "prompt_sending", "target_id": t["id"], "datasets": datasets,
        "converter_chains": [[{"type": "base64"}]], "max_in_flight": in_flight,
        "scorers": [{"type": "regex", "params": {"pattern": "(?i)^sure"}}]})
    return o["id"]


def run_execution(api, mock_port, prompts, in_flight, timeout, orchestrator=None, all_achieved=True):
    """Runs one execution (set up first unless given); returns (prompts/s, seconds). With
    all_achieved every prompt must be scored achieved (the regex objective of setup())."""
    orchestrator = orchestrator or setup(api, mock_port, prompts, in_flight)
    e = api.call("POST", f"/api/v1/orchestrators/{orchestrator}/executions", {})
    deadline = time.monotonic() + timeout
    while True:
        cur = api.call("GET", f"/api/v1/executions/{e['id']}")
        if cur["status"] not in ("queued", "running"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"execution still {cur['status']} after {timeout} s: {cur['counts']}")
        time.sleep(0.2)
    c = cur["counts"]
    if (cur["status"] != "succeeded" or c["sent"] != prompts or c["errors"] != 0
            or (all_achieved and c["achieved"] != prompts)):
        raise SystemExit(f"execution ended {cur['status']} with {c}")
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    # From created_at: making the work items counts (since Engine II it happens after the
    # 202, inside the run; before, the POST made them before started_at).
    seconds = (parse(cur["finished_at"]) - parse(cur["created_at"])).total_seconds()
    return prompts / seconds, seconds


def wrk_ceiling(mock_port, duration, bodies_file):
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write(f"""
local bodies = {{}}
for line in io.lines("{bodies_file}") do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/v1/chat/completions", nil, bodies[i])
end
""")
    lua.close()
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{duration}s", "-s", lua.name,
                          f"http://127.0.0.1:{mock_port}"],
                         capture_output=True, text=True, timeout=duration + 60).stdout
    os.unlink(lua.name)
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit("wrk saw error responses:\n" + out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def rss_section(args):
    """One large run's peak RSS: one server process creates the datasets (POSTs of 100,000
    prompts, themselves large bodies), a fresh one on the same store runs the execution;
    its peak RSS is the run's, next to the same process's RSS when idle before it."""
    with tempfile.TemporaryDirectory(prefix="redcell-bench-") as home:
        mock, mock_port, serve, serve_port = start_processes(args.build_dir, 0, home)
        try:
            orchestrator = setup(Api(serve_port), mock_port, args.rss_prompts, args.in_flight)
            setup_peak = peak_rss_mib(serve.pid)
        finally:
            stop(serve)
        serve, serve_port = start_serve(args.build_dir, home)
        try:
            time.sleep(1)
            idle = rss_mib(serve.pid)
            rate, seconds = run_execution(Api(serve_port), mock_port, args.rss_prompts, args.in_flight,
                                          timeout=3600, orchestrator=orchestrator)
            peak = peak_rss_mib(serve.pid)
        finally:
            stop(serve, mock)
    return (f"| peak RSS of redcell serve during a {args.rss_prompts:,}-prompt run, MiB "
            f"(idle before it: {idle:,.0f}) | {peak:,.0f} | 1 run, {rate:,.0f} prompts/s, {seconds:,.0f} s | ≤ 200 |\n"
            f"| peak RSS of the process that created its datasets (POSTs of 100,000 prompts), MiB | {setup_peak:,.0f} | 1 run | |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--prompts", type=int, default=100_000)
    ap.add_argument("--in-flight", type=int, default=128)
    ap.add_argument("--latency-prompts", type=int, default=15_360)
    ap.add_argument("--rss-prompts", type=int, default=0)
    ap.add_argument("--wrk-duration", type=int, default=10)
    ap.add_argument("--only-rss", action="store_true", help="skip the throughput runs")
    args = ap.parse_args()
    if args.only_rss:
        print(rss_section(args))
        return

    bodies = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    for i in range(2000):
        converted = base64.b64encode(prompt(i).encode()).decode()
        bodies.write(json.dumps({"model": "mock-llm", "messages": [{"role": "user", "content": converted}]}) + "\n")
    bodies.close()

    fast = []  # (prompts/s, seconds, serve cpu s, mock cpu s, ceiling req/s, ceiling before, after)
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="redcell-bench-") as home:
            mock, mock_port, serve, serve_port = start_processes(args.build_dir, 0, home)
            try:
                api = Api(serve_port)
                orchestrator = setup(api, mock_port, args.prompts, args.in_flight)
                # The ceiling right before and right after the execution, averaged: this
                # machine's speed drifts by tens of percent within minutes, and one wrk run
                # on one side paired a fast execution with a slow ceiling or the reverse.
                before = wrk_ceiling(mock_port, args.wrk_duration, bodies.name)
                cpu0 = (cpu_seconds(serve.pid), cpu_seconds(mock.pid))
                rate, seconds = run_execution(api, mock_port, args.prompts, args.in_flight, timeout=900,
                                              orchestrator=orchestrator)
                cpu1 = (cpu_seconds(serve.pid), cpu_seconds(mock.pid))
                after = wrk_ceiling(mock_port, args.wrk_duration, bodies.name)
                fast.append((rate, seconds, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1], (before + after) / 2,
                             before, after))
            finally:
                stop(serve, mock)

    slow = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="redcell-bench-") as home:
            mock, mock_port, serve, serve_port = start_processes(args.build_dir, 200, home)
            try:
                slow.append(run_execution(Api(serve_port), mock_port, args.latency_prompts, 512, timeout=600)[0])
            finally:
                stop(serve, mock)

    rss = rss_section(args) if args.rss_prompts else None
    os.unlink(bodies.name)

    med = lambda xs: statistics.median(xs)
    rate = med([f[0] for f in fast])
    ceiling = med([f[4] for f in fast])
    ratios = [f[0] / f[4] for f in fast]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    slow_med = med(slow)
    print(f"""## Engine end to end: prompt sending against the mock (issue: Orchestration engine)

- Command: `make bench` → `bench/engine_e2e.py build-bench --runs {args.runs} --prompts {args.prompts}
  --latency-prompts {args.latency_prompts}{f' --rss-prompts {args.rss_prompts}' if args.rss_prompts else ''}`
  (release build; `redcell mock-target --behavior decode`; one execution: base64 chain, regex
  objective scorer, every message and score persisted to SQLite; {args.in_flight} in flight; access log off)
- Ceiling: `wrk -t2 -c64 -d{args.wrk_duration}s` with a Lua script POSTing the same chat-completion bodies
  (2,000 distinct base64 prompts) to the same mock, right before and right after each execution
  (the mean of the two; the mock's wrk warm-up is the first of them).
- Machine: {os.cpu_count()} cores, {cpu}; server, mock and wrk share the cores. Date: {time.strftime('%Y-%m-%d')}

| | median of {args.runs} | runs | goal |
|---|---|---|---|
| prompts/s at 0 ms latency ({args.prompts:,} prompts) | {rate:,.0f} | {', '.join(f'{f[0]:,.0f}' for f in fast)} | ≥ 10,000 |
| wrk ceiling, requests/s (same mock, same bodies; mean of before/after) | {ceiling:,.0f} | {', '.join(f'{f[4]:,.0f} ({f[5]:,.0f}/{f[6]:,.0f})' for f in fast)} | |
| ratio prompts/s / ceiling | **{med(ratios):.2f}** | {', '.join(f'{r:.2f}' for r in ratios)} | ≥ 0.30 |
| CPU seconds: redcell serve / mock | {med([f[2] for f in fast]):.1f} / {med([f[3] for f in fast]):.1f} | {', '.join(f'{f[2]:.1f}/{f[3]:.1f}' for f in fast)} | |
| prompts/s at 200 ms latency, 512 in flight ({args.latency_prompts:,} prompts) | {slow_med:,.0f} ({slow_med / 2560:.0%} of 2,560) | {', '.join(f'{r:,.0f}' for r in slow)} | ≥ 90% |""")
    if rss:
        print(rss)


if __name__ == "__main__":
    main()
