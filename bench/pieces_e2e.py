#!/usr/bin/env python3
"""End to end with the library's pieces on every item (issue: converter and scorer library).

`redcell serve` attacks `redcell mock-target` over loopback twice per round on the same
target and dataset: plain prompt sending (no converter, one regex scorer), then with a
chain of three deterministic converters (leetspeak, char_swap, base64) and three rule-based
scorers (inverted refusal as the objective, credential_leak, markdown_injection). Rounds
alternate the two; the ratio pieces / plain of each round, and the median, are printed.

With --threads, each scenario's CPU per prompt is also printed per thread group of
`redcell serve` (its threads are named: store-writer, engine-N, http-client-N, blocking-N)
and for the mock target, as the median over the rounds: where the pieces' extra work lands.

While each execution runs, a client asks the API for the execution list every 50 ms, and the
latency of those requests (p50, p95, p99 over all rounds) is printed: what a user of the UI
waits during a run. --engine-nice N passes that serve option (default: serve's own), so the
CPU-priority policy can be compared with 0 (everything at one priority) in the same hour.

Usage: bench/pieces_e2e.py BUILD_DIR [--runs 3] [--prompts 20000] [--threads] [--engine-nice N]
Loopback only; every run is bounded by a timeout.
"""
import argparse
import collections
import os
import statistics
import tempfile
import threading
import time

from engine_e2e import prompt, run_execution, start_processes, stop
from loopback import Api

PLAIN = {"scorers": [{"type": "regex", "params": {"pattern": "(?i)^sure"}}]}
PIECES = {
    "converters": [{"type": "leetspeak"}, {"type": "char_swap"}, {"type": "base64"}],
    "scorers": [{"type": "inverter", "params": {"scorer": {"type": "refusal"}}},
                {"type": "credential_leak"}, {"type": "markdown_injection"}],
    "objective_scorer": 0,
}


def thread_cpu(pid):
    """CPU seconds per thread group (the thread name without its number) of process pid."""
    out = collections.Counter()
    tick = os.sysconf("SC_CLK_TCK")
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                name = f.read().strip().rstrip("0123456789").rstrip("-")
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a thread that ended meanwhile
        out[name] += (int(fields[11]) + int(fields[12])) / tick
    return out


class ApiLatency(threading.Thread):
    """Asks the API for the execution list every 50 ms until stopped; keeps each latency (ms)."""

    def __init__(self, api, into):
        super().__init__(daemon=True)
        self.api, self.into, self.done = api, into, threading.Event()

    def run(self):
        while not self.done.is_set():
            start = time.monotonic()
            self.api.call("GET", "/api/v1/executions?limit=20", timeout=60)
            self.into.append((time.monotonic() - start) * 1000)
            self.done.wait(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--prompts", type=int, default=20_000)
    ap.add_argument("--in-flight", type=int, default=128)
    ap.add_argument("--threads", action="store_true", help="CPU per prompt per thread group")
    ap.add_argument("--engine-nice", type=int, help="serve's --engine-nice (default: serve's default)")
    args = ap.parse_args()
    serve_args = () if args.engine_nice is None else ("--engine-nice", str(args.engine_nice))
    latency = {"plain": [], "pieces": []}
    cpu = {"plain": collections.defaultdict(list), "pieces": collections.defaultdict(list)}
    with tempfile.TemporaryDirectory(prefix="redcell-bench-") as home:
        mock, mock_port, serve, serve_port = start_processes(args.build_dir, 0, home, serve_args)
        try:
            api = Api(serve_port)
            t = api.call("POST", "/api/v1/targets", {
                "name": "mock", "type": "openai_chat", "endpoint": f"http://127.0.0.1:{mock_port}/v1",
                "model": "mock-llm", "limits": {"max_in_flight": args.in_flight, "max_retries": 0,
                                                "timeout_ms": 60000}})
            d = api.call("POST", "/api/v1/datasets", {"name": "bench",
                                                      "prompts": [prompt(i) for i in range(args.prompts)]})
            ids = {}
            for name, extra in (("plain", PLAIN), ("pieces", PIECES)):
                body = {"name": name, "type": "prompt_sending", "target_id": t["id"],
                        "datasets": [{"id": d["id"]}], "max_in_flight": args.in_flight}
                body.update(extra)
                ids[name] = api.call("POST", "/api/v1/orchestrators", body)["id"]
            rates = {"plain": [], "pieces": []}
            for _ in range(args.runs):
                for name in ("plain", "pieces"):
                    before = thread_cpu(serve.pid), thread_cpu(mock.pid)
                    poller = ApiLatency(api, latency[name])
                    poller.start()
                    rates[name].append(run_execution(api, mock_port, args.prompts, args.in_flight, 900,
                                                    orchestrator=ids[name], all_achieved=False)[0])
                    poller.done.set()
                    poller.join()
                    after = thread_cpu(serve.pid), thread_cpu(mock.pid)
                    for group in after[0]:
                        cpu[name][group].append((after[0][group] - before[0][group]) * 1e6 / args.prompts)
                    cpu[name]["mock target"].append(
                        (sum(after[1].values()) - sum(before[1].values())) * 1e6 / args.prompts)
        finally:
            stop(serve, mock)
    ratios = [p / q for p, q in zip(rates["pieces"], rates["plain"])]
    print(f"| scenario | prompts/s (median of {args.runs}) | runs |")
    print("|---|---|---|")
    for name in ("plain", "pieces"):
        print(f"| {name} | {statistics.median(rates[name]):,.0f} | {', '.join(f'{r:,.0f}' for r in rates[name])} |")
    print(f"\nRatio pieces / plain: **{statistics.median(ratios):.2f}** (per round "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; goal ≥ 0.90)")
    print(f"\n| API latency during the runs, ms (engine-nice {args.engine_nice if args.engine_nice is not None else 'default'}) "
          "| requests | p50 | p95 | p99 |")
    print("|---|---|---|---|---|")
    for name in ("plain", "pieces"):
        q = statistics.quantiles(latency[name], n=100)
        print(f"| {name} | {len(latency[name])} | {q[49]:.1f} | {q[94]:.1f} | {q[98]:.1f} |")
    if args.threads:
        print(f"\n| CPU µs per prompt (median of {args.runs}) | plain | pieces | pieces - plain |")
        print("|---|---|---|---|")
        groups = sorted(set(cpu["plain"]) | set(cpu["pieces"]), key=lambda g: -statistics.median(cpu["pieces"][g] or [0]))
        for g in groups:
            p, q = statistics.median(cpu["plain"][g] or [0]), statistics.median(cpu["pieces"][g] or [0])
            if max(p, q) >= 1:
                print(f"| {g} | {p:.1f} | {q:.1f} | {q - p:+.1f} |")


if __name__ == "__main__":
    main()
