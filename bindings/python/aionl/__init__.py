# SPDX-License-Identifier: MIT
"""libaionl for Python: asynchronous file I/O, timers, signals and readiness through one socket.

    import aionl

    with aionl.Context() as ctx, open("data.bin", "rb") as f:
        file = ctx.register(f)
        buf = bytearray(4096)
        n = ctx.read(file, buf, 0)

Context is the synchronous API (blocking calls, and batches of request
objects with submit() and reap()); AsyncContext the asyncio one. docs/python.md
has the whole story. The generated SWIG module is aionl.aionl_core.
"""

import errno as _errno
import os as _os

from . import aionl_core as _c
from ._async import AsyncContext
from ._context import Context, File, Info
from ._requests import (STATX_ATIME, STATX_BASIC_STATS, STATX_BLOCKS, STATX_BTIME, STATX_CTIME,
                        STATX_DIOALIGN, STATX_GID, STATX_INO, STATX_MNT_ID, STATX_MODE,
                        STATX_MTIME, STATX_NLINK, STATX_SIZE, STATX_TYPE, STATX_UID, Cancel,
                        Copy, Fallocate, Fdatasync, Fsync, Nop, Open, Poll, Read, Readv, Request, Signal,
                        StatResult, Statx, Timer, TimerUpdate, Write, Writev)

Completion = _c._aionl_core.Completion
SigInfo = _c._aionl_core.SigInfo
OpenInfo = _c._aionl_core.OpenInfo

#: The offset of reads and writes on pipes, sockets and other streams.
OFFSET_STREAM = _c.AIONL_OFFSET_STREAM
POLL_IN = _c.AIONL_POLL_IN
POLL_OUT = _c.AIONL_POLL_OUT
POLL_ERR = _c.AIONL_POLL_ERR
POLL_HUP = _c.AIONL_POLL_HUP
#: Completion flags: refused by the protocol's checks; more completions follow;
#: a timer's; a signal's (siginfo set).
CQE_F_REJECTED = _c.AIONL_CQE_F_REJECTED
CQE_F_MORE = _c.AIONL_CQE_F_MORE
CQE_F_TIMER = _c.AIONL_CQE_F_TIMER
CQE_F_SIGNAL = _c.AIONL_CQE_F_SIGNAL
CQE_F_FD = _c.AIONL_CQE_F_FD
MAX_IO_LEN = _c.AIONL_MAX_IO_LEN
MAX_IOV = _c.AIONL_MAX_IOV
#: The ordering flags of struct aionl_req, which link=True and drain=True set.
REQ_LINK = _c.AIONL_REQ_LINK
REQ_DRAIN = _c.AIONL_REQ_DRAIN
#: Fallocate modes: fallocate(2)'s FALLOC_FL_ flags, with their values.
FALLOC_KEEP_SIZE = _c.AIONL_FALLOC_KEEP_SIZE
FALLOC_PUNCH_HOLE = _c.AIONL_FALLOC_PUNCH_HOLE
FALLOC_ZERO_RANGE = _c.AIONL_FALLOC_ZERO_RANGE
#: Statx flags: statx(2)'s AT_ flags, with their values.
STATX_SYMLINK_NOFOLLOW = _c.AIONL_STATX_SYMLINK_NOFOLLOW
STATX_NO_AUTOMOUNT = _c.AIONL_STATX_NO_AUTOMOUNT
STATX_EMPTY_PATH = _c.AIONL_STATX_EMPTY_PATH
STATX_FORCE_SYNC = _c.AIONL_STATX_FORCE_SYNC
STATX_DONT_SYNC = _c.AIONL_STATX_DONT_SYNC

#: The version of the C library the module was built with.
version_info = (_c.AIONL_VERSION_MAJOR, _c.AIONL_VERSION_MINOR)
__version__ = "%d.%d" % version_info


def probe(backend=None, executor=None, op=None):
    """Whether Context(backend, executor) could open here: None, or the OSError it would raise.

    With ``op`` (as Context.supports takes it: 'open', aionl.Open, a number),
    also whether its server serves op (aionl_probe_op): if not, an OSError
    of EOPNOTSUPP.
    """
    from ._context import _BACKENDS, _EXECUTORS, _op_number
    try:
        b, e = _BACKENDS[backend], _EXECUTORS[executor]
    except (KeyError, TypeError):
        raise ValueError(f"unknown backend or executor: {backend!r}, {executor!r}") from None
    if op is None:
        err = _c.aionl_probe(b, e)
    else:
        n = _op_number(op)
        # 0 is no command: the answer is whether a context opens at all.
        err = _c.aionl_probe_op(b, e, 0 if n is None else n)
        if err == 0:
            return OSError(_errno.EOPNOTSUPP, f"{_os.strerror(_errno.EOPNOTSUPP)} "
                           f"(the server of {backend or 'auto'} does not serve {op!r})")
        if err == 1:
            return None
    if err:
        return OSError(-err, _c.aionl_error_message())
    return None


__all__ = [
    "Context", "AsyncContext", "File", "Info", "Completion", "SigInfo", "OpenInfo",
    "Request", "Read", "Write", "Readv", "Writev", "Fsync", "Fdatasync", "Nop", "Timer",
    "TimerUpdate", "Poll", "Signal", "Cancel", "Open", "Fallocate", "Statx", "StatResult", "Copy",
    "OFFSET_STREAM", "POLL_IN", "POLL_OUT", "POLL_ERR", "POLL_HUP",
    "CQE_F_REJECTED", "CQE_F_MORE", "CQE_F_TIMER", "CQE_F_SIGNAL", "CQE_F_FD", "MAX_IO_LEN",
    "MAX_IOV", "REQ_LINK", "REQ_DRAIN", "FALLOC_KEEP_SIZE", "FALLOC_PUNCH_HOLE", "FALLOC_ZERO_RANGE",
    "STATX_SYMLINK_NOFOLLOW", "STATX_NO_AUTOMOUNT", "STATX_EMPTY_PATH", "STATX_FORCE_SYNC",
    "STATX_DONT_SYNC", "STATX_TYPE", "STATX_MODE", "STATX_NLINK", "STATX_UID", "STATX_GID",
    "STATX_ATIME", "STATX_MTIME", "STATX_CTIME", "STATX_INO", "STATX_SIZE", "STATX_BLOCKS",
    "STATX_BASIC_STATS", "STATX_BTIME", "STATX_MNT_ID", "STATX_DIOALIGN",
    "probe", "version_info", "__version__",
]
