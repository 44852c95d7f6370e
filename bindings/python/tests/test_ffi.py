# SPDX-License-Identifier: MIT
"""The C API through ctypes, with no compiler: the exported request builders and the
named argument structs of struct aionl_req (0.3) are what an FFI needs; and the SWIG
module sees the same layout."""

import ctypes
import os
import signal

import pytest

import aionl

LIB = os.environ.get("AIONL_SHARED_LIBRARY")
pytestmark = pytest.mark.skipif(not LIB, reason="AIONL_SHARED_LIBRARY names libaionl.so (ctest sets it)")

u8, u32, u64, i32, i64 = ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int32, ctypes.c_int64


class TimerArgs(ctypes.Structure):
    _fields_ = [("value_ns", u64), ("interval_ns", u64), ("clock", u32), ("flags", u32),
                ("target", u64)]


class PollArgs(ctypes.Structure):
    _fields_ = [("events", u32), ("flags", u32)]


class CancelArgs(ctypes.Structure):
    _fields_ = [("target", u64), ("flags", u32)]


class BufUnion(ctypes.Union):
    _fields_ = [("buf", ctypes.c_void_p), ("iov", ctypes.c_void_p)]


class ArgsUnion(ctypes.Union):
    _fields_ = [("timer", TimerArgs), ("poll", PollArgs), ("sigmask", u64), ("cancel", CancelArgs)]


class Req(ctypes.Structure):
    _anonymous_ = ("u1", "u2")
    _fields_ = [("op", u8), ("flags", u8), ("reserved0", u8 * 2), ("nr_iov", u32), ("handle", u64),
                ("offset", u64), ("u1", BufUnion), ("len", u64), ("cookie", u64),
                ("timeout_ns", u64), ("u2", ArgsUnion)]


class SigInfo(ctypes.Structure):
    _fields_ = [("signo", i32), ("code", i32), ("errno_", i32), ("status", i32), ("pid", u32),
                ("uid", u32), ("fd", i32), ("overrun", i32), ("band", i64), ("value", u64),
                ("addr", u64)]


class Cqe(ctypes.Structure):
    _fields_ = [("cookie", u64), ("res", i64), ("flags", u32), ("reserved", u32), ("si", SigInfo)]


@pytest.fixture(scope="module")
def lib():
    lib = ctypes.CDLL(LIB)
    P = ctypes.POINTER
    sig = {
        "aionl_req_read": [P(Req), u64, ctypes.c_void_p, ctypes.c_size_t, u64, u64],
        "aionl_req_timer": [P(Req), ctypes.c_int, u64, u64, u32, u64],
        "aionl_req_timer_update": [P(Req), u64, u64, u64, u32, u64],
        "aionl_req_poll": [P(Req), u64, u32, u32, u64],
        "aionl_req_cancel": [P(Req), u64, u32, u64],
        "aionl_req_nop": [P(Req), u64],
        "aionl_req_set_timeout": [P(Req), u64],
        "aionl_req_set_flags": [P(Req), u32],
        "aionl_ctx_open": [P(ctypes.c_void_p), ctypes.c_void_p],
        "aionl_ctx_close": [ctypes.c_void_p],
        "aionl_file_register": [ctypes.c_void_p, ctypes.c_int, P(u64)],
        "aionl_submit": [ctypes.c_void_p, P(Req), ctypes.c_uint],
        "aionl_reap": [ctypes.c_void_p, P(Cqe), ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p],
    }
    for name, args in sig.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = None if name.startswith("aionl_req_") or name == "aionl_ctx_close" else ctypes.c_int
    lib.aionl_error_message.restype = ctypes.c_char_p
    return lib


def test_layout_is_the_one_swig_wraps():
    c = aionl.aionl_core
    assert ctypes.sizeof(Req) == 88
    assert Req.timeout_ns.offset == 48 and Req.u2.offset == 56
    assert ctypes.sizeof(Cqe) == 80
    # The named structs are SWIG classes of their own (0.3), with the C members.
    for name, fields in (("aionl_timer_args", TimerArgs), ("aionl_poll_args", PollArgs),
                         ("aionl_cancel_args", CancelArgs)):
        obj = getattr(c, name)()
        for f, _ in fields._fields_:
            assert hasattr(obj, f), f"{name}.{f}"


