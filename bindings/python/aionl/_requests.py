# SPDX-License-Identifier: MIT
"""Request objects: one class per operation of the C API.

A request is a plain object holding its arguments; nothing is checked or
held until it is submitted (Context.submit), when every field is checked
(TypeError for a wrong type, ValueError for a value the protocol refuses) and
its buffers are exported until its last completion is reaped. A request may
be submitted again once its last completion is reaped.

The cookie comes back in every completion. None (the default) lets the
context pick one, unique among the requests in flight, and store it in the
request's ``cookie`` when it is submitted. Cookies chosen by hand must be
distinct among the requests in flight of a context (ValueError otherwise).

Times are seconds, as int or float (nanoseconds on the wire).

Reads, writes, fsyncs, NOPs and OPENs may be ordered, as io_uring's
IOSQE_IO_LINK and IOSQE_IO_DRAIN order SQEs (aionl_req_set_flags(3)):
``link=True`` makes the next request of the same Context.submit() batch start
only once this one succeeded (a failure, or a transfer of fewer bytes than
asked, completes the rest of the chain with -ECANCELED); ``drain=True`` makes
the request wait for everything submitted before it, and everything after it
wait for it. A chain is accepted whole or not at all.
"""

import os as _os
import time as _time

from . import aionl_core as _c

__all__ = [
    "Request", "Read", "Write", "Readv", "Writev", "Fsync", "Fdatasync", "Nop",
    "Timer", "TimerUpdate", "Poll", "Signal", "Cancel", "Open",
]


def _describe(buf):
    """A buffer in a repr: its type and size, not its bytes."""
    try:
        n = memoryview(buf).nbytes
    except TypeError:
        return repr(buf)
    return f"<{type(buf).__name__} of {n} bytes>"


class Request:
    """Base of the request classes. ``cookie`` is the request's cookie."""

    __slots__ = ("cookie", "__weakref__")
    _op = -1

    def _fields(self):
        out = []
        for cls in reversed(type(self).__mro__):
            for name in getattr(cls, "__slots__", ()):
                if name == "__weakref__":
                    continue
                v = getattr(self, name, None)
                if name == "buf":
                    v = _describe(v)
                elif name == "buffers":
                    v = "[" + ", ".join(_describe(b) for b in v) + "]"
                else:
                    v = repr(v)
                out.append(f"{name}={v}")
        return ", ".join(out)

    def __repr__(self):
        return f"{type(self).__name__}({self._fields()})"


class _Ordered(Request):
    """A request that takes ``link`` and ``drain``: see the module's docstring."""

    __slots__ = ("link", "drain")


class Read(_Ordered):
    """Read ``len(buf)`` bytes at ``offset`` of ``file`` into the writable buffer ``buf``.

    ``buf`` is any writable contiguous buffer (bytearray, memoryview, mmap,
    array.array, a numpy array): the data lands there with no copy. A
    memoryview slice reads into part of a buffer. ``offset`` is a byte
    offset, or OFFSET_STREAM for pipes and sockets. ``timeout``: seconds
    after which the read completes with -ETIMEDOUT if it has not started
    (None: no deadline). The result is the number of bytes read.
    """

    __slots__ = ("file", "buf", "offset", "timeout")
    _op = _c.AIONL_OP_READ

    def __init__(self, file, buf, offset, cookie=None, *, timeout=None, link=False, drain=False):
        self.file = file
        self.buf = buf
        self.offset = offset
        self.cookie = cookie
        self.timeout = timeout
        self.link = link
        self.drain = drain


class Write(Read):
    """Write the bytes-like ``buf`` at ``offset`` of ``file``; see Read."""

    __slots__ = ()
    _op = _c.AIONL_OP_WRITE


class Readv(_Ordered):
    """Read into each buffer of ``buffers`` in turn (1 to max_iov of them), from ``offset``."""

    __slots__ = ("file", "buffers", "offset", "timeout")
    _op = _c.AIONL_OP_READV

    def __init__(self, file, buffers, offset, cookie=None, *, timeout=None, link=False,
                 drain=False):
        self.file = file
        self.buffers = buffers
        self.offset = offset
        self.cookie = cookie
        self.timeout = timeout
        self.link = link
        self.drain = drain


class Writev(Readv):
    """Write each buffer of ``buffers`` in turn, from ``offset``."""

    __slots__ = ()
    _op = _c.AIONL_OP_WRITEV


class Fsync(_Ordered):
    """fsync(2) ``file``."""

    __slots__ = ("file",)
    _op = _c.AIONL_OP_FSYNC

    def __init__(self, file, cookie=None, *, link=False, drain=False):
        self.file = file
        self.cookie = cookie
        self.link = link
        self.drain = drain


class Fdatasync(Fsync):
    """fdatasync(2) ``file``."""

    __slots__ = ()
    _op = _c.AIONL_OP_FDATASYNC


