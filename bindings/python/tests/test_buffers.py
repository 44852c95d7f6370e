# SPDX-License-Identifier: MIT
"""Buffers are kept alive and locked from submission until their completion is reaped."""

import array
import gc
import os
import weakref

import pytest

import aionl


@pytest.fixture
def pipe(ctx):
    """A pipe whose read end is registered: reads on it wait until written."""
    r, w = os.pipe()
    try:
        yield ctx.register(r), w
    finally:
        os.close(r)
        os.close(w)


def test_a_bytearray_in_flight_cannot_be_resized(ctx, pipe):
    fr, w = pipe
    buf = bytearray(8)
    ctx.submit([aionl.Read(fr, buf, aionl.OFFSET_STREAM, cookie=1)])
    with pytest.raises(BufferError):
        buf.extend(b"more")
    with pytest.raises(BufferError):
        del buf[0:4]
    with pytest.raises(BufferError):
        buf.clear()
    os.write(w, b"abc")
    (c,) = ctx.reap()
    assert c.result == 3 and buf[:3] == b"abc"
    buf.extend(b"more")         # reaped: free again
    assert len(buf) == 12


def test_a_buffer_in_flight_stays_alive_without_other_references(ctx, pipe):
    np = pytest.importorskip("numpy")
    fr, w = pipe
    a = np.zeros(16, dtype=np.uint8)
    ref = weakref.ref(a)
    ctx.submit([aionl.Read(fr, a, aionl.OFFSET_STREAM, cookie=1)])
    del a
    gc.collect()
    assert ref() is not None, "the context holds the buffer while the engine may write it"
    os.write(w, b"0123456789")
    (c,) = ctx.reap()
    assert c.result == 10
    assert bytes(c.request.buf[:10]) == b"0123456789"
    del c
    gc.collect()
    assert ref() is None, "reaped: the context let it go"


def test_requests_in_flight_are_held_by_the_context(ctx, pipe):
    fr, w = pipe
    bufs = [bytearray(4) for _ in range(4)]
    reqs = [aionl.Read(fr, b, aionl.OFFSET_STREAM) for b in bufs]
    refs = [weakref.ref(r) for r in reqs]
    ctx.submit(reqs)
    del reqs
    gc.collect()
    assert all(r() is not None for r in refs)
    os.write(w, b"a" * 16)
    got = []
    while len(got) < 4:
        got += ctx.reap()
    assert sum(c.result for c in got) == 16
    assert all(b == b"aaaa" for b in bufs)
    assert {id(c.request) for c in got} == {id(r()) for r in refs}
    del got
    gc.collect()
    assert all(r() is None for r in refs)


def test_a_write_holds_its_data_too(ctx, data):
    fd = os.open(data[0], os.O_RDWR)
    try:
        f = ctx.register(fd)
        payload = bytearray(b"z" * 4096)
        ctx.submit([aionl.Write(f, payload, 0, cookie=1)])
        # Whether or not it completed already, it is locked until reaped.
        with pytest.raises(BufferError):
            payload.append(0)
        assert ctx.reap()[0].result == 4096
        payload.append(0)
    finally:
        os.close(fd)


def test_readv_holds_every_buffer(ctx, pipe):
    fr, w = pipe
    a, b = bytearray(2), bytearray(2)
    ctx.submit([aionl.Readv(fr, [a, b], aionl.OFFSET_STREAM, cookie=1)])
    for x in (a, b):
        with pytest.raises(BufferError):
            x.append(1)
    os.write(w, b"wxyz")
    assert ctx.reap()[0].result == 4
    assert (a, b) == (b"wx", b"yz")
    a.append(1)
    b.append(1)


def test_a_read_needs_a_writable_buffer(ctx, rfile):
    for ro in (b"immutable", memoryview(b"immutable"), memoryview(bytearray(8)).toreadonly()):
        with pytest.raises((TypeError, BufferError)):
            ctx.read(rfile, ro, 0)
        with pytest.raises((TypeError, BufferError)):
            ctx.submit([aionl.Read(rfile, ro, 0)])
    for not_a_buffer in ("text", 42, None, [bytearray(4)]):
        with pytest.raises(TypeError):
            ctx.read(rfile, not_a_buffer, 0)
    # A write takes any bytes-like, read-only or not (this file is read-only: EBADF).
    with pytest.raises(OSError) as e:
        ctx.write(rfile, b"immutable", 0)
    assert e.value.errno == 9


def test_a_refused_request_holds_nothing(ctx, rfile):
    buf = bytearray(8)
    with pytest.raises(ValueError):
        ctx.submit([aionl.Read(rfile, buf, 0), aionl.Read(rfile, bytearray(1), -1)])
    buf.append(0)               # the first was never submitted: not held


def test_closing_the_context_lets_the_buffers_go(pipe, data):
    ctx = aionl.Context()
    r, w = os.pipe()
    try:
        fr = ctx.register(r)
        buf = bytearray(4)
        ctx.submit([aionl.Read(fr, buf, aionl.OFFSET_STREAM)])
        with pytest.raises(BufferError):
            buf.append(0)
        ctx.close()             # cancels and waits for what is in flight
        buf.append(0)
    finally:
        os.close(r)
        os.close(w)


def test_arrays_and_memoryviews_are_locked_too(ctx, pipe):
    fr, w = pipe
    arr = array.array("b", [0] * 4)
    ctx.submit([aionl.Read(fr, arr, aionl.OFFSET_STREAM, cookie=1)])
    with pytest.raises(BufferError):
        arr.append(1)
    os.write(w, b"\x01\x02")
    assert ctx.reap()[0].result == 2
    arr.append(1)
    assert list(arr) == [1, 2, 0, 0, 1]
