#!/usr/bin/env python3
"""Converters and rule-based scorers on 1 KB items (issue: converter and scorer library).

Runs BUILD_DIR/pieces (every deterministic converter on a 1 KB prompt, every rule-based
scorer on a 1 KB reply, a 1 KB memcpy as the baseline of the same run) and prints a
Markdown table: median ns per item over the runs, MB/s, the ratio to memcpy, a converter's
output size and its cost per KB of output (an encoding that writes 20 bytes per input byte
is bound by what it writes), and whether the piece keeps within 10 µs per KB of input.

Usage: bench/pieces.py BUILD_DIR [--runs 3] [--min-ms 200]
"""
import argparse
import json
import os
import statistics
import subprocess

GOAL_NS = 10_000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--min-ms", type=int, default=200)
    args = ap.parse_args()
    out = subprocess.run([os.path.join(args.build_dir, "bench", "pieces"), "--runs", str(args.runs),
                          "--min-ms", str(args.min_ms)], capture_output=True, text=True,
                         check=True, timeout=1800).stdout
    rows, out_bytes = {}, {}
    for line in out.splitlines():
        r = json.loads(line)
        rows.setdefault((r["kind"], r["type"]), []).append(r["ns"])
        out_bytes[(r["kind"], r["type"])] = r.get("out_bytes", 0)
    base = statistics.median(rows.pop(("baseline", "memcpy_1kb")))
    print(f"- memcpy of 1 KB (baseline, same run): {base:,.1f} ns\n")
    print("| kind | piece | ns per 1 KB item (median of %d) | MB/s | × memcpy | output bytes | ns per output KB | ≤ 10 µs |" % args.runs)
    print("|---|---|---|---|---|---|---|---|")
    over = []
    for (kind, name), ns in sorted(rows.items(), key=lambda kv: (kv[0][0], -statistics.median(kv[1]))):
        m = statistics.median(ns)
        ok = m <= GOAL_NS
        if not ok:
            over.append(name)
        size = out_bytes[(kind, name)]
        per_out = f"{m / size * 1024:,.0f}" if size else "-"
        print(f"| {kind} | `{name}` | {m:,.0f} | {1024 / m * 1000:,.0f} | {m / base:,.0f} | "
              f"{size:,} | {per_out} | {'yes' if ok else '**no**'} |")
    print(f"\n{len(rows)} pieces; over 10 µs per KB: {', '.join(over) if over else 'none'}")


if __name__ == "__main__":
    main()
