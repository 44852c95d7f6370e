# SPDX-License-Identifier: MIT
"""The synchronous API: Context, its blocking calls, and batches of requests."""

import array
import errno
import fcntl
import mmap
import os
import select
import selectors
import signal
import socket
import time

import pytest

import aionl

from conftest import FILE_SIZE, pattern


def test_context_reports_the_backend_it_got():
    with aionl.Context() as ctx:
        info = ctx.info()
        assert isinstance(info, aionl.Info)
        assert info.backend in ("user", "kernel")
        assert info.reason, "info() says why this backend was chosen"
        assert info.max_inflight == 4096
        assert info.max_iov >= 1
        expect = os.environ.get("AIONL_TEST_EXPECT")
        if expect:
            assert f"{info.backend}+{info.executor}" == expect


def test_backend_and_executor_arguments_win_over_nothing():
    with aionl.Context(backend="user", executor="threads", max_inflight=64, workers=2) as ctx:
        info = ctx.info()
        assert (info.backend, info.executor) == ("user", "threads")
        assert info.max_inflight == 64
        assert info.workers == 2


def test_unknown_backend_or_executor_is_a_value_error():
    with pytest.raises(ValueError):
        aionl.Context(backend="floppy")
    with pytest.raises(ValueError):
        aionl.Context(executor="abacus")
    with pytest.raises(ValueError):
        aionl.Context(max_inflight=0)


def test_a_backend_this_machine_lacks_is_an_oserror_not_a_fallback():
    if aionl.probe("kernel") is None:
        pytest.skip("aionl.ko is loaded here")
    with pytest.raises(FileNotFoundError) as e:
        aionl.Context(backend="kernel")
    assert e.value.errno == 2
    assert "aionl" in str(e.value), "the library's message says why"
    assert isinstance(aionl.probe("kernel"), FileNotFoundError)


def test_fileno_is_pollable_with_select_and_selectors(ctx):
    fd = ctx.fileno()
    assert isinstance(fd, int) and fd >= 0
    assert select.select([ctx], [], [], 0)[0] == []
    ctx.submit([aionl.Nop(cookie=5)])
    assert select.select([ctx], [], [], 5)[0] == [ctx]
    sel = selectors.DefaultSelector()
    sel.register(ctx, selectors.EVENT_READ)
    assert len(sel.select(5)) == 1
    (c,) = ctx.reap(timeout=0)
    assert (c.cookie, c.result) == (5, 0)
    assert ctx.reap(min=0) == []
    assert sel.select(0) == []
    sel.close()


def test_register_takes_an_int_or_an_object_with_fileno(ctx, data):
    with open(data[0], "rb") as f:
        a = ctx.register(f)
        b = ctx.register(f.fileno())
    assert isinstance(a, aionl.File) and isinstance(b, aionl.File)
    assert a.handle != b.handle
    # The context holds its own reference: the file was closed, reads work.
    buf = bytearray(16)
    assert ctx.read(a, buf, 100) == 16
    assert bytes(buf) == data[1][100:116]
    ctx.unregister(a)
    ctx.unregister(b)
    with pytest.raises(TypeError):
        ctx.register("data.bin")
    with pytest.raises(TypeError):
        ctx.register(1.5)
    with pytest.raises(OSError) as e:
        ctx.register(-1)
    assert e.value.errno == 9


def test_read_and_write_round_trip(ctx, wfile, data):
    buf = bytearray(4096)
    assert ctx.read(wfile, buf, 8192) == 4096
    assert bytes(buf) == data[1][8192:12288]
    payload = os.urandom(5000)
    assert ctx.write(wfile, payload, 3) == 5000
    ctx.fsync(wfile)
    ctx.fdatasync(wfile)
    with open(data[0], "rb") as f:
        f.seek(3)
        assert f.read(5000) == payload
    # A read at the end of the file returns what is there.
    assert ctx.read(wfile, buf, FILE_SIZE - 10) == 10
    assert ctx.read(wfile, buf, FILE_SIZE + 4096) == 0


