"""The examples in docs/*.md are real: each page's sessions run and print what it shows.

For every page, in a fresh working directory holding a copy of the project's flows/:

1. Every fenced block right after a `<!-- file: PATH -->` line is written to PATH. A PATH
   that is also a project file (flows/order.scm) must be that file, word for word, so the
   page cannot show a stale copy.
2. Then the page's ```pycon blocks, and its ```console blocks that run `flowhost`, run in
   the order they appear:
   - a pycon block is a doctest (ELLIPSIS on); the pycon blocks of one page share one
     namespace, like one interpreter session;
   - in a console block each `$ COMMAND` line runs under bash, with `flowhost` meaning
     `python -m flowhost` and `python` this interpreter, and what it prints (stdout and
     stderr, as a terminal shows them) must be the lines that follow, exactly.
   A block right after a `<!-- not tested: REASON -->` line is skipped.

docs/pricing.md has no pycon blocks, and its console and python blocks are checked by
tests/commerce/test_cli.py, so nothing of it runs here; test_every_example_is_checked
makes sure no page grows an example that nobody runs.
"""

from __future__ import annotations

import difflib
import doctest
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)[ \t]*$")
MARK = re.compile(r"^<!-- (file|not tested): (.+?) -->$")
# Examples covered by another test: the `commerce` commands of the pricing page.
ELSEWHERE = {"pricing.md": "tests/commerce/test_cli.py"}


@dataclass
class Block:
    lang: str
    text: str
    line: int  # of the first line of the block's contents, 1-based
    mark: str | None = None  # "file" or "not tested"
    arg: str | None = None  # the file's path, or the reason


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, with the marker on the line before each, if any."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i].rstrip("\n"))
        if not m:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].rstrip("\n") != "```":
            end += 1
        assert end < len(lines), f"{page.name}:{i + 1}: the block is never closed"
        block = Block(m.group(1), "".join(lines[i + 1 : end]), i + 2)
        mark = MARK.match(lines[i - 1].rstrip("\n")) if i else None
        if mark:
            block.mark, block.arg = mark.groups()
        out.append(block)
        i = end + 1
    return out


def runs_flowhost(block: Block) -> bool:
    return any(
        line.startswith("$ ") and re.search(r"(^|[;&|]\s*)flowhost\b", line[2:])
        for line in block.text.splitlines()
    )


def checked_here(block: Block) -> bool:
    if block.mark == "not tested":
        return False
    return block.lang == "pycon" or (block.lang == "console" and runs_flowhost(block))


def workdir(page: Path, tmp_path: Path) -> Path:
    """A directory with flows/ and the files the page's blocks define."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "flows", work / "flows")
    for block in blocks(page):
        if block.mark != "file":
            continue
        project_file = ROOT / block.arg
        if project_file.is_file():
            assert block.text == project_file.read_text(encoding="utf-8"), (
                f"{page.name}:{block.line}: the block is not the project's {block.arg}"
            )
        target = work / block.arg
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    return work


def shell_env(tmp_path: Path) -> dict[str, str]:
    """PATH with `flowhost` (python -m flowhost) and `python` (this interpreter) first."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "flowhost").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m flowhost "$@"\n')
    (bin_dir / "flowhost").chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)  # the project under test, even if another copy is installed
    return env


def run_console(block: Block, work: Path, env: dict[str, str]) -> str:
    """Run the block's commands; the block as it would read with what they printed."""
    got = []
    for line in block.text.splitlines(keepends=True):
        if not line.startswith("$ "):
            continue
        r = subprocess.run(
            ["bash", "-c", line[2:]],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        got.append(line + r.stdout)
    return "".join(got)


def run_pycon(block: Block, page: Path, globs: dict) -> str:
    """Run the block as a doctest in globs; the failure report, or ''."""
    test = doctest.DocTestParser().get_doctest(
        block.text, globs, f"{page.name} line {block.line}", str(page), block.line - 1
    )
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.write, clear_globs=False)
    return report.getvalue()


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_the_examples_print_what_the_page_shows(page, tmp_path, monkeypatch):
    todo = [b for b in blocks(page) if checked_here(b)]
    if not todo:
        pytest.skip(f"no pycon or flowhost examples (see {ELSEWHERE.get(page.name)})")
    work = workdir(page, tmp_path)
    env = shell_env(tmp_path)
    monkeypatch.chdir(work)
    globs: dict = {"__name__": "__main__"}
    failures = []
    for block in todo:
        if block.lang == "pycon":
            report = run_pycon(block, page, globs)
        else:
            got = run_console(block, work, env)
            report = "".join(
                difflib.unified_diff(
                    block.text.splitlines(keepends=True),
                    got.splitlines(keepends=True),
                    f"{page.name} line {block.line} (the page)",
                    "what the commands print",
                )
            )
        if report:
            failures.append(report)
    assert not failures, "\n".join(failures)


def test_every_example_is_checked():
    """Each session and command block runs here, elsewhere, or says why it cannot."""
    for page in DOCS:
        for block in blocks(page):
            if block.mark == "not tested":
                assert block.lang in ("pycon", "console"), f"{page.name}:{block.line}"
                continue
            if block.lang in ("pycon", "console") and not checked_here(block):
                assert page.name in ELSEWHERE, (
                    f"{page.name}:{block.line}: a {block.lang} block that no test runs; "
                    "make it run here or mark it <!-- not tested: REASON -->"
                )
                assert block.lang == "console" and "$ commerce " in block.text
            if block.lang == "scheme" and page.name not in ELSEWHERE:
                assert block.mark == "file", (
                    f"{page.name}:{block.line}: a scheme block without <!-- file: PATH -->"
                )
