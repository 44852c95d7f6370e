# SPDX-License-Identifier: MIT
"""FALLOCATE and STATX from Python: Context.fallocate and Context.stat, their asyncio
twins, and the Fallocate and Statx requests, against what os.stat and os.posix_fallocate
say of the same files."""

import asyncio
import os
import stat

import pytest

import aionl

BASIC_FIELDS = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size",
                "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_blocks", "st_blksize",
                "st_rdev")


def assert_same_stat(got, want):
    """Every field both have, as os.stat gives it."""
    assert isinstance(got, aionl.StatResult)
    for name in BASIC_FIELDS:
        assert getattr(got, name) == getattr(want, name), name
    assert got.st_mtime == pytest.approx(want.st_mtime)
    assert got.stx_mask & aionl.STATX_BASIC_STATS == aionl.STATX_BASIC_STATS


@pytest.fixture
def empty(ctx, tmp_path):
    """An empty file, read-write and registered: (path, fd, File)."""
    path = tmp_path / "empty"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        yield path, fd, ctx.register(fd)
    finally:
        os.close(fd)


def test_fallocate_grows_and_keep_size_does_not(ctx, empty):
    path, fd, f = empty
    assert ctx.fallocate(f, 0, 0, 1 << 20) is None
    assert os.fstat(fd).st_size == 1 << 20
    assert os.fstat(fd).st_blocks * 512 >= 1 << 20
    ctx.fallocate(f, aionl.FALLOC_KEEP_SIZE, 1 << 20, 1 << 20)
    st = os.fstat(fd)
    assert st.st_size == 1 << 20 and st.st_blocks * 512 >= 2 << 20


def test_punch_hole_reads_back_zeros(ctx, empty):
    path, fd, f = empty
    os.pwrite(fd, b"x" * 65536, 0)
    ctx.fallocate(f, aionl.FALLOC_PUNCH_HOLE | aionl.FALLOC_KEEP_SIZE, 4096, 8192)
    data = os.pread(fd, 65536, 0)
    assert data == b"x" * 4096 + bytes(8192) + b"x" * (65536 - 12288)
    assert os.fstat(fd).st_size == 65536


def test_fallocate_errors_are_fallocate_s(ctx, empty, data):
    path, fd, f = empty
    # PUNCH_HOLE without KEEP_SIZE: what fallocate(2) answers.
    with pytest.raises(OSError) as e:
        ctx.fallocate(f, aionl.FALLOC_PUNCH_HOLE, 0, 4096)
    assert e.value.errno == 95      # EOPNOTSUPP
    ro = os.open(data[0], os.O_RDONLY)
    try:
        r = ctx.register(ro)
        with pytest.raises(OSError) as e:
            ctx.fallocate(r, 0, 0, 4096)
        assert e.value.errno == 9   # EBADF
    finally:
        os.close(ro)
    # offset + length past MAX_OFFSET: the server's rule.
    with pytest.raises(OSError) as e:
        ctx.fallocate(f, 0, aionl.aionl_core.AIONL_MAX_OFFSET - 10, 11)
    assert e.value.errno == 22


def test_fallocate_arguments_the_protocol_refuses_never_leave(ctx, empty):
    path, fd, f = empty
    with pytest.raises(ValueError):
        ctx.fallocate(f, 0, 0, 0)
    with pytest.raises(ValueError):
        ctx.fallocate(f, 0x8, 0, 4096)          # FALLOC_FL_COLLAPSE_RANGE: not the protocol's
    with pytest.raises(ValueError):
        ctx.fallocate(f, 0, 2**63, 1)
    with pytest.raises(TypeError):
        ctx.fallocate(f, 0, "0", 1)
    with pytest.raises(TypeError):
        ctx.fallocate(fd, 0, 0, 1)             # a descriptor, not an aionl.File
    assert os.fstat(fd).st_size == 0