def test_readv_and_writev(ctx, wfile, data):
    a, b = bytearray(100), bytearray(300)
    assert ctx.readv(wfile, [a, b], 1000) == 400
    assert bytes(a) + bytes(b) == data[1][1000:1400]
    assert ctx.writev(wfile, [b"xy", memoryview(b"zw"), array.array("b", [1, 2])], 7) == 6
    with open(data[0], "rb") as f:
        f.seek(7)
        assert f.read(6) == b"xyzw\x01\x02"


def test_reads_land_in_any_writable_buffer_without_a_copy(ctx, rfile, data):
    content = data[1]
    # bytearray, and a memoryview of part of one.
    big = bytearray(b"\xee" * 64)
    assert ctx.read(rfile, memoryview(big)[8:24], 0) == 16
    assert big[:8] == b"\xee" * 8 and big[8:24] == content[:16] and big[24:] == b"\xee" * 40
    # array.array
    arr = array.array("I", [0] * 256)
    assert ctx.read(rfile, arr, 4096) == 1024
    assert arr.tobytes() == content[4096:5120]
    # an anonymous mmap
    m = mmap.mmap(-1, 8192)
    assert ctx.read(rfile, m, 0) == 8192
    assert m[:] == content[:8192]
    m.close()


def test_reads_land_in_numpy_arrays():
    np = pytest.importorskip("numpy")
    path = "/proc/self/exe"
    with aionl.Context() as ctx, open(path, "rb") as f:
        file = ctx.register(f)
        expect = f.read(8192)
        a = np.zeros(2048, dtype=np.uint32)
        view = a[512:]                  # shares a's memory
        assert ctx.read(file, view, 0) == 6144
        assert a[:512].sum() == 0
        assert a[512:].tobytes() == expect[:6144]
        two_d = np.zeros((4, 256), dtype=np.uint8)
        assert ctx.read(file, two_d, 0) == 1024
        assert two_d.tobytes() == expect[:1024]
        # Not contiguous: not a buffer a read can fill.
        with pytest.raises((BufferError, TypeError, ValueError)):
            ctx.read(file, a[::2], 0)


def test_pipes_and_sockets_take_offset_stream(ctx):
    r, w = os.pipe()
    try:
        fr, fw = ctx.register(r), ctx.register(w)
        assert ctx.write(fw, b"hello", aionl.OFFSET_STREAM) == 5
        buf = bytearray(16)
        assert ctx.read(fr, buf, aionl.OFFSET_STREAM) == 5
        assert buf[:5] == b"hello"
        with pytest.raises(OSError) as e:
            ctx.read(fr, buf, 0)
        assert e.value.errno == 29          # ESPIPE
    finally:
        os.close(r)
        os.close(w)
    a, b = socket.socketpair()
    with a, b:
        fa = ctx.register(a)
        b.sendall(b"ping")
        buf = bytearray(4)
        assert ctx.read(fa, buf, aionl.OFFSET_STREAM) == 4 and buf == b"ping"


def test_a_deadline_ends_a_read_that_waits(ctx):
    r, w = os.pipe()
    try:
        fr = ctx.register(r)
        t0 = time.monotonic()
        with pytest.raises(TimeoutError) as e:
            ctx.read(fr, bytearray(4), aionl.OFFSET_STREAM, timeout=0.05)
        assert e.value.errno == 110
        assert 0.04 < time.monotonic() - t0 < 5
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "socket"])
def test_a_batch_of_writes_then_reads(tmp_path, direct):
    # direct=False: every write crosses the socket; by default the user
    # backend hands each to a worker from the submitting thread.
    ctx = aionl.Context(inline_reads=False, direct=direct)
    path = tmp_path / "w"
    with open(path, "w+b") as f:
        wfile = ctx.register(f)
        blocks = [bytes([i]) * 4096 for i in range(64)]
        writes = [aionl.Write(wfile, b, i * 4096, cookie=i) for i, b in enumerate(blocks)]
        assert ctx.submit(writes) == 64
        got = {}
        while len(got) < 64:
            for c in ctx.reap(max=64, min=1):
                got[c.cookie] = c.result
        assert got == {i: 4096 for i in range(64)}
        reads = [aionl.Read(wfile, bytearray(4096), i * 4096, cookie=i) for i in range(64)]
        assert ctx.submit(reads) == 64
        got = {}
        while len(got) < 64:
            for c in ctx.reap(max=64, min=1):
                got[c.cookie] = c
        for i, r in enumerate(reads):
            assert got[i].result == 4096 and bytes(r.buf) == blocks[i]
    ctx.close()


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "engine_reads"])
def test_a_batch_of_reads(data, inline):
    ctx = aionl.Context(inline_reads=inline)
    with open(data[0], "rb") as f:
        rfile = ctx.register(f)
    reqs = [aionl.Read(rfile, bytearray(4096), i * 4096, cookie=i) for i in range(100)]
    assert ctx.submit(reqs) == 100
    got = {}
    while len(got) < 100:
        for c in ctx.reap(max=64, min=1):
            got[c.cookie] = c
    for i, r in enumerate(reqs):
        c = got[i]
        assert c.request is r
        assert (c.result, c.flags, c.siginfo) == (4096, 0, None)
        assert bytes(r.buf) == data[1][i * 4096:(i + 1) * 4096]
    ctx.close()


