# SPDX-License-Identifier: MIT
"""Errors: OSError subclasses with errno and the library's message, TypeError and
ValueError for bad input, ValueError on a closed context, and no crash whatever
Python passes."""

import os
import random
import subprocess
import sys
import textwrap

import pytest

import aionl


def test_negative_errno_becomes_the_matching_oserror_subclass(ctx, tmp_path, data):
    # A directory: IsADirectoryError, from the completion's result.
    d = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        f = ctx.register(d)
        with pytest.raises(IsADirectoryError) as e:
            ctx.read(f, bytearray(8), 0)
        assert e.value.errno == 21
    finally:
        os.close(d)
    # A closed descriptor: OSError EBADF, with the library's message.
    fd = os.open(data[0], os.O_RDONLY)
    os.close(fd)
    with pytest.raises(OSError) as e:
        ctx.register(fd)
    assert e.value.errno == 9
    assert f"fd {fd}" in e.value.strerror, "aionl_error_message() names what was at fault"


def test_a_handle_that_was_unregistered_fails_with_ebadf(ctx, rfile):
    ctx.unregister(rfile)
    assert not rfile.registered and "unregistered" in repr(rfile)
    with pytest.raises(OSError) as e:
        ctx.read(rfile, bytearray(4), 0)
    assert e.value.errno == 9
    with pytest.raises(OSError) as e:
        ctx.unregister(rfile)
    assert e.value.errno == 9
    assert "handle" in e.value.strerror


def test_a_file_of_another_context(ctx, data):
    with aionl.Context() as other, open(data[0], "rb") as f:
        theirs = other.register(f)
        with pytest.raises(ValueError):
            ctx.unregister(theirs)
        with pytest.raises(OSError) as e:
            ctx.read(theirs, bytearray(4), 0)
        assert e.value.errno == 9


@pytest.mark.parametrize("make, exc", [
    (lambda f, b: aionl.Read("f", b, 0), TypeError),
    (lambda f, b: aionl.Read(3, b, 0), TypeError),
    (lambda f, b: aionl.Read(f, b, "0"), TypeError),
    (lambda f, b: aionl.Read(f, b, 1.0), TypeError),
    (lambda f, b: aionl.Read(f, b, -1), ValueError),
    (lambda f, b: aionl.Read(f, b, 2**63), ValueError),
    (lambda f, b: aionl.Read(f, b, 2**64), ValueError),
    (lambda f, b: aionl.Read(f, b, 0, cookie=-1), ValueError),
    (lambda f, b: aionl.Read(f, b, 0, cookie=1.5), TypeError),
    (lambda f, b: aionl.Read(f, b, 0, timeout=0), ValueError),
    (lambda f, b: aionl.Read(f, b, 0, timeout=-1), ValueError),
    (lambda f, b: aionl.Read(f, b, 0, timeout="1"), TypeError),
    (lambda f, b: aionl.Read(f, b, 0, timeout=float("nan")), ValueError),
    (lambda f, b: aionl.Read(f, b, 0, timeout=1e300), ValueError),
    (lambda f, b: aionl.Readv(f, [], 0), ValueError),
    (lambda f, b: aionl.Readv(f, [b] * 2000, 0), ValueError),
    (lambda f, b: aionl.Readv(f, b, 0), TypeError),
    (lambda f, b: aionl.Readv(f, 5, 0), TypeError),
    (lambda f, b: aionl.Fsync(None), TypeError),
    (lambda f, b: aionl.Timer(-1), ValueError),
    (lambda f, b: aionl.Timer("soon"), TypeError),
    (lambda f, b: aionl.Timer(1, clock=12345), ValueError),
    (lambda f, b: aionl.Timer(1, interval=-0.5), ValueError),
    (lambda f, b: aionl.Timer(float("inf")), ValueError),
    (lambda f, b: aionl.TimerUpdate("x", 1), TypeError),
    (lambda f, b: aionl.Poll(f, 1 << 20), ValueError),
    (lambda f, b: aionl.Poll(f, -1), ValueError),
    (lambda f, b: aionl.Signal(set()), ValueError),
    (lambda f, b: aionl.Signal({0}), ValueError),
    (lambda f, b: aionl.Signal({65}), ValueError),
    (lambda f, b: aionl.Signal({"SIGINT"}), TypeError),
    (lambda f, b: aionl.Cancel("x"), TypeError),
    (lambda f, b: aionl.Open(b"a\0b"), ValueError),
    (lambda f, b: aionl.Open(None), TypeError),
    (lambda f, b: aionl.Open("x", flags=-1), ValueError),
    (lambda f, b: aionl.Open("x", mode=-1), ValueError),
    (lambda f, b: aionl.Open("x", dir=3), TypeError),
    (lambda f, b: object(), TypeError),
    (lambda f, b: 42, TypeError),
])
def test_bad_requests_are_refused_before_anything_is_sent(ctx, rfile, make, exc):
    buf = bytearray(16)
    with pytest.raises(exc):
        ctx.submit([make(rfile, buf)])
    with pytest.raises(exc):
        ctx.submit([aionl.Nop(cookie=1), make(rfile, buf)])
    # Nothing was submitted, nothing is held.
    assert ctx.reap(min=0) == []
    buf.append(0)


def test_submit_takes_a_sequence(ctx):
    with pytest.raises(TypeError):
        ctx.submit(aionl.Nop())
    with pytest.raises(TypeError):
        ctx.submit(None)
    assert ctx.submit([]) == 0
    assert ctx.submit(aionl.Nop(cookie=i) for i in range(3)) == 3
    assert len(ctx.reap(max=3, min=3)) == 3