def test_stat_of_a_file_and_of_its_path_is_os_stat_s(ctx, rfile, data, tmp_path):
    want = os.stat(data[0])
    assert_same_stat(ctx.stat(rfile), want)
    assert_same_stat(ctx.stat(data[0]), want)
    assert_same_stat(ctx.stat(os.fsencode(data[0])), want)
    dfd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        d = ctx.register(dfd)
        assert_same_stat(ctx.stat(os.path.basename(data[0]), dir=d), want)
        assert_same_stat(ctx.stat(d), os.stat(tmp_path))
    finally:
        os.close(dfd)


def test_stat_follows_symlinks_unless_asked_not_to(ctx, data, tmp_path):
    link = tmp_path / "link"
    os.symlink(data[0], link)
    assert stat.S_ISREG(ctx.stat(link).st_mode)
    st = ctx.stat(link, follow_symlinks=False)
    assert stat.S_ISLNK(st.st_mode)
    assert_same_stat(st, os.lstat(link))


def test_stat_mask_and_birth_time(ctx, rfile):
    st = ctx.stat(rfile, mask=aionl.STATX_BASIC_STATS)
    assert st.stx_mask & aionl.STATX_BTIME == 0
    assert st.st_birthtime is None and st.st_birthtime_ns is None
    st = ctx.stat(rfile, mask=aionl.STATX_BASIC_STATS | aionl.STATX_BTIME)
    if st.stx_mask & aionl.STATX_BTIME:
        assert st.st_birthtime_ns > 0 and st.st_birthtime == pytest.approx(st.st_birthtime_ns / 1e9)


def test_stat_errors_name_the_path(ctx, tmp_path, rfile):
    with pytest.raises(FileNotFoundError) as e:
        ctx.stat(tmp_path / "missing")
    assert e.value.filename == str(tmp_path / "missing")
    with pytest.raises(NotADirectoryError):
        ctx.stat("x", dir=rfile)
    other = aionl.Context()
    try:
        with pytest.raises(OSError) as e:
            other.stat(rfile)          # a handle of another context
        assert e.value.errno == 9
    finally:
        other.close()
    with pytest.raises(TypeError):
        ctx.stat(rfile, dir=rfile)     # dir goes with a path
    with pytest.raises(ValueError):
        ctx.stat(rfile, mask=1 << 31)  # STATX__RESERVED
    with pytest.raises(OSError) as e:
        ctx.stat("a" * 5000)
    assert e.value.errno == 36         # ENAMETOOLONG, before it leaves


def test_requests_in_a_batch(ctx, empty, data):
    path, fd, f = empty
    reqs = [aionl.Fallocate(f, 0, 0, 65536), aionl.Statx(data[0]),
            aionl.Statx(f, mask=aionl.STATX_SIZE)]
    assert ctx.submit(reqs) == 3
    got = {}
    while len(got) < 3:
        for c in ctx.reap(3, 1):
            got[c.cookie] = c
    assert all(c.result == 0 for c in got.values())
    assert_same_stat(reqs[1].stat(), os.stat(data[0]))
    # The request's own buffer; a given one must hold a struct statx.
    assert len(reqs[2].buf) == 256
    with pytest.raises(ValueError):
        ctx.submit([aionl.Statx(f, buf=bytearray(100))])
    with pytest.raises(BufferError):
        ctx.submit([aionl.Statx(f, buf=bytes(256))])


def test_async_fallocate_and_stat(run, data, tmp_path):
    async def main():
        async with aionl.AsyncContext() as actx:
            fd = os.open(tmp_path / "a", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                f = actx.register(fd)
                await actx.fallocate(f, 0, 0, 12345)
                assert os.fstat(fd).st_size == 12345
                st, st2 = await asyncio.gather(actx.stat(f), actx.stat(data[0]))
                assert_same_stat(st, os.fstat(fd))
                assert_same_stat(st2, os.stat(data[0]))
                with pytest.raises(FileNotFoundError):
                    await actx.stat(tmp_path / "missing")
                with pytest.raises(OSError):
                    await actx.fallocate(f, aionl.FALLOC_PUNCH_HOLE, 0, 1)
                stats = await asyncio.gather(*(actx.stat(data[0]) for _ in range(50)))
                assert len({s.st_ino for s in stats}) == 1
            finally:
                os.close(fd)
    run(main)