def test_cookies_of_none_are_chosen_and_distinct(ctx, rfile):
    reqs = [aionl.Read(rfile, bytearray(8), 0) for _ in range(50)] + [aionl.Nop()]
    assert all(r.cookie is None for r in reqs)
    assert ctx.submit(reqs) == 51
    cookies = {r.cookie for r in reqs}
    assert len(cookies) == 51
    comps = []
    while len(comps) < 51:
        comps += ctx.reap(max=51)
    assert {c.cookie for c in comps} == cookies
    for c in comps:
        assert c.request.cookie == c.cookie


def test_a_cookie_in_flight_cannot_be_reused(ctx):
    r, w = os.pipe()
    try:
        fr = ctx.register(r)
        slow = aionl.Read(fr, bytearray(1), aionl.OFFSET_STREAM, cookie=7)
        assert ctx.submit([slow]) == 1
        with pytest.raises(ValueError, match="in flight"):
            ctx.submit([aionl.Nop(cookie=7)])
        with pytest.raises(ValueError, match="in flight"):
            ctx.submit([slow])
        # Nothing of a refused batch was submitted.
        with pytest.raises(ValueError):
            ctx.submit([aionl.Nop(cookie=8), aionl.Nop(cookie=7)])
        assert ctx.submit([aionl.Nop(cookie=8)]) == 1
        assert [c.cookie for c in ctx.reap()] == [8]
        os.write(w, b"!")
        (c,) = ctx.reap()
        assert (c.cookie, c.result, c.request) == (7, 1, slow)
        # Reaped: the cookie, and the request, may go again.
        assert ctx.submit([aionl.Nop(cookie=7)]) == 1
        assert ctx.reap()[0].cookie == 7
    finally:
        os.close(r)
        os.close(w)


def test_max_inflight_is_back_pressure():
    with aionl.Context(max_inflight=8) as ctx:
        reqs = [aionl.Nop(cookie=i) for i in range(10)]
        assert ctx.submit(reqs) == 8, "accepted up to max_inflight, from the first"
        assert reqs[8].cookie == 8
        with pytest.raises(OSError) as e:
            ctx.submit(reqs[8:])
        assert e.value.errno == 16      # EBUSY
        assert "outstanding" in e.value.strerror, "the library's message"
        assert sorted(c.cookie for c in ctx.reap(max=8, min=8)) == list(range(8))
        assert ctx.submit(reqs[8:]) == 2
        assert sorted(c.cookie for c in ctx.reap(max=8, min=2)) == [8, 9]


def test_reap_waits_for_min_and_stops_at_timeout(ctx):
    t0 = time.monotonic()
    assert ctx.reap(min=1, timeout=0.1) == []
    assert 0.09 < time.monotonic() - t0 < 5
    ctx.submit([aionl.Nop(cookie=i) for i in range(10)])
    first = ctx.reap(max=3, min=3)
    assert len(first) == 3
    rest = ctx.reap(max=64, min=7, timeout=5)
    assert sorted(c.cookie for c in first + rest) == list(range(10))
    with pytest.raises(ValueError):
        ctx.reap(max=0)
    with pytest.raises(ValueError):
        ctx.reap(max=2, min=3)
    with pytest.raises(ValueError):
        ctx.reap(timeout=-1)