def test_wrong_types_in_blocking_calls(ctx, rfile):
    with pytest.raises(TypeError):
        ctx.read(rfile, bytearray(4), None)
    with pytest.raises(TypeError):
        ctx.write(rfile, "text", 0)
    with pytest.raises(TypeError):
        ctx.fsync(3)
    with pytest.raises(TypeError):
        ctx.reap(max="all")
    with pytest.raises(TypeError):
        ctx.unregister(3)


def test_every_call_on_a_closed_context_is_a_value_error(data):
    ctx = aionl.Context()
    f = ctx.register(os.open(data[0], os.O_RDONLY))
    ctx.close()
    ctx.close()                 # idempotent
    assert ctx.closed
    calls = [
        lambda: ctx.fileno(), lambda: ctx.info(), lambda: ctx.register(0),
        lambda: ctx.unregister(f), lambda: ctx.read(f, bytearray(1), 0),
        lambda: ctx.write(f, b"x", 0), lambda: ctx.readv(f, [bytearray(1)], 0),
        lambda: ctx.writev(f, [b"x"], 0), lambda: ctx.fsync(f), lambda: ctx.fdatasync(f),
        lambda: ctx.submit([aionl.Nop()]), lambda: ctx.reap(), lambda: ctx.reap(timeout=0),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()
    assert "closed" in repr(ctx)


def test_the_raw_module_refuses_none_where_c_wants_a_pointer():
    c = aionl.aionl_core
    with pytest.raises(ValueError):
        c.aionl_req_nop(None, 1)
    r = c.aionl_req()
    with pytest.raises(ValueError):
        r.timer = None
    with pytest.raises(ValueError):
        c.aionl_cqe().si = None
    # Nested structs come out as copies: one outliving its parent is safe.
    t = c.aionl_req().timer
    t.value_ns = 5
    assert t.value_ns == 5
    c.aionl_req_timer(r, 1, 7, 8, 0, 3)
    assert (r.op, r.cookie, r.timer.value_ns, r.timer.interval_ns) == (c.AIONL_OP_TIMER, 3, 7, 8)
    with pytest.raises(AttributeError):
        r.buf = 0


def test_random_input_never_crashes_the_interpreter(tmp_path):
    """Throw random values at every entry point in a child interpreter: it must exit normally."""
    script = textwrap.dedent('''
        import os, random, signal, sys, array, mmap
        import aionl
        rnd = random.Random(int(sys.argv[1]))
        values = [None, 0, 1, -1, 2**63, 2**64, -2**70, 1.5, float("nan"), "s", b"b",
                  bytearray(3), memoryview(b"ro"), array.array("b", [1]), [], [bytearray(2)],
                  (b"x",), {1, 2}, {0}, object(), aionl.OFFSET_STREAM, 4096, 1e-9,
                  "/etc/hostname", "/nonexistent", "\\0", "x" * 5000, 0o644, os.O_RDONLY]
        kinds = [aionl.Read, aionl.Write, aionl.Readv, aionl.Writev, aionl.Fsync,
                 aionl.Fdatasync, aionl.Nop, aionl.Timer, aionl.TimerUpdate, aionl.Poll,
                 aionl.Cancel, aionl.Open]
        r, w = os.pipe()
        ok = errors = 0
        with aionl.Context(max_inflight=64) as ctx:
            files = [ctx.register(r), ctx.register(w), ctx.register(os.open("/proc/self/exe", os.O_RDONLY))]
            values += files
            for i in range(4000):
                cls = rnd.choice(kinds)
                req = cls.__new__(cls)
                for cl in cls.__mro__:
                    for name in getattr(cl, "__slots__", ()):
                        if name != "__weakref__":
                            setattr(req, name, rnd.choice(values))
                try:
                    ctx.submit([req])
                    ok += 1
                except (TypeError, ValueError, BufferError, OSError):
                    errors += 1
                if i % 16 == 0:
                    os.write(w, b"x" * 16)
                    try:
                        ctx.submit([aionl.Cancel(all=True)])
                    except OSError:
                        pass
                    ctx.reap(max=256, min=0)
            for call in (lambda: ctx.reap(max=rnd.choice(values), min=rnd.choice(values),
                                          timeout=rnd.choice([0, 0.001])),
                         lambda: ctx.register(rnd.choice(values)),
                         lambda: ctx.unregister(rnd.choice(values)),
                         lambda: ctx.read(rnd.choice(values), rnd.choice(values), rnd.choice(values),
                                          timeout=0.001)):
                for _ in range(200):
                    try:
                        call()
                    except (TypeError, ValueError, BufferError, OSError, AttributeError):
                        pass
        print(ok, errors)
    ''')
    path = tmp_path / "fuzz.py"
    path.write_text(script)
    for seed in (1, 2):
        p = subprocess.run([sys.executable, str(path), str(seed)], capture_output=True,
                           text=True, timeout=120, env=dict(os.environ))
        assert p.returncode == 0, p.stderr[-2000:]
        ok, errors = map(int, p.stdout.split())
        assert ok > 30 and errors > 1000, "both good and bad requests were tried"


def test_after_fork_the_child_may_only_close(ctx, rfile, data):
    pid = os.fork()
    if pid == 0:                # the child: report through the exit code only
        code = 10
        try:
            try:
                ctx.read(rfile, bytearray(4), 0)
            except ChildProcessError:
                code = 11
                ctx.close()     # allowed: releases the child's copies only
                with aionl.Context() as own, open(data[0], "rb") as f:
                    buf = bytearray(4)
                    if own.read(own.register(f), buf, 0) == 4 and bytes(buf) == data[1][:4]:
                        code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's context went on untouched.
    buf = bytearray(4)
    assert ctx.read(rfile, buf, 4) == 4 and bytes(buf) == data[1][4:8]
