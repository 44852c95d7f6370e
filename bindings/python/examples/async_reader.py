#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Read many files at once through one AsyncContext while a timer ticks; Ctrl-C stops it.

    async_reader.py [--tasks N] [--tick SECONDS] [--forever] FILE...

Every file is read in 64 KiB chunks by one of N tasks and checksummed; a
ticker reports progress from a periodic timer of the same context. SIGINT or
SIGTERM come through the context too (a signal watch, no handler): they
cancel the readers, which end cleanly (a cancelled read waits until the
library is done with its buffer), and the program prints what it did and
exits 0. With --forever the files are read again and again until a signal.
"""

import argparse
import asyncio
import os
import signal
import sys
import time
import zlib

import aionl

CHUNK = 64 << 10


async def read_file(actx, path, stats):
    """Read one file through the context: its CRC-32."""
    fd = os.open(path, os.O_RDONLY)
    try:
        file = actx.register(fd)
    finally:
        os.close(fd)            # the context holds its own reference
    try:
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        crc = 0
        offset = 0
        while True:
            n = await actx.read(file, buf, offset)
            if n == 0:
                break
            crc = zlib.crc32(view[:n], crc)
            offset += n
            stats["bytes"] += n
        stats["files"] += 1
        return crc
    finally:
        actx.unregister(file)


async def reader(actx, queue, stats, forever):
    while True:
        try:
            path = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        try:
            crc = await read_file(actx, path, stats)
            if not forever:
                print(f"{crc:08x}  {path}", flush=True)
        except OSError as e:
            print(f"{path}: {e.strerror}", file=sys.stderr, flush=True)
            stats["errors"] += 1
        if forever:
            queue.put_nowait(path)


async def ticker(actx, stats, seconds, start):
    async for expirations in actx.interval(seconds):
        late = f" ({expirations - 1} ticks late)" if expirations > 1 else ""
        mib = stats["bytes"] / (1 << 20)
        print(f"tick {time.monotonic() - start:6.2f}s: {stats['files']} files, "
              f"{mib:.1f} MiB{late}", flush=True)


async def main(args):
    stats = {"bytes": 0, "files": 0, "errors": 0}
    start = time.monotonic()
    async with aionl.AsyncContext() as actx:
        # From here on SIGINT and SIGTERM come through the context.
        watch = actx.signals({signal.SIGINT, signal.SIGTERM})
        queue = asyncio.Queue()
        for path in args.files:
            queue.put_nowait(path)
        readers = [asyncio.ensure_future(reader(actx, queue, stats, args.forever))
                   for _ in range(args.tasks)]
        tick = asyncio.ensure_future(ticker(actx, stats, args.tick, start))

        async def first_signal():
            async for si in watch:
                return si

        stop = asyncio.ensure_future(first_signal())
        all_read = asyncio.gather(*readers, return_exceptions=True)
        done, _ = await asyncio.wait([stop, all_read], return_when=asyncio.FIRST_COMPLETED)
        for t in readers + [tick, stop]:
            t.cancel()
        await asyncio.gather(all_read, tick, stop, return_exceptions=True)
        watch.close()           # SIGINT and SIGTERM are unblocked again
        how = "finished"
        if stop in done and not stop.cancelled() and stop.result() is not None:
            how = f"stopped by {signal.Signals(stop.result().signo).name}"
    mib = stats["bytes"] / (1 << 20)
    print(f"{how}: {stats['files']} files, {mib:.1f} MiB in "
          f"{time.monotonic() - start:.2f}s, {stats['errors']} errors", flush=True)
    return 1 if stats["errors"] else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--tasks", type=int, default=16)
    ap.add_argument("--tick", type=float, default=0.5)
    ap.add_argument("--forever", action="store_true")
    sys.exit(asyncio.run(main(ap.parse_args())))