def test_timers_one_shot_periodic_and_late(ctx):
    t0 = time.monotonic()
    ctx.submit([aionl.Timer(0.05, cookie=1)])
    (c,) = ctx.reap()
    assert time.monotonic() - t0 >= 0.045
    assert (c.cookie, c.result) == (1, 1)
    assert c.flags & aionl.CQE_F_TIMER and not c.flags & aionl.CQE_F_MORE
    # Periodic, reaped late: one completion counts the expirations.
    tick = aionl.Timer(0.01, 0.01, cookie=2)
    ctx.submit([tick])
    time.sleep(0.2)
    comps = []
    while sum(c.result for c in comps) < 10:
        comps += ctx.reap(max=64, min=1, timeout=5)
    assert any(c.result > 1 for c in comps), "a slow reaper gets expirations counted"
    assert all(c.flags & aionl.CQE_F_MORE for c in comps)
    # Re-arm it, then cancel it: the last completion has no MORE.
    ctx.submit([aionl.TimerUpdate(tick, 60, 60, cookie=3)])
    assert [c.result for c in ctx.reap(timeout=5) if c.cookie == 3] in ([0], [])
    ctx.submit([aionl.Cancel(tick, cookie=4)])
    seen = {}
    while 4 not in seen or 2 not in seen or seen[2].flags & aionl.CQE_F_MORE:
        for c in ctx.reap(timeout=5):
            seen[c.cookie] = c
    assert seen[2].result == -125 and not seen[2].flags & aionl.CQE_F_MORE
    assert seen[4].result == 1
    # An update of no timer: ENOENT.
    ctx.submit([aionl.TimerUpdate(999, 1, cookie=5)])
    (c,) = ctx.reap()
    assert (c.cookie, c.result) == (5, -2)


def test_absolute_timer_on_realtime(ctx):
    when = time.clock_gettime(time.CLOCK_REALTIME) + 0.05
    ctx.submit([aionl.Timer(when, clock=time.CLOCK_REALTIME, absolute=True, cookie=1)])
    (c,) = ctx.reap()
    assert c.result == 1
    assert time.clock_gettime(time.CLOCK_REALTIME) >= when - 0.001


def test_poll_one_shot_multishot_and_regular_files(ctx, rfile):
    a, b = socket.socketpair()
    with a, b:
        fa = ctx.register(a)
        ctx.submit([aionl.Poll(fa, aionl.POLL_IN, cookie=1)])
        assert ctx.reap(min=0) == []
        b.send(b"x")
        (c,) = ctx.reap()
        assert c.result & aionl.POLL_IN and not c.flags & aionl.CQE_F_MORE
        a.recv(1)
        multi = aionl.Poll(fa, aionl.POLL_IN, cookie=2, multishot=True)
        ctx.submit([multi])
        for _ in range(3):
            b.send(b"y")
            (c,) = ctx.reap()
            assert c.cookie == 2 and c.flags & aionl.CQE_F_MORE
            a.recv(16)
        ctx.submit([aionl.Cancel(multi, cookie=3)])
        last = {}
        while len(last) < 2:
            for c in ctx.reap():
                if not c.flags & aionl.CQE_F_MORE:
                    last[c.cookie] = c
        assert last[2].result == -125
    ctx.submit([aionl.Poll(rfile, aionl.POLL_IN, cookie=4)])
    (c,) = ctx.reap()
    assert c.result == -1       # EPERM: regular files are always ready


