"""The README's Python examples run as written, from a copy of the project's files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_the_readme_gives_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert ".venv/bin/commerce demo" in text
    assert "./conformance.sh" in text
    assert "./conformance.sh" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_each_python_example_runs(block, tmp_path):
    for name in ("flows", "examples"):
        shutil.copytree(ROOT / name, tmp_path / name)
    r = subprocess.run(
        [sys.executable, "-c", block], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert r.returncode == 0, r.stderr
