#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run `aionl bench` several times and report the median of each ratio.

usage: tools/bench-median.py AIONL RUNS OUT_PREFIX -- BENCH_ARGS...

Each run is one `aionl bench ... --json OUT_PREFIX-N.json`; its ratios are
taken within that run (the machine is noisy, runs minutes apart differ), and
the table gives, for every queue depth and aionl contender, the median IOPS
and the median over the runs of its ratio to each reference contender, with
the lowest and highest ratio seen. docs/performance.md's tables come from it.
"""
import json
import statistics
import subprocess
import sys

REFS = ["io_uring", "posix aio", "libuv", "libaio", "pread", "pwrite"]


def main():
    if len(sys.argv) < 5 or sys.argv[4] != "--":
        sys.exit(__doc__)
    aionl, runs, prefix, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[5:]
    results = []
    for n in range(runs):
        out = f"{prefix}-{n + 1}.json"
        subprocess.run([aionl, "bench", *args, "--json", out], check=True,
                       stdout=subprocess.DEVNULL)
        with open(out) as f:
            results.append(json.load(f))
    w = results[0]["workload"]
    print(f"{w['bs']}-byte {w['rw']}{' O_DIRECT' if w['direct'] else ''}, "
          f"{runs} runs of `aionl bench {' '.join(args)}`: median (lowest to highest)\n")
    iops = {}
    for run in results:
        for r in run["results"]:
            iops.setdefault((r["qd"], r["contender"]), []).append(r["iops"])
    refs = [c for c in REFS if any(k[1] == c for k in iops)]
    print("| qd | contender | IOPS | " + " | ".join(f"vs {c}" for c in refs) + " |")
    print("|---:|---|---:|" + "---:|" * len(refs))
    for qd in sorted({k[0] for k in iops}):
        for (q, c), v in sorted(iops.items(), key=lambda kv: kv[0][1]):
            if q != qd:
                continue
            if not c.startswith("aionl"):
                continue
            cells = []
            for ref in refs:
                base = iops.get((qd, ref))
                if not base or len(base) != len(v):
                    cells.append("")
                    continue
                ratios = [a / b for a, b in zip(v, base) if b]
                cells.append(f"{statistics.median(ratios):.2f}x "
                             f"({min(ratios):.2f}-{max(ratios):.2f})")
            print(f"| {qd} | {c} | {statistics.median(v) / 1000:.1f}k | " + " | ".join(cells) + " |")
        for ref in refs:
            if (qd, ref) in iops:
                print(f"| {qd} | {ref} | {statistics.median(iops[(qd, ref)]) / 1000:.1f}k |"
                      + " |" * len(refs))


if __name__ == "__main__":
    main()
