# SPDX-License-Identifier: MIT
"""What the server of a context serves: Context.supports and aionl.probe(op=...)."""

import errno
import os

import pytest

import aionl

# Every request class and the control commands: the user engine serves them all.
REQUESTS = [aionl.Read, aionl.Write, aionl.Readv, aionl.Writev, aionl.Fsync, aionl.Fdatasync,
            aionl.Nop, aionl.Timer, aionl.TimerUpdate, aionl.Poll, aionl.Signal, aionl.Cancel,
            aionl.Open, aionl.Fallocate, aionl.Statx, aionl.Copy]
NAMES = ["get_info", "register", "unregister", "read", "write", "readv", "writev", "fsync",
         "fdatasync", "nop", "timer", "timer_update", "poll", "signal", "cancel", "open",
         "install", "bind", "fallocate", "statx", "copy"]


def test_every_request_and_command_is_served(ctx):
    for cls in REQUESTS:
        assert ctx.supports(cls) is True, cls
    for name in NAMES:
        assert ctx.supports(name) is True, name
        assert ctx.supports(name.upper()) is True, name


def test_a_request_object_and_its_number_say_the_same(ctx, tmp_path):
    req = aionl.Open(str(tmp_path / "x"), os.O_RDONLY)
    assert ctx.supports(req) is True
    assert ctx.supports(aionl.aionl_core.AIONL_OP_OPEN) is True
    assert ctx.supports(aionl.aionl_core.AIONL_OP_READ) is True


def test_what_names_no_command_is_not_served(ctx):
    for op in ["completion", "frobnicate", "", 0, 10, 60, 63, 64, 255, 2**32, 2**70, -1]:
        assert ctx.supports(op) is False, op
    assert ctx.supports(aionl.Request) is False
    with pytest.raises(TypeError):
        ctx.supports(1.5)
    with pytest.raises(TypeError):
        ctx.supports(True)


def test_a_closed_context_refuses(ctx):
    c = aionl.Context()
    c.close()
    with pytest.raises(ValueError):
        c.supports("read")


async def _async_supports():
    async with aionl.AsyncContext() as actx:
        return actx.supports("open"), actx.supports(60)


def test_an_async_context_answers_too():
    import asyncio
    assert asyncio.run(_async_supports()) == (True, False)


def test_probe_asks_for_an_op():
    i = aionl.Context().__enter__()
    try:
        info = i.info()
    finally:
        i.close()
    backend = info.backend
    executor = None if backend == "kernel" else info.executor
    assert aionl.probe(backend, executor, op="open") is None
    assert aionl.probe(backend, executor, op=aionl.Read) is None
    e = aionl.probe(backend, executor, op=60)
    assert isinstance(e, OSError) and e.errno == errno.EOPNOTSUPP
    e = aionl.probe(backend, executor, op="frobnicate")
    assert isinstance(e, OSError) and e.errno == errno.EOPNOTSUPP
    # A backend that cannot open says why, as probe() without an op does.
    if aionl.probe("kernel") is not None:
        assert isinstance(aionl.probe("kernel", op="read"), FileNotFoundError)
    with pytest.raises(ValueError):
        aionl.probe("floppy", op="read")
