#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Draw issue 17's targets as median ratios (docs/performance.md).

usage: tools/perf-targets-plot.py OUT.png NAME=PREFIX...

Each PREFIX names the JSON files tools/bench-median.py wrote (PREFIX-1.json,
PREFIX-2.json, ...), NAME the workload's label. For every queue depth, the
bars are each aionl user contender's median, over the runs, of its ratio to
io_uring within the run, and the threads executor's to POSIX AIO; the line
at 1.0 is the target. The scale is logarithmic and cut at 8x. Needs gnuplot.
"""
import glob
import json
import statistics
import subprocess
import sys
import tempfile

BARS = [("aionl user+uring", "io_uring", "user+uring / io_uring"),
        ("aionl user+threads", "io_uring", "user+threads / io_uring"),
        ("aionl user+threads", "posix aio", "user+threads / POSIX AIO")]


def ratios(prefix):
    runs = []
    for path in sorted(glob.glob(f"{prefix}-*.json")):
        with open(path) as f:
            runs.append({(r["qd"], r["contender"]): r["iops"] for r in json.load(f)["results"]})
    rows = []
    for qd in sorted({k[0] for run in runs for k in run}):
        cells = []
        for who, ref, _ in BARS:
            rs = [run[(qd, who)] / run[(qd, ref)] for run in runs
                  if run.get((qd, who)) and run.get((qd, ref))]
            cells.append(statistics.median(rs) if rs else 0)
        rows.append((qd, cells))
    return rows


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as dat:
        for arg in sys.argv[2:]:
            name, prefix = arg.split("=", 1)
            for qd, cells in ratios(prefix):
                dat.write(f'"{name} QD{qd}" ' + " ".join(f"{c:.3f}" for c in cells) + "\n")
        data = dat.name
    titles = ", ".join(f"'{data}' using {i + 2}:xtic(1) title '{t}'"
                       for i, (_, _, t) in enumerate(BARS))
    script = f"""
set terminal pngcairo size 1400,600 font ',10' noenhanced
set output '{out}'
set title 'aionl against its peers: median ratio of IOPS within each run (1.0 = the target; log scale, cut at 8x)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35
set grid ytics
set logscale y 2
set yrange [0.25:8]
set key top left
plot {titles}, 1 with lines lc rgb 'black' dt 2 title 'target'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


if __name__ == "__main__":
    main()