def test_signal_watch_reports_siginfo(ctx):
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        watch = aionl.Signal({signal.SIGUSR1, signal.SIGUSR2}, cookie=1)
        ctx.submit([watch])
        assert signal.SIGUSR1 in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        os.kill(os.getpid(), signal.SIGUSR2)
        (c,) = ctx.reap(timeout=5)
        assert c.result == signal.SIGUSR2
        assert c.flags & aionl.CQE_F_SIGNAL and c.flags & aionl.CQE_F_MORE
        si = c.siginfo
        assert isinstance(si, aionl.SigInfo)
        assert (si.signo, si.pid, si.uid) == (signal.SIGUSR2, os.getpid(), os.getuid())
        assert si.code == 0     # SI_USER
        ctx.submit([aionl.Cancel(watch, cookie=2)])
        done = {c.cookie: c for c in ctx.reap(max=2, min=2)}
        assert done[1].result == -125 and done[2].result == 1
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def test_cancel_by_cookie_by_file_and_all(ctx):
    r, w = os.pipe()
    try:
        fr = ctx.register(r)
        reads = [aionl.Read(fr, bytearray(1), aionl.OFFSET_STREAM, cookie=i) for i in range(3)]
        timer = aionl.Timer(60, cookie=10)
        ctx.submit(reads + [timer])
        ctx.submit([aionl.Cancel(reads[0], cookie=20)])
        got = {c.cookie: c.result for c in ctx.reap(max=2, min=2)}
        assert got == {0: -125, 20: 1}
        ctx.submit([aionl.Cancel(file=fr, cookie=21)])
        got = {c.cookie: c.result for c in ctx.reap(max=3, min=3)}
        assert got == {1: -125, 2: -125, 21: 2}
        ctx.submit([aionl.Cancel(all=True, cookie=22)])
        got = {c.cookie: c.result for c in ctx.reap(max=2, min=2)}
        assert got == {10: -125, 22: 1}
        ctx.submit([aionl.Cancel(12345, cookie=23)])
        assert ctx.reap()[0].result == -2       # ENOENT
        with pytest.raises(TypeError):
            aionl.Cancel(1, file=fr)
        with pytest.raises(ValueError, match="never submitted"):
            ctx.submit([aionl.Cancel(aionl.Nop())])
    finally:
        os.close(r)
        os.close(w)


def test_requests_have_readable_reprs(rfile):
    r = aionl.Read(rfile, bytearray(4096), 0, cookie=3)
    text = repr(r)
    assert "Read(" in text and "4096 bytes" in text and "cookie=3" in text
    assert len(text) < 300


def test_pattern_is_what_the_file_holds(data):
    assert data[1] == pattern(FILE_SIZE)


def test_open_through_the_context(ctx, data, tmp_path):
    f = ctx.open(data[0])
    assert isinstance(f, aionl.File) and f.fd is None
    buf = bytearray(100)
    assert ctx.read(f, buf, 50) == 100 and bytes(buf) == data[1][50:150]
    ctx.unregister(f)
    # str, bytes and os.PathLike, as os.open takes them.
    for p in (os.fsencode(data[0]), tmp_path / "data.bin"):
        g = ctx.open(p)
        assert ctx.read(g, buf, 0) == 100
        ctx.unregister(g)