class Nop(_Ordered):
    """A request that completes at once with result 0: a wake-up, or a point in a chain."""

    __slots__ = ()
    _op = _c.AIONL_OP_NOP

    def __init__(self, cookie=None, *, link=False, drain=False):
        self.cookie = cookie
        self.link = link
        self.drain = drain


class Timer(Request):
    """A timer: first in ``value`` seconds, then every ``interval`` seconds if not 0.

    ``clock`` is time.CLOCK_MONOTONIC (default), CLOCK_REALTIME or
    CLOCK_BOOTTIME. With ``absolute``, ``value`` is a time on that clock (as
    time.clock_gettime gives it). Each completion's result is the number of
    expirations it reports: more than 1 when the program reaped late. A
    periodic timer completes with CQE_F_MORE until cancelled.
    """

    __slots__ = ("value", "interval", "clock", "absolute")
    _op = _c.AIONL_OP_TIMER

    def __init__(self, value, interval=0, cookie=None, *, clock=_time.CLOCK_MONOTONIC,
                 absolute=False):
        self.value = value
        self.interval = interval
        self.cookie = cookie
        self.clock = clock
        self.absolute = absolute


class TimerUpdate(Request):
    """Re-arm the timer ``target`` (its cookie, or the Timer itself); it keeps its clock.

    Completes with 0, or -ENOENT if no such timer is armed.
    """

    __slots__ = ("target", "value", "interval", "absolute")
    _op = _c.AIONL_OP_TIMER_UPDATE

    def __init__(self, target, value, interval=0, cookie=None, *, absolute=False):
        self.target = target
        self.value = value
        self.interval = interval
        self.cookie = cookie
        self.absolute = absolute


class Poll(Request):
    """Readiness of the registered ``file``: ``events`` of POLL_IN, POLL_OUT, POLL_ERR, POLL_HUP.

    The result is the ready events. With ``multishot`` it completes at every
    readiness edge (CQE_F_MORE) until cancelled. Regular files fail with
    -EPERM.
    """

    __slots__ = ("file", "events", "multishot")
    _op = _c.AIONL_OP_POLL

    def __init__(self, file, events, cookie=None, *, multishot=False):
        self.file = file
        self.events = events
        self.cookie = cookie
        self.multishot = multishot


class Signal(Request):
    """Catch the signals of ``signals`` (signal numbers 1 to 64) until cancelled.

    Each one the process receives completes with CQE_F_SIGNAL | CQE_F_MORE,
    result = the signal number and ``siginfo`` filled. Submitting blocks the
    signals in the calling thread, and the C library never unblocks them:
    restore the mask with signal.pthread_sigmask once the watch is cancelled
    (AsyncContext.signals does this itself).
    """

    __slots__ = ("signals",)
    _op = _c.AIONL_OP_SIGNAL

    def __init__(self, signals, cookie=None):
        self.signals = frozenset(signals)
        self.cookie = cookie


class Cancel(Request):
    """Cancel the requests with cookie ``target`` (or the request itself), every request
    on ``file``, or with ``all=True`` every request of the context.

    Each request found completes once, with -ECANCELED or its real result;
    the Cancel completes with the number found, or -ENOENT.
    """

    __slots__ = ("target", "file", "all")
    _op = _c.AIONL_OP_CANCEL

    def __init__(self, target=None, cookie=None, *, file=None, all=False):
        if (target is not None) + (file is not None) + bool(all) != 1:
            raise TypeError("Cancel takes exactly one of target, file= and all=True")
        self.target = target
        self.cookie = cookie
        self.file = file
        self.all = all


class Open(_Ordered):
    """Open ``path`` as openat(2) would and register the new file with the context.

    The open runs in the engine or the kernel module, never in the calling
    thread: a slow or hung filesystem holds the request, not the program.
    ``path`` is a str, bytes or os.PathLike; a relative one starts from
    ``dir`` (a registered directory's File) or, with None, the working
    directory. ``flags`` and ``mode`` are os.open's. With ``fd=True`` the
    program also gets a descriptor of the file, which it closes.

    The result is 0, and the completion's ``open`` (an OpenInfo) holds the
    new file's ``handle`` and, with ``fd=True``, its ``fd`` (else -1).
    Context.open and AsyncContext.open return an aionl.File instead.
    """

    __slots__ = ("path", "flags", "mode", "dir", "fd")
    _op = _c.AIONL_OP_OPEN

    def __init__(self, path, flags=_os.O_RDONLY, mode=0o666, cookie=None, *, dir=None, fd=False,
                 link=False, drain=False):
        self.path = path
        self.flags = flags
        self.mode = mode
        self.cookie = cookie
        self.dir = dir
        self.fd = fd
        self.link = link
        self.drain = drain
