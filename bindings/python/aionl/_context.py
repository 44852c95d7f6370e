# SPDX-License-Identifier: MIT
"""Context: one AIO socket, used synchronously (and from any thread)."""

import collections
import operator
import os
import threading
import time
import warnings
from typing import NamedTuple

from . import aionl_core as _c
from ._requests import (STATX_BASIC_STATS, STATX_BTIME, Cancel, Copy, Fallocate, Fdatasync,
                        Fsync, Nop, Open, Read, Readv, Request, Statx, Write, Writev)

__all__ = ["Context", "File", "Info"]

_BACKENDS = {None: _c.AIONL_BACKEND_AUTO, "auto": _c.AIONL_BACKEND_AUTO,
             "user": _c.AIONL_BACKEND_USER, "kernel": _c.AIONL_BACKEND_KERNEL}
_EXECUTORS = {None: _c.AIONL_EXEC_AUTO, "auto": _c.AIONL_EXEC_AUTO,
              "uring": _c.AIONL_EXEC_URING, "threads": _c.AIONL_EXEC_THREADS}
_REAP_BATCH = 256
# The commands of the C library's protocol by name, as aionl_cmd_name gives them
# ("read", "timer_update", "open", "install", "bind"...).
_COMMANDS = {_c.aionl_cmd_name(n): n for n in range(64) if _c.aionl_cmd_name(n)}


def _op_number(op):
    """op as aionl_ctx_supports takes it, or None for one that names no command here.

    op is a command's name (any case), a Request class or instance, or a number.
    """
    if isinstance(op, str):
        return _COMMANDS.get(op.lower())
    if isinstance(op, Request) or (isinstance(op, type) and issubclass(op, Request)):
        return op._op if op._op >= 0 else None
    if isinstance(op, bool):
        raise TypeError("op must be a command's name, a Request class or an int, not bool")
    n = _index(op, "op")
    return n if 0 <= n < 2**32 else None


def _oserror(res, what):
    """The OSError subclass of a negative completion result."""
    e = -res
    return OSError(e, f"{os.strerror(e)} ({what})")


def _result(c, what):
    """A completion's result, or its error raised."""
    r = c.result
    if r < 0:
        raise _oserror(r, what)
    return r


class Info(NamedTuple):
    """What aionl_ctx_info says: the backend and executor chosen, why, and the limits."""

    backend: str
    executor: str
    reason: str
    version: int
    max_inflight: int
    max_files: int
    max_iov: int
    max_io_len: int
    max_msg_size: int
    workers: int


class File:
    """A file registered with a context: what requests name.

    ``fd`` is the descriptor number it was registered from (the context holds
    its own reference to the open file, so that descriptor may be closed), or
    for a file from open(): the program's own descriptor with ``fd=True``
    (the program closes it), else None.
    """

    __slots__ = ("handle", "fd", "_ctx", "registered", "__weakref__")

    def __init__(self, handle, fd, ctx):
        self.handle = handle
        self.fd = fd
        self._ctx = ctx
        self.registered = True

    def __repr__(self):
        state = "" if self.registered else " unregistered"
        return f"<aionl.File fd={self.fd} handle={self.handle:#x}{state}>"


def _index(v, what):
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(v).__name__}") from None


