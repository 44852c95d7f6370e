# SPDX-License-Identifier: MIT
"""Fixtures of the aionl pytest suite.

ctest runs the suite once per executor of the user backend, choosing it with
AIONL_BACKEND and AIONL_EXECUTOR; AIONL_TEST_EXPECT (e.g. "user+uring") makes
sure a run got the backend it is named after.
"""

import array
import asyncio
import functools
import os
import signal
import sys

import pytest

# The source folder of the package must not shadow the built one.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(_here)]

import aionl  # noqa: E402

FILE_SIZE = 1 << 20


@functools.lru_cache(maxsize=None)
def pattern(size, seed=0):
    """Bytes that differ at every offset, so that a read from the wrong place shows."""
    words = array.array("I", ((i * 2654435761 + seed) & 0xFFFFFFFF for i in range(0, size, 4)))
    return words.tobytes()[:size]


@pytest.fixture
def data(tmp_path):
    """A 1 MiB file of known bytes: (path, bytes)."""
    path = tmp_path / "data.bin"
    content = pattern(FILE_SIZE)
    path.write_bytes(content)
    return str(path), content


@pytest.fixture
def ctx():
    with aionl.Context() as c:
        yield c


@pytest.fixture
def rfile(ctx, data):
    """The data file opened read-only and registered with ctx."""
    fd = os.open(data[0], os.O_RDONLY)
    try:
        yield ctx.register(fd)
    finally:
        os.close(fd)


@pytest.fixture
def wfile(ctx, data):
    """The data file opened read-write and registered with ctx."""
    fd = os.open(data[0], os.O_RDWR)
    try:
        yield ctx.register(fd)
    finally:
        os.close(fd)


@pytest.fixture(autouse=True)
def signal_mask_restored():
    """Every test leaves the signal mask of the main thread as it found it."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    yield
    after = signal.pthread_sigmask(signal.SIG_SETMASK, before)
    assert after == before, f"the test left {after - before} blocked"


def _new_loop(kind):
    if kind == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request):
    """run(coroutine_function, *args): run it to completion on a fresh loop of each kind."""
    kind = request.param

    def runner(fn, *args):
        loop = _new_loop(kind)
        try:
            return loop.run_until_complete(fn(*args))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    runner.kind = kind
    return runner
