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

Reads, writes, fsyncs, NOPs, OPENs, Fallocates, Statxs and Copies may be ordered, as
io_uring's IOSQE_IO_LINK and IOSQE_IO_DRAIN order SQEs (aionl_req_set_flags(3)):
``link=True`` makes the next request of the same Context.submit() batch start
only once this one succeeded (a failure, or a transfer or copy of fewer bytes
than asked, completes the rest of the chain with -ECANCELED); ``drain=True`` makes
the request wait for everything submitted before it, and everything after it
wait for it. A chain is accepted whole or not at all.
"""

import os as _os
import struct as _struct
import time as _time
from typing import NamedTuple, Optional

from . import aionl_core as _c

__all__ = [
    "Request", "Read", "Write", "Readv", "Writev", "Fsync", "Fdatasync", "Nop",
    "Timer", "TimerUpdate", "Poll", "Signal", "Cancel", "Open", "Fallocate", "Statx",
    "StatResult", "Copy",
]

# statx(2)'s mask bits (<linux/stat.h>), which os does not name.
STATX_TYPE = 0x1
STATX_MODE = 0x2
STATX_NLINK = 0x4
STATX_UID = 0x8
STATX_GID = 0x10
STATX_ATIME = 0x20
STATX_MTIME = 0x40
STATX_CTIME = 0x80
STATX_INO = 0x100
STATX_SIZE = 0x200
STATX_BLOCKS = 0x400
STATX_BASIC_STATS = 0x7ff
STATX_BTIME = 0x800
STATX_MNT_ID = 0x1000
STATX_DIOALIGN = 0x2000

# struct statx, as <linux/stat.h> lays it out: the fields StatResult names, then
# the rest of its 256 bytes.
_STATX = _struct.Struct("=IIQIIIHxxQQQQ" + "qIxxxx" * 4 + "IIIIQII")
_STATX_SIZE = 256


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


class StatResult(NamedTuple):
    """What a STATX found: statx(2)'s struct statx, with os.stat_result's names.

    Times are float seconds and int nanoseconds, as os.stat gives them;
    st_birthtime and st_birthtime_ns are None unless the filesystem gave a
    birth time (STATX_BTIME in ``stx_mask``). ``stx_mask`` says which fields
    were filled: the basic ones always, the rest as asked and as the
    filesystem has them. ``stx_mnt_id`` is the mount's id (0 on the kernel
    backend, which cannot tell it: no STATX_MNT_ID in ``stx_mask`` there).
    """

    st_mode: int
    st_ino: int
    st_dev: int
    st_nlink: int
    st_uid: int
    st_gid: int
    st_size: int
    st_atime: float
    st_mtime: float
    st_ctime: float
    st_atime_ns: int
    st_mtime_ns: int
    st_ctime_ns: int
    st_blocks: int
    st_blksize: int
    st_rdev: int
    st_birthtime: Optional[float]
    st_birthtime_ns: Optional[int]
    stx_mask: int
    stx_attributes: int
    stx_attributes_mask: int
    stx_mnt_id: int

    @classmethod
    def from_buffer(cls, buf):
        """Decode a struct statx (the buffer a Statx request filled)."""
        (mask, blksize, attributes, nlink, uid, gid, mode, ino, size, blocks, attributes_mask,
         a_s, a_ns, b_s, b_ns, c_s, c_ns, m_s, m_ns, rdev_major, rdev_minor, dev_major,
         dev_minor, mnt_id, _dio_mem, _dio_off) = _STATX.unpack_from(buf)

        def ns(sec, nsec):
            return sec * 1000000000 + nsec

        birth = ns(b_s, b_ns) if mask & STATX_BTIME else None
        return cls(mode, ino, _os.makedev(dev_major, dev_minor), nlink, uid, gid, size,
                   ns(a_s, a_ns) / 1e9, ns(m_s, m_ns) / 1e9, ns(c_s, c_ns) / 1e9,
                   ns(a_s, a_ns), ns(m_s, m_ns), ns(c_s, c_ns), blocks, blksize,
                   _os.makedev(rdev_major, rdev_minor),
                   None if birth is None else birth / 1e9, birth, mask, attributes,
                   attributes_mask, mnt_id)


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


class Fallocate(_Ordered):
    """fallocate(2) the ``length`` bytes of ``file`` from ``offset`` with ``mode``.

    ``mode`` is 0 (allocate, growing the file), or FALLOC_KEEP_SIZE,
    FALLOC_PUNCH_HOLE | FALLOC_KEEP_SIZE, FALLOC_ZERO_RANGE (with or without
    FALLOC_KEEP_SIZE): fallocate(2)'s flags. It runs in the engine or the
    module with the caller's credentials and RLIMIT_FSIZE. The result is 0,
    or fallocate(2)'s -errno (-EOPNOTSUPP for a mode the filesystem lacks).
    """

    __slots__ = ("file", "mode", "offset", "length")
    _op = _c.AIONL_OP_FALLOCATE

    def __init__(self, file, mode, offset, length, cookie=None, *, link=False, drain=False):
        self.file = file
        self.mode = mode
        self.offset = offset
        self.length = length
        self.cookie = cookie
        self.link = link
        self.drain = drain


class Copy(_Ordered):
    """copy_file_range(2): copy ``length`` bytes of the File ``src`` from ``src_offset``
    into the File ``dst`` at ``dst_offset``, moving neither file's position.

    It runs in the engine or the module with the caller's credentials and
    RLIMIT_FSIZE; the filesystem may share the blocks or copy on its server.
    ``length`` is 1 to MAX_IO_LEN. The result is the number of bytes copied,
    which may be fewer (0 at or past the source's end), or copy_file_range(2)'s
    -errno: -EXDEV between two filesystems the kernel does not copy between,
    -EINVAL for overlapping ranges of one file, -EBADF for a destination not
    open for writing or open with O_APPEND. A short copy breaks a chain.
    """

    __slots__ = ("src", "src_offset", "dst", "dst_offset", "length")
    _op = _c.AIONL_OP_COPY

    def __init__(self, src, src_offset, dst, dst_offset, length, cookie=None, *, link=False,
                 drain=False):
        self.src = src
        self.src_offset = src_offset
        self.dst = dst
        self.dst_offset = dst_offset
        self.length = length
        self.cookie = cookie
        self.link = link
        self.drain = drain


class Statx(_Ordered):
    """statx(2) of ``target``: an aionl.File (the registered file itself, an O_PATH one
    too) or a path (str, bytes or os.PathLike), relative to ``dir`` (a directory's
    File) or to the working directory, resolved with the caller's credentials.

    ``flags`` are STATX_SYMLINK_NOFOLLOW, STATX_NO_AUTOMOUNT, STATX_EMPTY_PATH,
    STATX_FORCE_SYNC, STATX_DONT_SYNC (statx(2)'s AT_ flags); ``mask`` the
    STATX_ bits of the fields wanted. The struct statx lands in ``buf``, a
    bytearray of the request's own (or a writable buffer of at least 256
    bytes given); once the result is 0, ``stat()`` decodes it. Context.stat
    and AsyncContext.stat return that StatResult directly.
    """

    __slots__ = ("target", "dir", "flags", "mask", "buf")
    _op = _c.AIONL_OP_STATX

    def __init__(self, target, flags=0, mask=STATX_BASIC_STATS | STATX_BTIME, cookie=None, *,
                 dir=None, buf=None, link=False, drain=False):
        self.target = target
        self.flags = flags
        self.mask = mask
        self.cookie = cookie
        self.dir = dir
        self.buf = bytearray(_STATX_SIZE) if buf is None else buf
        self.link = link
        self.drain = drain

    def stat(self):
        """The StatResult the completed request wrote into ``buf``."""
        return StatResult.from_buffer(self.buf)
