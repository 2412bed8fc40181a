#!/usr/bin/env python3
"""Memory of a large dataset import: the server's peak RSS above idle while it imports a
JSON Lines file of 10, 50 and 95 MB through POST /api/v1/datasets/import (spooled to a temp
file, two passes, batches of 2,000 in one transaction). Baseline: the 10 MB import in the
same run; a server that held the file would grow with it (ratio ~ the size ratio).
Usage: bench/import_memory.py BUILD_DIR [--runs 3]"""
import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def one(port, pid, size_mb):
    line = json.dumps({"prompt": "p" * 480, "harm_categories": ["bulk"]}).encode() + b"\n"
    body = line * ((size_mb * 1024 * 1024) // len(line))
    base = rss_mb(pid)
    peak, done = [base], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.01)
    t = threading.Thread(target=watch)
    t.start()
    started = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/api/v1/datasets/import?filename=big.jsonl", body=body,
              headers={"Content-Type": "application/octet-stream"})
    r = c.getresponse()
    r.read()
    seconds = time.monotonic() - started
    done.set()
    t.join()
    assert r.status == 201, r.status
    return peak[0] - base, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ["REDCELL_BIN"] = os.path.abspath(os.path.join(args.build, "redcell"))
    from redcell_harness import Server
    sizes = [10, 50, 95]
    got = {n: [] for n in sizes}
    for _ in range(args.runs):
        for n in sizes:
            with Server() as s:  # a fresh server for each import: each starts from the same idle
                got[n].append(one(s.port, s.proc.pid, n))
    base = statistics.median(m for m, _ in got[10])
    print("| file | peak RSS above idle, MB (median) | runs (MB) | seconds (median) | ratio to 10 MB |")
    print("|---|---|---|---|---|")
    for n in sizes:
        mem = statistics.median(m for m, _ in got[n])
        secs = statistics.median(t for _, t in got[n])
        runs = ", ".join(f"{m:.0f}" for m, _ in got[n])
        print(f"| {n} MB JSON Lines | {mem:.0f} | {runs} | {secs:.1f} | {mem / base:.2f} |")


if __name__ == "__main__":
    main()
