# SPDX-License-Identifier: MIT
"""Threads and signals: the GIL is released while blocked, one Context serves many
threads, and signal handlers run during a blocking reap (PEP 475)."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import aionl

from conftest import FILE_SIZE


def test_a_blocked_reap_releases_the_gil(ctx):
    got = []
    t = threading.Thread(target=lambda: got.extend(ctx.reap(timeout=10)))
    t0 = time.monotonic()
    t.start()
    time.sleep(0.1)             # the thread is blocked in the library by now
    # This thread runs meanwhile (it holds the GIL to get here) and wakes it.
    ctx.submit([aionl.Nop(cookie=9)])
    t.join(10)
    assert not t.is_alive()
    assert [c.cookie for c in got] == [9]
    assert time.monotonic() - t0 < 5


def test_many_threads_share_one_context(ctx, data):
    fd = os.open(data[0], os.O_RDONLY)
    errors = []

    def worker(k):
        try:
            f = ctx.register(fd)
            buf = bytearray(4096)
            for i in range(150):
                off = ((k * 7919 + i * 104729) % (FILE_SIZE // 4096)) * 4096
                assert ctx.read(f, buf, off) == 4096
                assert bytes(buf) == data[1][off:off + 4096]
            ctx.unregister(f)
        except BaseException as e:      # noqa: B902: reported below
            errors.append(e)

    try:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        os.close(fd)
    assert not errors, errors[0]


def test_blocking_calls_and_reap_do_not_take_each_others_completions(ctx):
    r, w = os.pipe()
    stop = threading.Event()
    mine = []
    errors = []

    def reaper():
        try:
            for i in range(200):
                ctx.submit([aionl.Nop(cookie=i)])
            while len(mine) < 200 and not stop.is_set():
                mine.extend(c.cookie for c in ctx.reap(max=64, timeout=0.5))
        except BaseException as e:      # noqa: B902
            errors.append(e)

    try:
        fr, fw = ctx.register(r), ctx.register(w)
        t = threading.Thread(target=reaper)
        t.start()
        buf = bytearray(1)
        for i in range(200):
            assert ctx.write(fw, bytes([i]), aionl.OFFSET_STREAM) == 1
            assert ctx.read(fr, buf, aionl.OFFSET_STREAM) == 1 and buf[0] == i
        t.join(30)
        stop.set()
    finally:
        os.close(r)
        os.close(w)
    assert not errors, errors[0]
    assert sorted(mine) == list(range(200))


def test_a_completion_a_blocking_call_took_leaves_the_descriptor_readable(ctx):
    import select
    r, w = os.pipe()
    try:
        fr, fw = ctx.register(r), ctx.register(w)
        ctx.submit([aionl.Nop(cookie=1)])
        # This blocking write may reap the Nop's completion for reap():
        assert ctx.write(fw, b"x", aionl.OFFSET_STREAM) == 1
        assert select.select([ctx], [], [], 5)[0] == [ctx]
        assert [c.cookie for c in ctx.reap(timeout=0)] == [1]
    finally:
        os.close(r)
        os.close(w)


def test_close_wakes_a_thread_blocked_in_reap():
    ctx = aionl.Context()
    raised = []

    def blocked():
        try:
            ctx.reap(timeout=30)
        except ValueError as e:
            raised.append(e)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.1)
    t0 = time.monotonic()
    ctx.close()
    t.join(10)
    assert not t.is_alive() and raised
    assert time.monotonic() - t0 < 5


@pytest.fixture
def alarm():
    """alarm(seconds, handler): SIGALRM after seconds, handled by handler."""
    old = signal.getsignal(signal.SIGALRM)

    def set_alarm(seconds, handler):
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)

    yield set_alarm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def test_a_handler_that_returns_lets_the_reap_go_on(ctx, alarm):
    ran = []
    alarm(0.05, lambda *a: ran.append(time.monotonic()))
    t0 = time.monotonic()
    assert ctx.reap(timeout=1.0) == []
    elapsed = time.monotonic() - t0
    assert ran, "the handler ran during the reap"
    assert ran[0] - t0 < 0.9
    assert 0.99 < elapsed < 6, "the reap went on with the remaining time"


class Interrupted(Exception):
    pass


def raise_interrupted(*args):
    raise Interrupted()


def test_a_handler_that_raises_ends_the_reap(ctx, alarm):
    alarm(0.05, raise_interrupted)
    t0 = time.monotonic()
    with pytest.raises(Interrupted):
        ctx.reap()              # no timeout: only the handler ends it
    assert time.monotonic() - t0 < 5
    # The context is fine afterwards.
    ctx.submit([aionl.Nop(cookie=1)])
    assert ctx.reap()[0].cookie == 1


def test_a_handler_that_raises_ends_a_blocking_read_and_its_buffer_is_safe(ctx, alarm):
    r, w = os.pipe()
    try:
        fr = ctx.register(r)
        buf = bytearray(8)
        alarm(0.05, raise_interrupted)
        with pytest.raises(Interrupted):
            ctx.read(fr, buf, aionl.OFFSET_STREAM)
        # The read was cancelled; until its end is reaped the buffer stays locked.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            ctx.reap(min=0)
            try:
                buf.append(0)
                break
            except BufferError:
                time.sleep(0.01)
        assert len(buf) == 9
        os.write(w, b"later")
        assert os.read(r, 16) == b"later", "the cancelled read took nothing"
    finally:
        os.close(r)
        os.close(w)


def test_a_thread_waiting_behind_another_reaper_is_interrupted_too(ctx, alarm):
    t = threading.Thread(target=lambda: ctx.reap(timeout=2))
    t.start()
    time.sleep(0.05)            # t reaps for everyone; this thread waits behind it
    alarm(0.05, raise_interrupted)
    t0 = time.monotonic()
    with pytest.raises(Interrupted):
        ctx.reap(timeout=10)
    assert time.monotonic() - t0 < 1.5
    t.join(10)


def test_ctrl_c_interrupts_a_blocking_reap(tmp_path):
    script = textwrap.dedent('''
        import signal, sys, aionl
        # As an interactive Python has it (a shell may start tests with SIGINT ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with aionl.Context() as ctx:
            try:
                print("ready", flush=True)
                ctx.reap()              # waits forever
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                sys.exit(0)
        sys.exit(3)
    ''')
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    finally:
        p.kill()
    assert p.returncode == 0, err
    assert out.strip() == "interrupted"
