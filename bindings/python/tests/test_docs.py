# SPDX-License-Identifier: MIT
"""Every Python example of docs/python.md and README.md runs, as written."""

import os
import re
import subprocess
import sys

import pytest

SOURCE = os.environ.get("AIONL_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
DOCS = [os.path.join(SOURCE, "docs", "python.md"), os.path.join(SOURCE, "README.md")]


def blocks():
    out = []
    for doc in DOCS:
        with open(doc) as f:
            text = f.read()
        for i, m in enumerate(re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)):
            line = text.count("\n", 0, m.start()) + 1
            out.append(pytest.param(m.group(1), id=f"{os.path.basename(doc)}:{line}"))
    return out


def test_the_docs_have_examples():
    ids = [p.id for p in blocks()]
    assert sum(i.startswith("python.md") for i in ids) >= 8
    assert any(i.startswith("README.md") for i in ids)


@pytest.mark.parametrize("code", blocks())
def test_example_runs(code, tmp_path):
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, f"{p.stdout}\n{p.stderr}"
