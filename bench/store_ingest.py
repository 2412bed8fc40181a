#!/usr/bin/env python3
"""Runs bench/store_ingest (1,000,000 messages over 10,000 conversations) N times and
prints a Markdown section for bench/RESULTS.md with medians.
Usage: bench/store_ingest.py BUILD_DIR [--runs 3] [--messages N] [--conversations C] [--dir DIR]
--dir /dev/shm writes the stores to memory: the same run without the disk, to see how much
of the time is the disk's and how much the CPU's."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def filesystem(path):
    """The mount point and type of the file system path lives on, from /proc/mounts."""
    path = os.path.realpath(path)
    best = ("/", "?")
    for line in open("/proc/mounts"):
        _, mount, kind = line.split()[:3]
        if (path == mount or path.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best[0]):
            best = (mount, kind)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--dir", default=tempfile.gettempdir(), help="where the stores are written")
    a = ap.parse_args()
    mount, fs_kind = filesystem(a.dir)
    runs = []
    for _ in range(a.runs):
        d = tempfile.mkdtemp(prefix="redcell-ingest-", dir=a.dir)
        try:
            out = subprocess.run([os.path.join(a.build_dir, "bench/store_ingest"), d, str(a.messages), str(a.conversations)],
                                 capture_output=True, text=True, timeout=1800, check=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    med = lambda f: statistics.median(f(r) for r in runs)
    store = med(lambda r: r["store"]["messages_per_s"])
    bare = med(lambda r: r["bare"]["messages_per_s"])
    ratio = med(lambda r: r["ratio"])
    p50 = med(lambda r: r["store"]["query_p50_ms"])
    p99 = med(lambda r: r["store"]["query_p99_ms"])
    wal = max(r["store"]["wal_bytes_largest"] for r in runs) / 2**20
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"""## Store ingest (issue: Foundation II){" without the disk" if fs_kind == "tmpfs" else ""}

- Command: `make bench` → `bench/store_ingest.py build-bench --runs {a.runs}{" --dir " + a.dir if a.dir != tempfile.gettempdir() else ""}` ({a.messages:,} messages over
  {a.conversations:,} conversations, 512 conversations in flight and interleaved, ~190-character prompts
  sent unconverted; 100 messages per `add_messages` call, up to 64 calls in flight;
  a reader pages 50 messages of a random written conversation every 2 ms meanwhile)
- Baseline: a bare loop in the same process and run: one thread, one prepared INSERT, same schema,
  indexes and pragmas, 6,400 rows per transaction, computing the same ids, hashes and times.
  Each phase starts after `sync` so it does not pay for the other's writeback.
- Stores written to {a.dir} ({fs_kind} mounted on {mount})
- Machine: {os.cpu_count()} cores, {cpu}. Date: {time.strftime('%Y-%m-%d')}

| | median of {a.runs} | runs | goal |
|---|---|---|---|
| Store interface, messages/s | {store:,.0f} | {', '.join(f"{r['store']['messages_per_s']:,.0f}" for r in runs)} | ≥ 150,000 |
| bare SQLite loop, messages/s | {bare:,.0f} | {', '.join(f"{r['bare']['messages_per_s']:,.0f}" for r in runs)} | |
| ratio Store / bare | **{ratio:.2f}** | {', '.join(f"{r['ratio']:.2f}" for r in runs)} | ≥ 0.75 |
| paged conversation query p50 / p99 during ingest, ms | {p50:.2f} / {p99:.2f} | {', '.join(f"{r['store']['query_p99_ms']:.2f}" for r in runs)} (p99) | p99 < 2 |
| store writer thread CPU per message, µs | {med(lambda r: r["store"]["writer_cpu_us_per_message"]):.2f} | {', '.join(f"{r['store']['writer_cpu_us_per_message']:.2f}" for r in runs)} | |
| largest WAL, MiB | {wal:.1f} | | < 64 |
""")


if __name__ == "__main__":
    main()
