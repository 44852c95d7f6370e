# SPDX-License-Identifier: MIT
"""The programs of bindings/python/examples do what they say, and Ctrl-C stops the
asyncio one cleanly."""

import os
import signal
import subprocess
import sys
import time
import zlib

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _default_sigint():
    # Ctrl-C as a terminal delivers it: the default disposition, whatever ctest inherited.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def files(tmp_path):
    paths = []
    for i in range(12):
        p = tmp_path / f"f{i}.bin"
        p.write_bytes(os.urandom(1000 + i * 37_000))
        paths.append(str(p))
    return paths


def crc(path):
    with open(path, "rb") as f:
        return zlib.crc32(f.read())


def test_async_reader_checksums_every_file(files):
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, "async_reader.py"), "--tasks", "5",
                        *files], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    sums = {}
    for line in p.stdout.splitlines():
        if line.startswith(("tick", "finished")):
            continue
        value, path = line.split(None, 1)
        sums[path] = int(value, 16)
    assert sums == {path: crc(path) for path in files}
    assert "finished: 12 files" in p.stdout


def test_async_reader_reports_errors_and_goes_on(files, tmp_path):
    missing = str(tmp_path / "missing")
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, "async_reader.py"), missing, files[0]],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "No such file or directory" in p.stderr
    assert f"{crc(files[0]):08x}  {files[0]}" in p.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_the_async_reader_cleanly(files, sig):
    p = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, "async_reader.py"), "--forever",
                          "--tick", "0.05", *files], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, preexec_fn=_default_sigint)
    try:
        ticks = 0
        deadline = time.monotonic() + 30
        while ticks < 3 and time.monotonic() < deadline:
            line = p.stdout.readline()
            assert line, p.stderr.read()
            ticks += line.startswith("tick")
        assert ticks == 3, "the timer ticks while the files are read"
        p.send_signal(sig)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, err
    assert "Traceback" not in err and "never retrieved" not in err, err
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"stopped by {signal.Signals(sig).name}:"), out[-500:]
    assert " 0 errors" in last


def test_sync_batch_checksums(files):
    for path in (files[0], files[-1]):
        p = subprocess.run([sys.executable, os.path.join(EXAMPLES, "sync_batch.py"), "--depth", "4",
                            "--block", "8192", path], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == f"{crc(path):08x}  {path}"