class _Base:
    """What Context and AsyncContext share: opening, files, info, closing."""

    _core = None

    def __init__(self, backend=None, executor=None, max_inflight=None, *, workers=None,
                 spin_us=None, inline_reads=True, direct=True, raise_nofile=False, bind=None):
        try:
            b = _BACKENDS[backend]
        except (KeyError, TypeError):
            raise ValueError(f"backend must be None, 'auto', 'user' or 'kernel', not {backend!r}") from None
        try:
            e = _EXECUTORS[executor]
        except (KeyError, TypeError):
            raise ValueError(f"executor must be None, 'auto', 'uring' or 'threads', not {executor!r}") from None
        mi = 0 if max_inflight is None else _index(max_inflight, "max_inflight")
        w = 0 if workers is None else _index(workers, "workers")
        sp = 0 if spin_us is None else _index(spin_us, "spin_us")
        if not 0 < mi < 2**32 and max_inflight is not None:
            raise ValueError("max_inflight must be 1 to 2**32 - 1")
        if not 0 <= w < 2**32:
            raise ValueError("workers must be 0 to 2**32 - 1")
        if not -2**31 <= sp < 2**31:
            raise ValueError("spin_us out of range")
        flags = 0 if inline_reads else _c.AIONL_PARAMS_NO_INLINE
        if not direct:
            flags |= _c.AIONL_PARAMS_NO_DIRECT
        if raise_nofile:
            flags |= _c.AIONL_PARAMS_RAISE_NOFILE
        bind_fd, own = -1, False
        if bind is not None:
            # A descriptor (or a file object) binds as it is; a path is
            # opened O_PATH, which reads nothing, for the time of the open.
            flags |= _c.AIONL_PARAMS_BIND_FD
            if isinstance(bind, int) or hasattr(bind, "fileno"):
                bind_fd = bind if isinstance(bind, int) else bind.fileno()
            else:
                bind_fd = os.open(bind, os.O_PATH | os.O_CLOEXEC)
                own = True
        try:
            self._core = _c.Core(b, e, mi, w, sp, flags, bind_fd)
        finally:
            if own:
                os.close(bind_fd)

    def _live(self):
        core = self._core
        if core is None:
            raise ValueError("I/O operation on closed context")
        return core

    @property
    def closed(self):
        """Whether close() was called."""
        return self._core is None

    def fileno(self):
        """The socket's descriptor: readable when completions wait. Do not read or close it."""
        return self._live().fileno()

    def info(self):
        """The backend and executor chosen and why, and the limits, as an Info."""
        i = self._live().info()
        return Info(_c.aionl_backend_name(i.backend), _c.aionl_executor_name(i.executor),
                    i.reason, i.version, i.max_inflight, i.max_files, i.max_iov, i.max_io_len,
                    i.max_msg_size, i.workers)

    def supports(self, op):
        """Whether the context's server serves op (aionl_ctx_supports): True or False.

        op is a command's name ('read', 'open', 'install', 'bind'... in any
        case), a Request class or instance (aionl.Open), or its number. The
        server says what it serves when the context opens; a server older than
        that is taken to serve neither OPEN, INSTALL nor BIND. A request it
        does not serve completes with EOPNOTSUPP and CQE_F_REJECTED, unsent.
        A name or number of no command this library knows (a newer one's,
        say) is not served: False.
        """
        core = self._live()
        n = _op_number(op)
        return False if n is None else core.supports(n)

    @property
    def order_flags(self):
        """The ordering flags the context's server honours (aionl_ctx_req_flags): REQ_LINK | REQ_DRAIN.

        Both on every server of this release, 0 on one that predates
        ordering. submit() raises OSError(EOPNOTSUPP) for a request with
        ``link`` or ``drain`` the server does not honour, before sending it.
        """
        return self._live().req_flags()

    def register(self, f):
        """Register an open file (an int descriptor, or an object with fileno()): an aionl.File.

        The context keeps its own reference: the descriptor may be closed afterwards.
        """
        core = self._live()
        if isinstance(f, File):
            raise TypeError("already an aionl.File")
        if hasattr(f, "fileno") and not isinstance(f, int):
            fd = f.fileno()
        else:
            fd = f
        fd = _index(fd, "a file descriptor")
        if fd < 0:
            raise OSError(9, f"{os.strerror(9)} (register: fd {fd} is not a descriptor)")
        return File(core.register_fd(fd), fd, self)

    def unregister(self, file):
        """Drop a File. Requests in flight on it complete; later ones fail with EBADF."""
        core = self._live()
        if not isinstance(file, File):
            raise TypeError(f"unregister takes an aionl.File, not {type(file).__name__}")
        if file._ctx is not self:
            raise ValueError("this File belongs to another context")
        core.unregister_handle(file.handle)
        file.registered = False

    def install(self, file, *, cloexec=True):
        """A new descriptor of the registered file for the program (aionl_file_install):
        the program owns it and closes it; the file stays registered."""
        core = self._live()
        if not isinstance(file, File):
            raise TypeError(f"install takes an aionl.File, not {type(file).__name__}")
        return core.install(file.handle, 0 if cloexec else _c.AIONL_INSTALL_NO_CLOEXEC)

    def _opened(self, res, handle, fd, want_fd, path):
        """The File of an OPEN's result, or its error raised (naming the path, as os.open)."""
        if res < 0:
            raise OSError(-res, os.strerror(-res), os.fspath(path))
        if want_fd and fd < 0:
            # Opened and registered, but no descriptor could be given: undo.
            try:
                self._live().unregister_handle(handle)
            except (OSError, ValueError):
                pass
            raise OSError(-fd, f"{os.strerror(-fd)} (open: no descriptor could be given)",
                          os.fspath(path))
        return File(handle, fd if want_fd else None, self)

    def file_of(self, completion):
        """The aionl.File of a reaped Open request's completion (its error raised if it
        failed). With Open(fd=True), ``file.fd`` is the program's descriptor, to close."""
        req = completion.request
        if not isinstance(req, Open):
            raise TypeError("file_of takes the completion of an Open request")
        info = completion.open
        if info is None:
            return self._opened(completion.result if completion.result < 0 else -22, 0, -1,
                                req.fd, req.path)
        return self._opened(0, info.handle, info.fd, req.fd, req.path)

    @staticmethod
    def _statx(target, dir, follow_symlinks, mask):
        """The Statx request of stat()."""
        flags = 0 if follow_symlinks else _c.AIONL_STATX_SYMLINK_NOFOLLOW
        return Statx(target, flags, STATX_BASIC_STATS | STATX_BTIME if mask is None else mask,
                     dir=dir)

    @staticmethod
    def _stated(req, res):
        """A STATX's StatResult, or its error raised (naming the path, as os.stat)."""
        if res < 0:
            if isinstance(req.target, File):
                raise _oserror(res, "stat")
            raise OSError(-res, os.strerror(-res), os.fspath(req.target))
        return req.stat()

    def _drop_opened(self, handle, fd):
        """Undo an OPEN nobody will use (its caller was interrupted or cancelled)."""
        if fd >= 0:
            os.close(fd)
        core = self._core
        if core is not None:
            try:
                core.unregister_handle(handle)
            except (OSError, ValueError):
                pass

    def close(self):
        """Close the context: waits for I/O in flight, drops the files. Idempotent."""
        core = self._core
        if core is None:
            return
        self._core = None
        core.close()

    def __del__(self):
        if self._core is not None:
            try:
                warnings.warn(f"unclosed {type(self).__name__}", ResourceWarning, source=self)
            except Exception:       # interpreter shutdown
                pass
            self.close()

    def __repr__(self):
        if self._core is None:
            return f"<aionl.{type(self).__name__} closed>"
        try:
            i = self.info()
            return f"<aionl.{type(self).__name__} fd={self.fileno()} {i.backend}+{i.executor}>"
        except OSError:
            return f"<aionl.{type(self).__name__}>"


