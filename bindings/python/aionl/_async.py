# SPDX-License-Identifier: MIT
"""AsyncContext: one AIO socket driven by an asyncio event loop.

The loop watches the socket with add_reader; there is no thread pool. Every
request an awaiting coroutine makes is queued, and the queue is submitted in
one batch per turn of the loop; every wake-up reaps every completion waiting.
"""

import asyncio
import collections
import errno
import os
import select
import threading
import time
import weakref

from . import _sigmask
from . import aionl_core as _c
from ._context import File, _Base, _oserror
from ._requests import (Cancel, Copy, Fallocate, Fdatasync, Fsync, Nop, Open, Poll, Readv, Signal,
                        Timer, Writev)

__all__ = ["AsyncContext"]

_MORE = _c.AIONL_CQE_F_MORE
_SIGNAL = _c.AIONL_CQE_F_SIGNAL
_READ = _c.AIONL_OP_READ
_WRITE = _c.AIONL_OP_WRITE


class _Stream:
    """The completions of a request that stays armed, as an async iterator.

    Ends (StopAsyncIteration) once closed; close() cancels the request.
    Dropping the iterator (a ``break`` out of ``async for``) closes it.
    """

    def __init__(self, actx, req):
        self._actx = actx
        self._req = req
        self._waiter = None
        self._final = None      # the last completion, or an exception
        self._closed = False
        self._thread = threading.get_ident()

    def _wake(self):
        w = self._waiter
        if w is not None and not w.done():
            w.set_result(None)

    def _feed(self, c):
        if not c.flags & _MORE:
            self._final = c
        self._take(c)
        self._wake()

    def _fail(self, exc):
        self._final = exc
        self._wake()

    def __aiter__(self):
        return self

    async def __anext__(self):
        while True:
            f = self._final
            if isinstance(f, BaseException):
                raise f
            if self._closed:
                raise StopAsyncIteration
            item = self._pop()
            if item is not None:
                return item
            if f is not None:
                if f.result < 0 and f.result != -errno.ECANCELED:
                    raise _oserror(f.result, self._what)
                raise StopAsyncIteration
            self._waiter = self._actx._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def close(self):
        """Stop: cancel the request. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._actx._cancel_stream(self)
        self._wake()

    async def aclose(self):
        self.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()

    def __del__(self):
        if self._closed:
            return
        if threading.get_ident() == self._thread:
            self.close()
        else:
            loop = self._actx._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self.close)


class _Ticks(_Stream):
    """interval(): yields the expirations since the last item (1, or more if late)."""

    _what = "interval"

    def __init__(self, actx, req):
        super().__init__(actx, req)
        self._count = 0

    def _take(self, c):
        if c.result > 0:
            self._count += c.result

    def _pop(self):
        n = self._count
        if n:
            self._count = 0
            return n
        return None


class _Signals(_Stream):
    """signals(): yields a SigInfo per signal caught."""

    _what = "signals"

    def __init__(self, actx, req):
        super().__init__(actx, req)
        self._items = collections.deque()

    def _take(self, c):
        if c.flags & _SIGNAL and c.siginfo is not None:
            self._items.append(c.siginfo)

    def _pop(self):
        return self._items.popleft() if self._items else None


class AsyncContext(_Base):
    """One AIO socket driven by the running asyncio loop (or uvloop).

    AsyncContext(backend=None, executor=None, max_inflight=None, **kwargs)
    takes Context's arguments. It binds to the loop it is first used in, and
    like every asyncio object is used from that loop's thread only.

    Cancelling a task that awaits a request sends a CANCEL for it; the task
    sees CancelledError once the library has confirmed the request is over,
    so no buffer is let go while the engine may still write into it. When
    max_inflight requests are outstanding, new ones wait in a queue.
    """

    def __init__(self, backend=None, executor=None, max_inflight=None, **kwargs):
        super().__init__(backend, executor, max_inflight, **kwargs)
        self._loop = None
        self._fd = self._core.fileno()
        self._late = {}         # cookie -> result that came after its future was cancelled
        self._streams = {}      # armed request -> a weak reference to its _Stream
        self._flush_handle = None
        self._failed = None
        self._sigmasks = {}     # signal watch -> its _sigmask token, until its end
        self._dispatching = 0

    async def __aenter__(self):
        self._live()
        return self

    async def __aexit__(self, *exc):
        self.close()

    def __enter__(self):
        raise TypeError("use 'async with' with an AsyncContext")

    def __exit__(self, *exc):
        pass

    # ---------------------------------------------------------------- the loop

    def _bind(self):
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            loop.add_reader(self._fd, self._on_readable)
        elif self._loop is not loop:
            raise RuntimeError("this AsyncContext is bound to another event loop")
        return loop

    def _start(self, req):
        """Queue req (checked, buffers held): (its cookie, the future of its result)."""
        core = self._core
        if core is None:
            raise ValueError("I/O operation on closed context")
        loop = self._loop
        if loop is None or not loop.is_running():
            loop = self._bind()     # first use, or called from another loop: RuntimeError
        fut = loop.create_future()
        cookie = core.queue(req, fut)
        if self._flush_handle is None:
            self._flush_handle = loop.call_soon(self._flush)
        return cookie, fut

    def _queue_own(self, req):
        """Queue a request whose completion nobody awaits (cancels)."""
        core = self._core
        if core is None or self._loop is None:
            return
        core.queue(req, None)
        if self._flush_handle is None:
            self._flush_handle = self._loop.call_soon(self._flush)

    def _start_stream(self, req, make):
        """Queue an armed request; make() builds its _Stream."""
        self._live()
        self._bind()
        self._queue_own(req)
        s = make()
        self._streams[req] = weakref.ref(s)
        return s

    def _flush(self):
        self._flush_handle = None
        core = self._core
        if core is None:
            return
        try:
            core.flush()
        except OSError as e:
            self._fail_all(e)
            return
        # Page-cache hits completed inside the submit: hand them out now.
        self._reap(core)
        if core.queued() and not core.inflight() and self._flush_handle is None:
            # Refused with nothing in flight to free room (a full socket): retry soon.
            self._flush_handle = self._loop.call_later(0.001, self._flush)

    def _on_readable(self):
        core = self._core
        if core is not None:
            self._reap(core)

    def _reap(self, core):
        self._dispatching += 1
        try:
            core.dispatch(self._late, self._feed)
            # Back-pressure: room was freed, submit what waits.
            if core.queued() and self._flush_handle is None:
                core.flush()
                core.dispatch(self._late, self._feed)
        except OSError as e:
            self._fail_all(e)
        finally:
            self._dispatching -= 1

    def _feed(self, c):
        """A completion of an armed request: to its stream."""
        req = c.request
        ref = self._streams.get(req)
        if ref is not None:
            if not c.flags & _MORE:
                del self._streams[req]
                tok = self._sigmasks.pop(req, None)
                if tok is not None:
                    # The engine watches these signals no more: unblock them.
                    _sigmask.release(tok)
            s = ref()
            if s is not None:
                s._feed(c)

    def _fail_all(self, exc):
        """The engine is gone: every waiting request fails with exc."""
        self._failed = exc
        for ref in list(self._streams.values()):
            s = ref()
            if s is not None:
                s._fail(exc)
        self._streams.clear()
        self.close()

    # ---------------------------------------------------------------- awaiting

    async def _result(self, cookie, fut):
        """The result of a request; cancellation waits until the library confirms it."""
        try:
            return await fut
        except asyncio.CancelledError:
            await self._cancel(cookie, fut)
            raise

    async def _await(self, req, what):
        cookie, fut = self._start(req)
        try:
            res = await fut
        except asyncio.CancelledError:
            await self._cancel(cookie, fut)
            raise
        if res < 0:
            raise _oserror(res, what)
        return res

    async def _cancel(self, cookie, fut):
        """After the task awaiting fut was cancelled: make sure the request is over (a
        CANCEL, and its last completion) before the task goes on. Returns that last
        result, or None if the request was never submitted."""
        core = self._core
        if core is None:
            return None
        if core.unqueue(cookie):
            return None     # never submitted: nothing to wait for
        late = self._late.pop(cookie, None)
        if late is not None:
            return late     # its completion came as the task was cancelled
        if fut.done() and not fut.cancelled():
            return fut.result() if fut.exception() is None else None  # completed, then cancelled
        done = self._loop.create_future()
        if not core.retoken(cookie, done):
            return None     # no longer in flight
        try:
            self._queue_own(Cancel(cookie))
        except (OSError, ValueError):
            pass
        # Until the last completion comes (-ECANCELED, or the result if it
        # had already run), the buffers stay held: do not leave before it.
        while not done.done():
            try:
                await asyncio.shield(done)
            except asyncio.CancelledError:
                continue
            except Exception:
                break
        if done.done() and not done.cancelled() and done.exception() is None:
            return done.result()
        return None

    async def read(self, file, buf, offset, *, timeout=None):
        """Read into the writable buffer ``buf`` at ``offset`` (OFFSET_STREAM for streams): bytes read."""
        core = self._core
        if core is None:
            raise ValueError("I/O operation on closed context")
        loop = self._loop
        if loop is None or not loop.is_running():
            loop = self._bind()     # first use, or called from another loop: RuntimeError
        fut = loop.create_future()
        cookie = core.queue_io(_READ, file, buf, offset, timeout, fut)
        if self._flush_handle is None:
            self._flush_handle = loop.call_soon(self._flush)
        try:
            res = await fut
        except asyncio.CancelledError:
            await self._cancel(cookie, fut)
            raise
        if res < 0:
            raise _oserror(res, "read")
        return res

    async def write(self, file, data, offset, *, timeout=None):
        """Write the bytes-like ``data`` at ``offset``: bytes written."""
        core = self._core
        if core is None:
            raise ValueError("I/O operation on closed context")
        loop = self._loop
        if loop is None or not loop.is_running():
            loop = self._bind()     # first use, or called from another loop: RuntimeError
        fut = loop.create_future()
        cookie = core.queue_io(_WRITE, file, data, offset, timeout, fut)
        if self._flush_handle is None:
            self._flush_handle = loop.call_soon(self._flush)
        try:
            res = await fut
        except asyncio.CancelledError:
            await self._cancel(cookie, fut)
            raise
        if res < 0:
            raise _oserror(res, "write")
        return res

    async def readv(self, file, buffers, offset, *, timeout=None):
        """Read into each buffer in turn from ``offset``: bytes read."""
        return await self._await(Readv(file, buffers, offset, None, timeout=timeout), "readv")

    async def writev(self, file, buffers, offset, *, timeout=None):
        """Write each buffer in turn from ``offset``: bytes written."""
        return await self._await(Writev(file, buffers, offset, None, timeout=timeout), "writev")

    async def fsync(self, file):
        """fsync(2) the file."""
        await self._await(Fsync(file), "fsync")

    async def fdatasync(self, file):
        """fdatasync(2) the file."""
        await self._await(Fdatasync(file), "fdatasync")

    async def fallocate(self, file, mode, offset, length):
        """fallocate(2) ``length`` bytes of the file from ``offset`` with ``mode``, in the
        engine or the module as the caller; see Context.fallocate."""
        await self._await(Fallocate(file, mode, offset, length), "fallocate")

    async def copy(self, src, src_offset, dst, dst_offset, length):
        """copy_file_range(2) from ``src`` to ``dst``, never in the loop's thread: the bytes
        copied; see Context.copy."""
        return await self._await(Copy(src, src_offset, dst, dst_offset, length), "copy")

    async def stat(self, target, *, dir=None, follow_symlinks=True, mask=None):
        """statx(2) of ``target`` (an aionl.File or a path, relative to ``dir`` or the
        working directory), never in the loop's thread: a StatResult; see Context.stat."""
        req = self._statx(target, dir, follow_symlinks, mask)
        cookie, fut = self._start(req)
        try:
            res = await fut
        except asyncio.CancelledError:
            await self._cancel(cookie, fut)
            raise
        return self._stated(req, res)

    async def open(self, path, flags=os.O_RDONLY, mode=0o666, *, dir=None, fd=False):
        """Open ``path`` through the context (in the engine or the module, never in the
        loop's thread) and register it: an aionl.File. With ``fd=True``, ``file.fd`` is
        the program's own descriptor of it, to close."""
        cookie, fut = self._start(Open(path, flags, mode, dir=dir, fd=fd))
        try:
            res, handle, got_fd = await fut
        except asyncio.CancelledError:
            final = await self._cancel(cookie, fut)
            if final is not None and final[0] == 0:
                self._drop_opened(final[1], final[2])   # it went through: undo it
            raise
        return self._opened(res, handle, got_fd, fd, path)

    async def sleep(self, seconds):
        """Sleep on a timer of the context (CLOCK_MONOTONIC)."""
        await self._await(Timer(seconds), "sleep")

    async def nop(self):
        """A round trip through the context: a request that completes at once."""
        await self._await(Nop(), "nop")

    def interval(self, seconds, *, first=None):
        """An async iterator ticking every ``seconds`` (the first tick after ``first``, default
        ``seconds``). Each item is the number of expirations since the last: more than 1
        when the loop was late. Closing it (or leaving ``async for``) stops the timer."""
        if not seconds or seconds < 0:
            raise ValueError("interval must be positive")
        req = Timer(seconds if first is None else first, seconds)
        return self._start_stream(req, lambda: _Ticks(self, req))

    def signals(self, signals):
        """An async iterator of the SigInfo of each signal of ``signals`` the process receives.

        From this call on, the signals are blocked in this thread and caught
        by the context (no handler runs). When the iteration ends (close(),
        leaving ``async for``, or closing the context), the signals this
        call blocked are unblocked again, unless another watch still needs
        them. Block them in the program's other threads too, or the kernel
        may deliver them there.
        """
        req = Signal(signals)
        core = self._live()
        core.check(req)
        token = _sigmask.acquire(req.signals)
        try:
            s = self._start_stream(req, lambda: _Signals(self, req))
        except BaseException:
            _sigmask.release(token)
            raise
        self._sigmasks[req] = token
        # Submit now, so that the signals are caught from here on.
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._flush()
        return s

    def _cancel_stream(self, s):
        core = self._core
        if core is None or self._loop is None or self._loop.is_closed():
            return
        req = s._req
        if core.unqueue(req):
            # Never submitted: nothing to cancel, nothing blocked by the library.
            self._streams.pop(req, None)
            tok = self._sigmasks.pop(req, None)
            if tok is not None:
                _sigmask.release(tok)
            return
        if req not in self._streams:
            return              # over already
        try:
            self._queue_own(Cancel(req.cookie))
        except (OSError, ValueError):
            return
        if req in self._sigmasks and not self._dispatching:
            self._confirm_end(core, req)

    def _confirm_end(self, core, req):
        """Submit the cancel of the signal watch req and wait (briefly, blocking the loop)
        for its last completion: the signals are unblocked only once the engine no
        longer takes them, or a signal arriving in between would be lost."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        try:
            core.flush()
        except OSError:
            return
        deadline = time.monotonic() + 2.0
        while req in self._sigmasks and self._core is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break       # the mask is restored when the end comes
            select.select([self._fd], [], [], remaining)
            self._reap(core)

    async def _wait_ready(self, f, events, what):
        own = not isinstance(f, File)
        file = self.register(f) if own else f
        try:
            return await self._await(Poll(file, events), what)
        finally:
            if own and self._core is not None:
                self.unregister(file)

    async def wait_readable(self, f):
        """Wait until the descriptor (int, object with fileno(), or File) is readable.

        Returns the ready events (POLL_IN, and POLL_HUP or POLL_ERR if so).
        Sockets, pipes, eventfds and timerfds: regular files raise PermissionError.
        """
        return await self._wait_ready(f, _c.AIONL_POLL_IN, "wait_readable")

    async def wait_writable(self, f):
        """Wait until the descriptor is writable: the ready events (POLL_OUT...)."""
        return await self._wait_ready(f, _c.AIONL_POLL_OUT, "wait_writable")

    # ---------------------------------------------------------------- closing

    def close(self):
        """Close: waits for I/O in flight; awaiting requests raise ValueError. Idempotent."""
        core = self._core
        if core is None:
            return
        self._core = None
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self._fd)
        exc = self._failed or ValueError("the context was closed while this request was in flight")
        # The futures of the requests in flight, before closing lets them go.
        futures = core.tokens()
        core.close()
        for fut in futures:
            if not fut.done():
                try:
                    fut.set_exception(exc)
                except RuntimeError:
                    pass        # its loop is closed: nobody awaits it any more
        self._late.clear()
        for ref in list(self._streams.values()):
            s = ref()
            if s is not None:
                s._fail(exc)
                s._closed = True
        self._streams.clear()
        # Closed: the engine watches nothing any more.
        for tok in self._sigmasks.values():
            _sigmask.release(tok)
        self._sigmasks.clear()
