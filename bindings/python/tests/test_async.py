# SPDX-License-Identifier: MIT
"""AsyncContext, on asyncio's own loop and on uvloop (the run fixture runs each test on both)."""

import asyncio
import os
import signal
import socket
import time

import pytest

import aionl

from conftest import FILE_SIZE


def blocked_signals():
    return signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_file_io_round_trip(run, data):
    async def main():
        async with aionl.AsyncContext() as actx:
            fd = os.open(data[0], os.O_RDWR)
            f = actx.register(fd)
            os.close(fd)
            buf = bytearray(4096)
            assert await actx.read(f, buf, 4096) == 4096
            assert bytes(buf) == data[1][4096:8192]
            assert await actx.write(f, b"hello", 10) == 5
            await actx.fsync(f)
            await actx.fdatasync(f)
            a, b = bytearray(3), bytearray(4)
            assert await actx.readv(f, [a, b], 10) == 7
            assert bytes(a + b) == b"hello" + data[1][15:17]
            assert await actx.writev(f, [b"ab", b"cd"], 0) == 4
            with open(data[0], "rb") as check:
                assert check.read(4) == b"abcd"
            actx.unregister(f)
            info = actx.info()
            assert info.backend in ("user", "kernel")
            assert isinstance(actx.fileno(), int)
    run(main)


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "engine_reads"])
def test_many_concurrent_reads(run, data, inline):
    # inline_reads=False: every read goes through the engine and comes back on the socket.
    async def main():
        async with aionl.AsyncContext(inline_reads=inline) as actx:
            with open(data[0], "rb") as fobj:
                f = actx.register(fobj)
            offs = [(i * 7919 % (FILE_SIZE // 4096)) * 4096 for i in range(600)]
            bufs = [bytearray(4096) for _ in offs]
            got = await asyncio.gather(*(actx.read(f, b, o) for b, o in zip(bufs, offs)))
            assert got == [4096] * len(offs)
            for b, o in zip(bufs, offs):
                assert bytes(b) == data[1][o:o + 4096]
    run(main)


def test_requests_wait_in_a_queue_at_max_inflight(run, data):
    async def main():
        async with aionl.AsyncContext(max_inflight=4) as actx:
            with open(data[0], "rb") as fobj:
                f = actx.register(fobj)
            bufs = [bytearray(512) for _ in range(300)]
            got = await asyncio.gather(*(actx.read(f, b, i * 512) for i, b in enumerate(bufs)))
            assert got == [512] * 300
            assert b"".join(bufs) == data[1][:300 * 512]
    run(main)


def test_errors_are_raised_where_awaited(run, tmp_path, data):
    async def main():
        async with aionl.AsyncContext() as actx:
            d = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
            f = actx.register(d)
            os.close(d)
            with pytest.raises(IsADirectoryError):
                await actx.read(f, bytearray(4), 0)
            actx.unregister(f)
            with pytest.raises(OSError) as e:
                await actx.read(f, bytearray(4), 0)
            assert e.value.errno == 9
            with open(data[0], "rb") as fobj:
                g = actx.register(fobj)
                with pytest.raises(PermissionError):
                    await actx.wait_readable(fobj)      # a regular file
            with pytest.raises((TypeError, BufferError)):
                await actx.read(g, b"read-only", 0)
            with pytest.raises(TypeError):
                await actx.read("g", bytearray(4), 0)
            with pytest.raises(ValueError):
                await actx.read(g, bytearray(4), -5)
            with pytest.raises(ValueError):
                await actx.sleep(-1)
    run(main)


def test_sleep(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            t0 = time.monotonic()
            await actx.sleep(0.05)
            assert time.monotonic() - t0 >= 0.045
            await actx.sleep(0)
            await actx.nop()
    run(main)


def test_interval_ticks_and_counts_late_ticks(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            ticks = []
            t0 = time.monotonic()
            async for n in actx.interval(0.01):
                ticks.append(n)
                if len(ticks) == 5:
                    break
            assert ticks and all(isinstance(n, int) and n >= 1 for n in ticks)
            assert time.monotonic() - t0 >= 0.04
            # A slow reader gets the expirations it missed in one item.
            it = actx.interval(0.01)
            await it.__anext__()
            time.sleep(0.2)          # blocks the loop: ticks pile up
            late = await it.__anext__()
            assert late >= 2
            await asyncio.sleep(0.2)  # a reader busy elsewhere: they pile up too
            late = await it.__anext__()
            assert late >= 2
            await it.aclose()
            with pytest.raises(StopAsyncIteration):
                await it.__anext__()
    run(main)


def test_leaving_an_interval_stops_its_timer(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            core = actx._core
            async with actx.interval(0.005) as it:
                async for _ in it:
                    break
            for _ in range(100):
                if core.inflight() == 0:
                    break
                await asyncio.sleep(0.01)
            assert core.inflight() == 0, "the timer was cancelled and its end reaped"
    run(main)


def test_signals_are_caught_and_the_mask_restored(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            assert signal.SIGUSR1 not in blocked_signals()
            got = []
            watch = actx.signals({signal.SIGUSR1, signal.SIGUSR2})
            assert signal.SIGUSR1 in blocked_signals(), "blocked from the call on"
            os.kill(os.getpid(), signal.SIGUSR1)
            os.kill(os.getpid(), signal.SIGUSR2)
            async for si in watch:
                got.append(si)
                if len(got) == 2:
                    break
            del watch
            assert sorted(si.signo for si in got) == [signal.SIGUSR1, signal.SIGUSR2]
            for si in got:
                assert (si.pid, si.uid, si.code) == (os.getpid(), os.getuid(), 0)
            assert signal.SIGUSR1 not in blocked_signals(), "restored when the iteration ended"
            assert signal.SIGUSR2 not in blocked_signals()
            # And a Python handler gets the signal again.
            seen = []
            old = signal.signal(signal.SIGUSR1, lambda *a: seen.append(1))
            try:
                os.kill(os.getpid(), signal.SIGUSR1)
                await asyncio.sleep(0.01)
                assert seen == [1]
            finally:
                signal.signal(signal.SIGUSR1, old)
    run(main)


def test_a_signal_the_program_blocked_stays_blocked(run):
    async def main():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
        async with aionl.AsyncContext() as actx:
            async with actx.signals({signal.SIGUSR1, signal.SIGUSR2}) as watch:
                os.kill(os.getpid(), signal.SIGUSR2)
                si = await watch.__anext__()
                assert si.signo == signal.SIGUSR2
            mask = blocked_signals()
            assert signal.SIGUSR1 not in mask and signal.SIGUSR2 in mask
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR2})
    run(main)


def test_overlapping_watches_restore_once_both_end(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            a = actx.signals({signal.SIGUSR1})
            b = actx.signals({signal.SIGUSR1})
            a.close()
            assert signal.SIGUSR1 in blocked_signals(), "b still watches it"
            os.kill(os.getpid(), signal.SIGUSR1)
            assert (await b.__anext__()).signo == signal.SIGUSR1
            b.close()
            assert signal.SIGUSR1 not in blocked_signals()
    run(main)


def test_closing_the_context_ends_watches_and_restores_the_mask(run):
    async def main():
        actx = aionl.AsyncContext()
        watch = actx.signals({signal.SIGUSR1})
        ticks = actx.interval(10)
        actx.close()
        assert signal.SIGUSR1 not in blocked_signals()
        with pytest.raises(ValueError):
            await watch.__anext__()
        with pytest.raises(ValueError):
            await ticks.__anext__()
    run(main)


def test_wait_readable_and_writable(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            a, b = socket.socketpair()
            with a, b:
                assert await actx.wait_writable(a) & aionl.POLL_OUT
                waiter = asyncio.ensure_future(actx.wait_readable(a.fileno()))
                await asyncio.sleep(0.02)
                assert not waiter.done()
                b.send(b"x")
                assert (await asyncio.wait_for(waiter, 5)) & aionl.POLL_IN
                f = actx.register(a)
                assert await actx.wait_readable(f) & aionl.POLL_IN
                b.close()
                a.recv(1)
                assert await actx.wait_readable(f) & (aionl.POLL_IN | aionl.POLL_HUP)
    run(main)


def test_cancelled_read_ends_only_once_the_library_confirmed(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            r, w = os.pipe()
            try:
                fr = actx.register(r)
                buf = bytearray(8)
                state = {}

                async def reader():
                    try:
                        await actx.read(fr, buf, aionl.OFFSET_STREAM)
                    except asyncio.CancelledError:
                        # The library is done with buf: it is not held any more.
                        buf.append(0)
                        state["released"] = True
                        raise

                task = asyncio.ensure_future(reader())
                await asyncio.sleep(0.05)        # submitted, waiting on the pipe
                with pytest.raises(BufferError):
                    buf.append(0)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert state == {"released": True}
                os.write(w, b"data")
                assert os.read(r, 16) == b"data", "the cancelled read took nothing"
            finally:
                os.close(r)
                os.close(w)
    run(main)


def test_a_completion_that_beats_the_cancel(run):
    # The read completes, and its completion is dispatched, after the task was
    # cancelled but before the task runs: the task still ends at once.
    async def main():
        async with aionl.AsyncContext() as actx:
            r, w = os.pipe()
            try:
                fr = actx.register(r)
                buf = bytearray(8)
                task = asyncio.ensure_future(actx.read(fr, buf, aionl.OFFSET_STREAM))
                await asyncio.sleep(0.02)            # submitted, waiting on the pipe
                os.write(w, b"abc")
                time.sleep(0.1)                      # its completion is on the socket now
                asyncio.get_running_loop().call_soon(actx._on_readable)
                task.cancel()                        # runs after the dispatch above
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert buf[:3] == b"abc"             # it did complete
                buf.append(0)                        # and nothing holds the buffer
                assert actx._late == {} and actx._core.inflight() == 0
            finally:
                os.close(r)
                os.close(w)
    run(main)


def test_cancel_before_submission_and_repeated_cancels(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            r, w = os.pipe()
            try:
                fr = actx.register(r)
                bufs = [bytearray(4) for _ in range(50)]
                tasks = [asyncio.ensure_future(actx.read(fr, b, aionl.OFFSET_STREAM)) for b in bufs]
                await asyncio.sleep(0)           # queued, some maybe not submitted yet
                for t in tasks[:25]:
                    t.cancel()
                await asyncio.sleep(0.02)
                for t in tasks[25:]:
                    t.cancel()
                    t.cancel()
                    t.cancel()
                results = await asyncio.gather(*tasks, return_exceptions=True)
                assert all(isinstance(x, asyncio.CancelledError) for x in results)
                for b in bufs:
                    b.append(0)                  # none is held
                assert actx._core.inflight() == 0
                # The context goes on working.
                os.write(w, b"abcd")
                assert await actx.read(fr, bufs[0], aionl.OFFSET_STREAM) == 4
            finally:
                os.close(r)
                os.close(w)
    run(main)


def test_a_sleep_can_be_cancelled_with_wait_for(run):
    async def main():
        async with aionl.AsyncContext() as actx:
            t0 = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(actx.sleep(30), 0.05)
            assert time.monotonic() - t0 < 5
            assert actx._core.inflight() == 0
    run(main)


def test_close_fails_what_waits(run):
    async def main():
        actx = aionl.AsyncContext()
        r, w = os.pipe()
        try:
            fr = actx.register(r)
            buf = bytearray(4)
            task = asyncio.ensure_future(actx.read(fr, buf, aionl.OFFSET_STREAM))
            await asyncio.sleep(0.02)
            actx.close()
            with pytest.raises(ValueError):
                await task
            buf.append(0)
            with pytest.raises(ValueError):
                await actx.read(fr, buf, 0)
            with pytest.raises(ValueError):
                actx.fileno()
        finally:
            os.close(r)
            os.close(w)
    run(main)


def test_an_async_context_belongs_to_one_loop(run):
    actx = aionl.AsyncContext()

    async def use():
        await actx.nop()

    try:
        run(use)
        other = asyncio.new_event_loop()
        try:
            with pytest.raises(RuntimeError):
                other.run_until_complete(use())
        finally:
            other.close()
    finally:
        actx.close()


def test_async_context_is_not_a_sync_context_manager():
    actx = aionl.AsyncContext()
    try:
        with pytest.raises(TypeError):
            with actx:
                pass
    finally:
        actx.close()


def test_open_through_the_context(run, data, tmp_path):
    async def main():
        async with aionl.AsyncContext() as actx:
            f = await actx.open(data[0])
            buf = bytearray(64)
            assert await actx.read(f, buf, 0) == 64 and bytes(buf) == data[1][:64]
            g = await actx.open(tmp_path / "new", os.O_CREAT | os.O_RDWR, 0o600, fd=True)
            try:
                assert await actx.write(g, b"xyz", 0) == 3
                assert os.pread(g.fd, 3, 0) == b"xyz"
            finally:
                os.close(g.fd)
            with pytest.raises(FileNotFoundError):
                await actx.open(tmp_path / "missing")
            files = await asyncio.gather(*(actx.open(data[0]) for _ in range(40)))
            assert len({f.handle for f in files}) == 40
            fd = actx.install(files[0])
            os.close(fd)
    run(main)