# A request of this module's own whose completion nobody waits for.
_DISCARD = object()


class Context(_Base):
    """One AIO socket, used synchronously.

    Context(backend=None, executor=None, max_inflight=None, *, workers=None,
    spin_us=None, inline_reads=True, direct=True, raise_nofile=False, bind=None): backend is None/'auto', 'user' or
    'kernel'; executor None/'auto', 'uring' or 'threads' (None lets
    AIONL_BACKEND and AIONL_EXECUTOR choose). Asking for something this
    machine lacks raises OSError; there is no silent fallback.

    Every method may be called from any thread at once, but close(), which
    must be the last call (it wakes threads blocked in reap, and they raise
    ValueError). Blocking calls release the GIL. A completion goes to the
    call that waits for it: a blocking read() gets its own, reap() gets the
    completions of submit().
    """

    def __init__(self, backend=None, executor=None, max_inflight=None, **kwargs):
        super().__init__(backend, executor, max_inflight, **kwargs)
        self._cond = threading.Condition(threading.Lock())
        self._leader = False        # a thread is in core.reap for everyone
        self._ready = collections.deque()  # completions for reap()
        self._mine = {}             # request of a blocking call -> its Completion (or None)
        self._wake = None           # the Nop in flight that keeps the descriptor readable

    def __enter__(self):
        self._live()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close the context: waits for I/O in flight, drops the files. Idempotent."""
        core = self._core
        if core is None:
            return
        self._core = None
        core.close()
        with self._cond:
            self._ready.clear()
            self._mine.clear()
            self._cond.notify_all()

    # ---------------------------------------------------------------- batches

    def submit(self, requests):
        """Submit a sequence of requests: returns how many were accepted, from the first.

        Every request is checked first (TypeError, ValueError, BufferError:
        nothing is submitted). Accepted requests complete exactly once each
        (armed timers, multishot polls and signal watches until cancelled),
        through reap(). OSError with errno EBUSY: max_inflight requests are
        outstanding and none was accepted; reap, then submit again.
        """
        return self._live().submit(requests)

    def reap(self, max=64, min=1, timeout=None):
        """Completions of submitted requests: a list of at most ``max`` Completion.

        Waits until ``min`` are available or ``timeout`` seconds have passed
        (None: no limit); min=0 or timeout=0 never waits. A signal handler
        that raises (KeyboardInterrupt) ends the wait; one that returns lets
        it go on with the remaining time.
        """
        core = self._live()
        max = _index(max, "max")
        min = _index(min, "min")
        if max < 1 or not 0 <= min <= max:
            raise ValueError(f"reap: need 1 <= max and 0 <= min <= max (max {max}, min {min})")
        if timeout is not None:
            if timeout < 0:
                raise ValueError("timeout must not be negative")
            deadline = time.monotonic() + timeout
        else:
            deadline = None
        ready = self._ready
        cond = self._cond
        with cond:
            if not ready and not self._leader:
                # Nothing collected here and nobody reaping: reap for this call
                # alone, straight into its result.
                self._leader = True
                cond.release()
                try:
                    comps = core.reap(max, min, timeout)
                finally:
                    cond.acquire()
                    self._leader = False
                    cond.notify_all()
                if not self._mine:
                    return comps
                # A blocking call of another thread started meanwhile: sort.
                self._sort(comps)
                if len(ready) < min and (timeout is None or time.monotonic() < deadline):
                    self._pump(core, lambda: len(ready) >= min, deadline, max)
            elif min == 0 or timeout == 0 or len(ready) >= min:
                if len(ready) < max:
                    self._sort(core.reap(max - len(ready), 0, 0))
            else:
                self._pump(core, lambda: len(ready) >= min, deadline, max)
            out = [ready.popleft() for _ in range(len(ready) if len(ready) < max else max)]
            self._keep_readable()
            return out

    def _sort(self, comps):
        """Hand out reaped completions: to a blocking call waiting, or to reap(). Lock held."""
        mine = self._mine
        ready = self._ready
        handed = False
        for c in comps:
            req = c.request
            if req is not None and req in mine:
                if mine[req] is _DISCARD:
                    if not c.flags & _c.AIONL_CQE_F_MORE:
                        del mine[req]
                        if req is self._wake:
                            self._wake = None
                    if c.open is not None:
                        # An interrupted open() that went through: undo it.
                        self._drop_opened(c.open.handle, c.open.fd)
                else:
                    mine[req] = c
                    handed = True
            else:
                ready.append(c)
        if handed:
            self._cond.notify_all()

    def _keep_readable(self):
        """Completions wait here for reap(): make the descriptor readable for them, as
        the library does for its own, with a wake-up of this module's. Lock held."""
        if self._ready and self._wake is None and self._core is not None:
            self._wake = Nop()
            self._post(self._wake)

    def _post(self, req):
        """Submit a request of this module's own, whose completion is dropped. Lock held."""
        self._mine[req] = _DISCARD
        try:
            self._core.submit((req,))
        except (OSError, ValueError, AttributeError):
            del self._mine[req]
            if req is self._wake:
                self._wake = None

    def _pump(self, core, until, deadline, limit):
        """Reap, or wait for the thread reaping, until until() holds: False on timeout. Lock held."""
        cond = self._cond
        while not until():
            if self._core is None:
                raise ValueError("I/O operation on closed context")
            if deadline is None:
                remaining = None
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
            if self._leader:
                cond.wait(remaining)
                continue
            self._leader = True
            cond.release()
            try:
                comps = core.reap(limit, 1, remaining)
            finally:
                cond.acquire()
                self._leader = False
                cond.notify_all()
            self._sort(comps)
        return True

    # ---------------------------------------------------------------- blocking calls

    def _run(self, req, what):
        """Submit req and wait for its completion: its result, or its error raised."""
        return _result(self._run_c(req), what)

    def _run_c(self, req):
        """Submit req and wait for its completion."""
        core = self._live()
        cond = self._cond
        mine = self._mine
        with cond:
            mine[req] = None
        try:
            n = core.submit((req,))
        except BaseException:
            with cond:
                mine.pop(req, None)
            raise
        assert n == 1
        with cond:
            try:
                self._pump(core, lambda: mine[req] is not None, None, _REAP_BATCH)
            except BaseException:
                # Interrupted (KeyboardInterrupt): the request stays in flight,
                # its buffer held until its completion comes, which is dropped.
                if mine.get(req) is None and self._core is not None:
                    mine[req] = _DISCARD
                    self._post(Cancel(req.cookie))
                else:
                    mine.pop(req, None)
                raise
            c = mine.pop(req)
            self._keep_readable()
        return c

    def read(self, file, buf, offset, *, timeout=None):
        """Read into the writable buffer ``buf`` at ``offset`` (OFFSET_STREAM for streams): bytes read."""
        return self._run(Read(file, buf, offset, timeout=timeout), "read")

    def write(self, file, data, offset, *, timeout=None):
        """Write the bytes-like ``data`` at ``offset``: bytes written."""
        return self._run(Write(file, data, offset, timeout=timeout), "write")

    def readv(self, file, buffers, offset, *, timeout=None):
        """Read into each buffer in turn from ``offset``: bytes read."""
        return self._run(Readv(file, buffers, offset, timeout=timeout), "readv")

    def writev(self, file, buffers, offset, *, timeout=None):
        """Write each buffer in turn from ``offset``: bytes written."""
        return self._run(Writev(file, buffers, offset, timeout=timeout), "writev")

    def fsync(self, file):
        """fsync(2) the file."""
        self._run(Fsync(file), "fsync")

    def fdatasync(self, file):
        """fdatasync(2) the file."""
        self._run(Fdatasync(file), "fdatasync")

    def fallocate(self, file, mode, offset, length):
        """fallocate(2) ``length`` bytes of the file from ``offset`` with ``mode`` (0,
        FALLOC_KEEP_SIZE, FALLOC_PUNCH_HOLE | FALLOC_KEEP_SIZE, FALLOC_ZERO_RANGE...),
        in the engine or the module as the caller."""
        self._run(Fallocate(file, mode, offset, length), "fallocate")

    def copy(self, src, src_offset, dst, dst_offset, length):
        """copy_file_range(2) ``length`` bytes of the File ``src`` from ``src_offset`` into
        the File ``dst`` at ``dst_offset``, in the engine or the module as the caller: the
        bytes copied, which may be fewer (0 at the source's end). OSError(EXDEV) between
        filesystems the kernel does not copy between."""
        return self._run(Copy(src, src_offset, dst, dst_offset, length), "copy")

    def stat(self, target, *, dir=None, follow_symlinks=True, mask=None):
        """statx(2) of ``target``, an aionl.File or a path (relative to ``dir``, a
        directory's File, or to the working directory), in the engine or the module with
        the caller's credentials: a StatResult. ``mask``: the STATX_ fields wanted
        (default STATX_BASIC_STATS | STATX_BTIME)."""
        req = self._statx(target, dir, follow_symlinks, mask)
        return self._stated(req, self._run_c(req).result)

    def open(self, path, flags=os.O_RDONLY, mode=0o666, *, dir=None, fd=False):
        """Open ``path`` through the context (off this thread's path, in the engine or the
        module) and register it: an aionl.File. With ``fd=True``, ``file.fd`` is the
        program's own descriptor of it, to close."""
        c = self._run_c(Open(path, flags, mode, dir=dir, fd=fd))
        if c.result < 0:
            return self._opened(c.result, 0, -1, fd, path)
        return self._opened(0, c.open.handle, c.open.fd, fd, path)
