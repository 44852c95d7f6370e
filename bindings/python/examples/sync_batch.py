#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checksum a file with batches of reads through a Context, driven by selectors.

    sync_batch.py [--depth N] [--block BYTES] FILE

Keeps N reads in flight: submits a batch, waits with a selector until the
context's descriptor is readable, reaps what is done and refills, in order
of offset for the checksum. This is the shape of a program that already has
a select() loop and adds file I/O to it.
"""

import argparse
import os
import selectors
import sys
import zlib

import aionl


def checksum(path, depth, block):
    size = os.path.getsize(path)
    with aionl.Context() as ctx, open(path, "rb") as f:
        file = ctx.register(f)
        sel = selectors.DefaultSelector()
        sel.register(ctx, selectors.EVENT_READ)
        free = [aionl.Read(file, bytearray(block), 0, cookie=i) for i in range(depth)]
        done = {}               # offset -> bytes read, waiting for their turn
        crc, next_off, submit_off = 0, 0, 0
        inflight = 0
        while next_off < size:
            batch = []
            while free and submit_off < size:
                r = free.pop()
                r.offset = submit_off
                submit_off += block
                batch.append(r)
            if batch:
                n = ctx.submit(batch)
                free.extend(batch[n:])
                submit_off -= block * (len(batch) - n)
                inflight += n
            sel.select()        # the descriptor is readable: completions wait
            for c in ctx.reap(max=depth, min=0):
                inflight -= 1
                r = c.request
                if c.result < 0:
                    raise OSError(-c.result, os.strerror(-c.result), path)
                done[r.offset] = bytes(memoryview(r.buf)[:c.result])
                free.append(r)
            while next_off in done:
                data = done.pop(next_off)
                crc = zlib.crc32(data, crc)
                next_off += block
        sel.close()
        return crc


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--depth", type=int, default=32)
    ap.add_argument("--block", type=int, default=128 << 10)
    a = ap.parse_args()
    print(f"{checksum(a.file, a.depth, a.block):08x}  {a.file}")
    sys.exit(0)