def test_open_gives_a_descriptor_on_request(ctx, data):
    f = ctx.open(data[0], fd=True)
    try:
        assert f.fd >= 0
        assert os.pread(f.fd, 10, 0) == data[1][:10]
        assert os.fstat(f.fd).st_size == FILE_SIZE
        assert fcntl.fcntl(f.fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    finally:
        os.close(f.fd)


def test_open_creates_and_starts_from_a_directory(ctx, tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    f = ctx.open(tmp_path / "new.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)
    assert ctx.write(f, b"created", 0) == 7
    st = os.stat(tmp_path / "new.txt")
    assert st.st_mode & 0o777 == 0o640 & ~umask
    with pytest.raises(FileExistsError) as e:
        ctx.open(tmp_path / "new.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    assert e.value.filename == tmp_path / "new.txt" or str(e.value.filename) == str(tmp_path / "new.txt")
    d = ctx.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    g = ctx.open("new.txt", dir=d)
    buf = bytearray(7)
    assert ctx.read(g, buf, 0) == 7 and buf == b"created"


def test_open_errors(ctx, tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        ctx.open(tmp_path / "missing")
    assert e.value.errno == 2 and "missing" in str(e.value)
    with pytest.raises(IsADirectoryError):
        ctx.open(tmp_path, os.O_WRONLY)
    with pytest.raises(ValueError):
        ctx.open(tmp_path / "x", os.O_ASYNC)             # not an OPEN flag
    with pytest.raises(ValueError):
        ctx.open(tmp_path / "x", os.O_CREAT, 0o10000)    # mode above 07777
    with pytest.raises(ValueError):
        ctx.open("nul\0inside")
    with pytest.raises(TypeError):
        ctx.open(42)
    with pytest.raises(OSError) as e:
        ctx.open("x" * 5000)
    assert e.value.errno == 36                           # ENAMETOOLONG
    with pytest.raises(TypeError):
        ctx.open("x", dir="not a File")


def test_open_in_a_batch_and_install(ctx, data):
    reqs = [aionl.Open(data[0], cookie=1), aionl.Open(data[0], cookie=2, fd=True),
            aionl.Open("/nonexistent/file", cookie=3)]
    assert ctx.submit(reqs) == 3
    got = {}
    while len(got) < 3:
        for c in ctx.reap():
            got[c.cookie] = c
    assert got[1].result == 0 and got[1].open.fd == -1
    assert got[2].result == 0 and got[2].flags & aionl.CQE_F_FD and got[2].open.fd >= 0
    assert got[3].result == -2 and got[3].open is None
    a = ctx.file_of(got[1])
    b = ctx.file_of(got[2])
    assert b.fd == got[2].open.fd
    os.close(b.fd)
    with pytest.raises(FileNotFoundError):
        ctx.file_of(got[3])
    buf = bytearray(8)
    assert ctx.read(a, buf, 0) == 8 and bytes(buf) == data[1][:8]
    # A descriptor of a registered file, for the program.
    fd = ctx.install(a)
    try:
        assert os.pread(fd, 8, 8) == data[1][8:16]
        assert fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    finally:
        os.close(fd)
    fd = ctx.install(a, cloexec=False)
    try:
        assert not fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    finally:
        os.close(fd)
    ctx.unregister(a)
    with pytest.raises(OSError) as e:
        ctx.install(a)
    assert e.value.errno == 9


def _other_filesystem(path):
    """A writable directory on another filesystem than path's, or None."""
    dev = os.stat(path).st_dev
    for d in ("/dev/shm", "/run", "/tmp", "/var/tmp"):
        try:
            if os.stat(d).st_dev != dev and os.access(d, os.W_OK):
                return d
        except OSError:
            pass
    return None


def test_a_bound_context_refuses_files_of_other_filesystems(tmp_path):
    other = _other_filesystem(tmp_path)
    assert other, "a test machine has /dev/shm or /run on a filesystem of its own"
    mine = tmp_path / "mine"
    mine.write_bytes(b"x" * 10)
    with open(mine, "rb") as f, aionl.Context(bind=tmp_path) as ctx:
        ctx.register(f)
        assert "bound to filesystem" in ctx.info().reason
        with open(os.path.join(other, f"aionl-py-bind-{os.getpid()}"), "wb+") as g:
            try:
                with pytest.raises(OSError) as e:
                    ctx.register(g)
                assert e.value.errno == errno.EXDEV
                assert "bound to" in str(e.value)
            finally:
                os.unlink(g.name)
    # By descriptor: the program's, left open.
    fd = os.open(other, os.O_PATH)
    try:
        with aionl.Context(bind=fd) as ctx, open(mine, "rb") as f:
            with pytest.raises(OSError) as e:
                ctx.register(f)
            assert e.value.errno == errno.EXDEV
        os.fstat(fd)
    finally:
        os.close(fd)
    with pytest.raises(FileNotFoundError):
        aionl.Context(bind=tmp_path / "missing")


def test_raise_nofile_raises_the_soft_limit():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard <= 1024:
        pytest.skip("the hard limit leaves nothing to raise")
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    try:
        with aionl.Context():
            assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == 1024, "not unless asked"
        with aionl.Context(raise_nofile=True):
            assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# ---------------------------------------------------------------- ordering


def test_a_chain_of_appends_runs_in_order(ctx, tmp_path):
    """link=True: each write starts once the one before it completed; O_APPEND shows the order."""
    fd = os.open(tmp_path / "log", os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        f = ctx.register(fd)
        data = [bytes([i]) for i in range(64)]
        reqs = [aionl.Write(f, b, 0, link=i < 63) for i, b in enumerate(data)]
        assert ctx.submit(reqs) == 64
        got = []
        while len(got) < 64:
            got += ctx.reap(max=64)
        assert [c.cookie for c in got] == [r.cookie for r in reqs], "completions in chain order"
        assert all(c.result == 1 for c in got)
        assert os.pread(fd, 100, 0) == b"".join(data)
    finally:
        os.close(fd)


def test_a_failing_link_cancels_the_rest_of_the_chain(ctx, rfile, wfile, data):
    """A write to a read-only file fails; the requests linked after it are ECANCELED, unrun."""
    reqs = [aionl.Write(rfile, b"x", 0, link=True), aionl.Write(wfile, b"y", 7, link=True),
            aionl.Fsync(wfile), aionl.Nop()]
    assert ctx.submit(reqs) == 4
    got = {}
    while len(got) < 4:
        for c in ctx.reap(max=8):
            got[c.cookie] = c.result
    assert got[reqs[0].cookie] == -errno.EBADF
    assert got[reqs[1].cookie] == -errno.ECANCELED
    assert got[reqs[2].cookie] == -errno.ECANCELED
    assert got[reqs[3].cookie] == 0, "the NOP is not in the chain"
    assert ctx.read(wfile, bytearray(1), 7) == 1
    buf = bytearray(1)
    ctx.read(wfile, buf, 7)
    assert bytes(buf) == data[1][7:8]


def test_a_drain_waits_for_a_pipe_read(ctx):
    """drain=True: the NOP waits for the read of an empty pipe submitted before it."""
    r, w = os.pipe()
    try:
        f = ctx.register(r)
        buf = bytearray(3)
        read = aionl.Read(f, buf, aionl.OFFSET_STREAM)
        ctx.submit([read])
        nop = aionl.Nop(drain=True)
        ctx.submit([nop])
        assert ctx.reap(min=1, timeout=0.2) == []
        os.write(w, b"abc")
        got = []
        while len(got) < 2:
            got += ctx.reap(max=4)
        assert [c.cookie for c in got] == [read.cookie, nop.cookie]
        assert bytes(buf) == b"abc"
    finally:
        os.close(r)
        os.close(w)


def test_fallocate_and_stat_take_their_turn_in_a_chain(ctx, tmp_path):
    """A log's step: allocate, write into the allocation, then stat, each after the one before."""
    assert ctx.order_flags == aionl.REQ_LINK | aionl.REQ_DRAIN
    fd = os.open(tmp_path / "wal", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        f = ctx.register(fd)
        rec = b"r" * (1 << 20)
        st = aionl.Statx(f, aionl.STATX_EMPTY_PATH, link=False)
        reqs = [aionl.Fallocate(f, 0, 0, 4 << 20, link=True),
                aionl.Write(f, rec, 1 << 20, link=True), st]
        assert ctx.submit(reqs) == 3
        got = []
        while len(got) < 3:
            got += ctx.reap(max=4)
        assert [c.cookie for c in got] == [r.cookie for r in reqs], "completions in chain order"
        assert [c.result for c in got] == [0, len(rec), 0]
        assert st.stat().st_size == 4 << 20
        assert os.pread(fd, 4, 1 << 20) == b"rrrr"
        # A failing FALLOCATE (mode bits no filesystem takes alone: PUNCH_HOLE without KEEP_SIZE) breaks it.
        reqs = [aionl.Fallocate(f, aionl.FALLOC_PUNCH_HOLE, 0, 4096, link=True),
                aionl.Write(f, b"x", 0)]
        assert ctx.submit(reqs) == 2
        got = {}
        while len(got) < 2:
            for c in ctx.reap(max=4):
                got[c.cookie] = c.result
        assert got[reqs[0].cookie] == -errno.EOPNOTSUPP
        assert got[reqs[1].cookie] == -errno.ECANCELED
        assert os.pread(fd, 1, 0) == b"\0"
    finally:
        os.close(fd)


def test_link_and_drain_only_where_they_mean_something(ctx):
    assert aionl.REQ_LINK == 1 and aionl.REQ_DRAIN == 2
    assert aionl.Nop(link=True).link and not aionl.Nop().drain
    with pytest.raises(TypeError):
        aionl.Timer(1, link=True)
    assert "link=True" in repr(aionl.Nop(link=True))
