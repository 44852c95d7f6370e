#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Python reads through libaionl against what Python programs use today, in one run.

    PYTHONPATH=build/bindings/python /usr/bin/python3 bindings/python/bench.py [--quick]

- asyncio: AsyncContext.read against loop.run_in_executor(None, os.pread, ...)
  (what aiofiles does), with 1, 64 and 512 tasks each reading 4 KiB at random
  4 KiB-aligned offsets of a file the page cache holds;
- synchronous: batches of Read requests (Context.submit and one reap per
  batch) against a plain os.preadv loop, same reads.

Each contender runs for --seconds, the two of a pair alternately, --rounds
times; the figures are the medians of the rounds, and the ratio is the median
of the rounds' ratios (each pair ran back to back), all within one run. The
asyncio pairs also report the process's CPU time per read (every thread's,
so the executor's workers count): on a host shared with other work, where a
pool of threads takes a larger share of the CPUs than one event loop, it is
the figure that load does not move. The file is created (--size, default 1 GiB) unless --file names one,
and read once so that the page cache holds it.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time

# The folder of this script holds the package's sources, not the built
# module: import the built (PYTHONPATH) or installed package instead.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import aionl  # noqa: E402

PAGE = 4096


def cpu_seconds():
    """CPU time of the whole process, every thread (the executor's too)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Rate:
    """Reads per second, and CPU microseconds per read, of one run."""

    def __init__(self, count, seconds, cpu):
        self.rate = count / seconds
        self.cpu_us = cpu / count * 1e6 if count else float("nan")


def make_file(path, size):
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(size // len(chunk)):
            f.write(chunk)
        f.write(chunk[: size % len(chunk)])


def warm(path):
    """Bring the whole file into the page cache."""
    fd = os.open(path, os.O_RDONLY)
    try:
        buf = bytearray(1 << 20)
        off = 0
        while True:
            n = os.preadv(fd, [buf], off)
            if n <= 0:
                break
            off += n
    finally:
        os.close(fd)


def offsets(size, n, seed):
    rnd = random.Random(seed)
    pages = size // PAGE
    return [rnd.randrange(pages) * PAGE for _ in range(n)]


# ------------------------------------------------------------------ asyncio

async def run_executor(fd, offs, tasks, seconds):
    loop = asyncio.get_running_loop()
    stop = time.monotonic() + seconds
    count = 0

    async def worker(i):
        nonlocal count
        k = i
        n = len(offs)
        while time.monotonic() < stop:
            data = await loop.run_in_executor(None, os.pread, fd, PAGE, offs[k % n])
            if len(data) != PAGE:
                raise RuntimeError("short read")
            k += tasks
            count += 1

    t0, c0 = time.monotonic(), cpu_seconds()
    await asyncio.gather(*(worker(i) for i in range(tasks)))
    return Rate(count, time.monotonic() - t0, cpu_seconds() - c0)


async def run_aionl(actx, file, offs, tasks, seconds):
    stop = time.monotonic() + seconds
    count = 0

    async def worker(i):
        nonlocal count
        buf = bytearray(PAGE)
        k = i
        n = len(offs)
        read = actx.read
        while time.monotonic() < stop:
            if await read(file, buf, offs[k % n]) != PAGE:
                raise RuntimeError("short read")
            k += tasks
            count += 1

    t0, c0 = time.monotonic(), cpu_seconds()
    await asyncio.gather(*(worker(i) for i in range(tasks)))
    return Rate(count, time.monotonic() - t0, cpu_seconds() - c0)


async def asyncio_suite(path, size, args, results):
    fd = os.open(path, os.O_RDONLY)
    offs = offsets(size, 1 << 16, 1)
    loop = asyncio.get_running_loop()
    # Let the default executor start its threads before the first round.
    await asyncio.gather(*(loop.run_in_executor(None, os.pread, fd, PAGE, 0) for _ in range(64)))
    async with aionl.AsyncContext() as actx:
        info = actx.info()
        file = actx.register(fd)
        for tasks in args.tasks:
            ex, al = [], []
            for _ in range(args.rounds):
                ex.append(await run_executor(fd, offs, tasks, args.seconds))
                al.append(await run_aionl(actx, file, offs, tasks, args.seconds))
            r = {"tasks": tasks,
                 "executor": statistics.median(x.rate for x in ex),
                 "aionl": statistics.median(x.rate for x in al),
                 # Each round's pair ran back to back: the median of their
                 # ratios resists a load that drifts over the run.
                 "ratio": statistics.median(a.rate / e.rate for a, e in zip(al, ex)),
                 "executor_cpu_us": statistics.median(x.cpu_us for x in ex),
                 "aionl_cpu_us": statistics.median(x.cpu_us for x in al),
                 "rounds": {"executor": [x.rate for x in ex], "aionl": [x.rate for x in al]}}
            r["cpu_ratio"] = r["executor_cpu_us"] / r["aionl_cpu_us"]
            results.append(r)
            print(f"  {tasks:4d} tasks: run_in_executor {r['executor']:9.0f} reads/s "
                  f"({r['executor_cpu_us']:5.1f} us CPU/read)   AsyncContext {r['aionl']:9.0f} "
                  f"reads/s ({r['aionl_cpu_us']:5.1f} us)   {r['ratio']:5.2f}x, "
                  f"{r['cpu_ratio']:5.2f}x less CPU", flush=True)
    os.close(fd)
    return info


# ------------------------------------------------------------------ synchronous

def run_preadv(fd, offs, seconds):
    buf = bytearray(PAGE)
    bufs = [buf]
    n = len(offs)
    k = 0
    count = 0
    stop = time.monotonic() + seconds
    t0 = time.monotonic()
    while True:
        for _ in range(256):
            if os.preadv(fd, bufs, offs[k % n]) != PAGE:
                raise RuntimeError("short read")
            k += 1
        count += 256
        if time.monotonic() >= stop:
            break
    return count / (time.monotonic() - t0)


def run_batched(ctx, file, offs, batch, seconds):
    reqs = [aionl.Read(file, bytearray(PAGE), 0, cookie=i) for i in range(batch)]
    n = len(offs)
    k = 0
    count = 0
    stop = time.monotonic() + seconds
    t0 = time.monotonic()
    while True:
        for r in reqs:
            r.offset = offs[k % n]
            k += 1
        done = 0
        while done < batch:
            done += ctx.submit(reqs[done:])
        got = 0
        while got < batch:
            for c in ctx.reap(max=batch, min=batch - got):
                if c.result != PAGE:
                    raise RuntimeError(f"read: {c.result}")
                got += 1
        count += batch
        if time.monotonic() >= stop:
            break
    return count / (time.monotonic() - t0)


def drop_cache(fd):
    """Evict the file's pages (clean ones go; no root needed)."""
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def sync_suite(path, size, args, results, cold=False):
    fd = os.open(path, os.O_RDONLY)
    offs = offsets(size, 1 << 16, 3 if cold else 2)
    seconds = args.seconds
    with aionl.Context() as ctx:
        file = ctx.register(fd)
        for batch in args.batches:
            pl, bt = [], []
            for i in range(args.rounds):
                # Each round reads other offsets: cold runs find them uncached.
                o = offs[i * 8192:] + offs[:i * 8192]
                if cold:
                    drop_cache(fd)
                pl.append(run_preadv(fd, o, seconds))
                if cold:
                    drop_cache(fd)
                bt.append(run_batched(ctx, file, o, batch, seconds))
            r = {"batch": batch, "cold": cold, "preadv": statistics.median(pl),
                 "aionl": statistics.median(bt),
                 "ratio": statistics.median(a / p for a, p in zip(bt, pl)),
                 "rounds": {"preadv": pl, "aionl": bt}}
            results.append(r)
            print(f"  batches of {batch:4d}: os.preadv loop {r['preadv']:9.0f} reads/s   "
                  f"Context.submit/reap {r['aionl']:9.0f} reads/s   {r['ratio']:5.2f}x", flush=True)
    os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", help="read this file instead of creating one")
    ap.add_argument("--size", type=int, default=1 << 30, help="bytes of the created file")
    ap.add_argument("--seconds", type=float, default=2.0, help="per contender and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tasks", type=int, nargs="+", default=[1, 64, 512])
    ap.add_argument("--batches", type=int, nargs="+", default=[64])
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--cold", action="store_true",
                    help="also the synchronous pair on reads the page cache does not hold")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run: 64 MiB, 0.2 s, 1 round")
    args = ap.parse_args()
    if args.quick:
        args.size, args.seconds, args.rounds = 64 << 20, 0.2, 1

    tmp = None
    path = args.file
    if path is None:
        tmp = tempfile.NamedTemporaryFile(prefix="aionl-bench-", delete=False)
        tmp.close()
        path = tmp.name
        make_file(path, args.size)
    size = os.path.getsize(path)
    try:
        warm(path)
        print(f"aionl {aionl.__version__}, Python {sys.version.split()[0]}, "
              f"{args.loop}, {size >> 20} MiB file in the page cache, 4 KiB random reads")
        out = {"python": sys.version.split()[0], "loop": args.loop, "size": size,
               "seconds": args.seconds, "rounds": args.rounds, "asyncio": [], "sync": []}
        print("asyncio:")
        if args.loop == "uvloop":
            import uvloop
            info = uvloop.run(asyncio_suite(path, size, args, out["asyncio"])) \
                if hasattr(uvloop, "run") else None
            if info is None:
                loop = uvloop.new_event_loop()
                try:
                    info = loop.run_until_complete(asyncio_suite(path, size, args, out["asyncio"]))
                finally:
                    loop.close()
        else:
            info = asyncio.run(asyncio_suite(path, size, args, out["asyncio"]))
        print("synchronous, page cache:")
        sync_suite(path, size, args, out["sync"])
        if args.cold:
            print("synchronous, from the device (the file's pages dropped before each run):")
            out["sync_cold"] = []
            sync_suite(path, size, args, out["sync_cold"], cold=True)
            warm(path)
        out["backend"] = f"{info.backend}+{info.executor}"
        print(f"backend: {out['backend']}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(out, f, indent=1)
    finally:
        if tmp is not None:
            os.unlink(path)


if __name__ == "__main__":
    main()