def test_the_exported_builders_fill_requests(lib):
    r = Req()
    lib.aionl_req_timer(ctypes.byref(r), 7, 1000, 2000, 1, 42)
    assert (r.op, r.cookie, r.timer.value_ns, r.timer.interval_ns, r.timer.clock, r.timer.flags) == \
        (aionl.aionl_core.AIONL_OP_TIMER, 42, 1000, 2000, 7, 1)
    lib.aionl_req_timer_update(ctypes.byref(r), 42, 5, 6, 0, 43)
    assert (r.op, r.timer.target, r.cookie) == (aionl.aionl_core.AIONL_OP_TIMER_UPDATE, 42, 43)
    lib.aionl_req_poll(ctypes.byref(r), 9, aionl.POLL_IN, 1, 44)
    assert (r.handle, r.poll.events, r.poll.flags) == (9, aionl.POLL_IN, 1)
    lib.aionl_req_cancel(ctypes.byref(r), 77, 2, 45)
    assert (r.cancel.target, r.cancel.flags, r.cookie) == (77, 2, 45)
    # The SWIG module's builder fills the same bytes.
    c = aionl.aionl_core
    s = c.aionl_req()
    c.aionl_req_cancel(s, 77, 2, 45)
    assert (s.op, s.cancel.target, s.cancel.flags, s.cookie) == (r.op, 77, 2, 45)
    # The ordering flags (since 0.4), in the byte after op.
    lib.aionl_req_nop(ctypes.byref(r), 46)
    lib.aionl_req_set_flags(ctypes.byref(r), aionl.REQ_LINK | aionl.REQ_DRAIN)
    assert (r.op, r.flags, r.cookie) == (aionl.aionl_core.AIONL_OP_NOP, 3, 46)
    c.aionl_req_nop(s, 46)
    c.aionl_req_set_flags(s, aionl.REQ_LINK | aionl.REQ_DRAIN)
    assert (s.op, s.flags, s.cookie) == (r.op, 3, 46)


def test_a_whole_read_through_ctypes(lib, data):
    ctx = ctypes.c_void_p()
    assert lib.aionl_ctx_open(ctypes.byref(ctx), None) == 0, lib.aionl_error_message()
    try:
        fd = os.open(data[0], os.O_RDONLY)
        h = u64()
        assert lib.aionl_file_register(ctx, fd, ctypes.byref(h)) == 0
        os.close(fd)
        buf = ctypes.create_string_buffer(64)
        reqs = (Req * 2)()
        lib.aionl_req_read(ctypes.byref(reqs[0]), h.value, buf, 64, 4096, 1)
        lib.aionl_req_set_timeout(ctypes.byref(reqs[0]), 10**9)
        lib.aionl_req_nop(ctypes.byref(reqs[1]), 2)
        assert lib.aionl_submit(ctx, reqs, 2) == 2
        cqes = (Cqe * 4)()
        n = 0
        got = {}
        while n < 2:
            k = lib.aionl_reap(ctx, cqes, 4, 1, None)
            assert k > 0
            for i in range(k):
                got[cqes[i].cookie] = cqes[i].res
            n += k
        assert got == {1: 64, 2: 0}
        assert buf.raw == data[1][4096:4160]
    finally:
        lib.aionl_ctx_close(ctx)


def test_signal_builder_takes_a_sigset(lib):
    # sigset_t is the one argument an FFI must build; glibc's is 128 bytes of bits.
    class SigSet(ctypes.Structure):
        _fields_ = [("bits", ctypes.c_ulong * 16)]

    s = SigSet()
    s.bits[0] = 1 << (signal.SIGUSR1 - 1)
    lib.aionl_req_signal.argtypes = [ctypes.POINTER(Req), ctypes.POINTER(SigSet), u64]
    lib.aionl_req_signal.restype = None
    r = Req()
    lib.aionl_req_signal(ctypes.byref(r), ctypes.byref(s), 5)
    assert (r.op, r.sigmask, r.cookie) == (aionl.aionl_core.AIONL_OP_SIGNAL,
                                           1 << (signal.SIGUSR1 - 1), 5)
