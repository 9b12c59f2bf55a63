"""The README's flowhost session is real: rebuild its store, replay its commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from flowhost import FlowHost
from scheme import Symbol

from .conftest import FLOWS, ROOT


def transcript() -> str:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"```text\n(\$ flowhost list.*?)```", text, re.S)
    assert m, "the README has no flowhost session"
    return m.group(1)


def test_the_readme_session_prints_what_the_readme_says(tmp_path):
    shutil.copytree(FLOWS, tmp_path / "flows")
    host = FlowHost.open(tmp_path / "shop.db")
    host.load_file(tmp_path / "flows" / "order.scm")
    host.start("order-lifecycle", "o-1001")
    host.resume(1, Symbol("reserved"))
    host.start("order-lifecycle", "o-1002")
    host.close()

    blocks = re.split(r"^\$ (.*)$", transcript(), flags=re.M)[1:]
    commands = list(zip(blocks[0::2], blocks[1::2]))
    assert [c for c, _ in commands] == [
        "flowhost list --store shop.db",
        "flowhost repl --store shop.db --flows flows",
    ]
    for command, expected in commands:
        lines = expected.strip("\n").splitlines()
        inputs = "".join(line[2:] + "\n" for line in lines if line.startswith("> "))
        wanted = [line for line in lines if not line.startswith("> ")]
        r = subprocess.run(
            [sys.executable, "-m", "flowhost", *command.split()[1:]],
            input=inputs,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines() == wanted, command
