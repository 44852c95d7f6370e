# SPDX-License-Identifier: MIT
"""COPY from Python: Context.copy, AsyncContext.copy and the Copy request, against what
the files hold afterwards and what os.copy_file_range says of the same files."""

import asyncio
import errno
import os

import pytest

import aionl

from conftest import pattern


@pytest.fixture
def pair(ctx, tmp_path):
    """A 1 MiB source and an empty destination, both read-write and registered:
    (src fd, src File, dst fd, dst File)."""
    s = os.open(tmp_path / "src", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    d = os.open(tmp_path / "dst", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    os.pwrite(s, pattern(1 << 20, 7), 0)
    try:
        yield s, ctx.register(s), d, ctx.register(d)
    finally:
        os.close(s)
        os.close(d)


def test_copy_copies_the_range_and_moves_no_position(ctx, pair):
    s, sf, d, df = pair
    src = pattern(1 << 20, 7)
    os.lseek(s, 5, os.SEEK_SET)
    assert ctx.copy(sf, 1000, df, 4096, 300000) == 300000
    assert os.pread(d, 300000, 4096) == src[1000:301000]
    assert os.pread(d, 4096, 0) == bytes(4096)
    assert os.fstat(d).st_size == 304096
    assert os.lseek(s, 0, os.SEEK_CUR) == 5
    assert os.lseek(d, 0, os.SEEK_CUR) == 0


def test_copy_is_short_at_the_end_and_zero_past_it(ctx, pair):
    s, sf, d, df = pair
    assert ctx.copy(sf, (1 << 20) - 100, df, 0, 4096) == 100
    assert ctx.copy(sf, 1 << 20, df, 0, 4096) == 0


def test_copy_errors_are_copy_file_range_s(ctx, pair, tmp_path):
    s, sf, d, df = pair
    # Overlapping ranges of one file.
    with pytest.raises(OSError) as e:
        os.copy_file_range(s, s, 8192, 0, 4096)
    assert e.value.errno == errno.EINVAL
    with pytest.raises(OSError) as e:
        ctx.copy(sf, 0, sf, 4096, 8192)
    assert e.value.errno == errno.EINVAL
    # A read-only and an O_APPEND destination.
    for flags in (os.O_RDONLY, os.O_WRONLY | os.O_APPEND):
        fd = os.open(tmp_path / "dst", flags)
        try:
            with pytest.raises(OSError) as e:
                ctx.copy(sf, 0, ctx.register(fd), 0, 4096)
            assert e.value.errno == errno.EBADF
        finally:
            os.close(fd)
    assert os.fstat(d).st_size == 0


def test_copy_across_filesystems_is_exdev_or_a_copy_as_the_kernel_says(ctx, pair):
    s, sf, d, df = pair
    other = "/dev/shm"
    if not os.path.isdir(other) or os.stat(other).st_dev == os.fstat(s).st_dev:
        pytest.skip("no second filesystem at /dev/shm")
    fd = os.open(other, os.O_TMPFILE | os.O_RDWR, 0o600)
    twin = os.open(other, os.O_TMPFILE | os.O_RDWR, 0o600)
    try:
        try:
            want = os.copy_file_range(s, twin, 4096, 0, 0)
        except OSError as err:
            want = -err.errno
        try:
            got = ctx.copy(sf, 0, ctx.register(fd), 0, 4096)
        except OSError as err:
            got = -err.errno
        assert got == want
    finally:
        os.close(fd)
        os.close(twin)


def test_copy_arguments_the_protocol_refuses_never_leave(ctx, pair):
    s, sf, d, df = pair
    for bad in (dict(length=0), dict(length=aionl.MAX_IO_LEN + 1), dict(src_offset=-1),
                dict(dst_offset=aionl.aionl_core.AIONL_MAX_OFFSET + 1)):
        args = dict(src=sf, src_offset=0, dst=df, dst_offset=0, length=4096)
        args.update(bad)
        with pytest.raises((ValueError, OverflowError)):
            ctx.submit([aionl.Copy(**args)])
    with pytest.raises(TypeError):
        ctx.submit([aionl.Copy(3, 0, df, 0, 4096)])


def test_a_copy_in_a_chain_runs_before_what_follows_and_a_short_one_breaks_it(ctx, pair):
    s, sf, d, df = pair
    buf = bytearray(65536)
    reqs = [aionl.Copy(sf, 0, df, 0, 65536, link=True), aionl.Fsync(df, link=True),
            aionl.Read(df, buf, 0)]
    assert ctx.submit(reqs) == 3
    got = {}
    while len(got) < 3:
        for c in ctx.reap(min=1):
            got[c.cookie] = c.result
    assert [got[r.cookie] for r in reqs] == [65536, 0, 65536]
    assert bytes(buf) == pattern(1 << 20, 7)[:65536]
    # 4096 asked where 100 are left: short, and the write after it never runs.
    reqs = [aionl.Copy(sf, (1 << 20) - 100, df, 0, 4096, link=True), aionl.Write(df, b"zz", 0)]
    assert ctx.submit(reqs) == 2
    got = {}
    while len(got) < 2:
        for c in ctx.reap(min=1):
            got[c.cookie] = c.result
    assert [got[r.cookie] for r in reqs] == [100, -errno.ECANCELED]


def test_async_copy(pair):
    s, sf, d, df = pair

    async def main():
        async with aionl.AsyncContext() as actx:
            src = actx.register(s)
            dst = actx.register(d)
            assert await actx.copy(src, 0, dst, 0, 1 << 20) == 1 << 20
            with pytest.raises(OSError) as e:
                await actx.copy(src, 0, src, 1, 4096)
            assert e.value.errno == errno.EINVAL

    asyncio.run(main())
    assert os.pread(d, 1 << 20, 0) == pattern(1 << 20, 7)


def test_the_context_serves_copy(ctx):
    assert ctx.supports(aionl.Copy)
