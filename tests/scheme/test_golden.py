"""Golden programs: each tests/scheme/golden/NAME.scm must print exactly NAME.out.

The programs are real ones (n queens, call/cc generators, string processing, records,
an interpreter, tail loops, dynamic-wind traces, exceptions, macros); the .out files
were checked by hand. Each runs through the embedding API with its output captured,
and a few also through `python -m scheme`.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest

from scheme import Interpreter

GOLDEN = Path(__file__).with_name("golden")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# examples/queens.scm is a user-facing example; its expected output lives here too
PROGRAMS = sorted([*GOLDEN.glob("*.scm"), EXAMPLES / "queens.scm"], key=lambda p: p.stem)


def expected(program: Path) -> str:
    return (GOLDEN / f"{program.stem}.out").read_text()


def test_every_program_has_its_expected_output() -> None:
    assert len(PROGRAMS) >= 8
    for program in PROGRAMS:
        assert (GOLDEN / f"{program.stem}.out").is_file(), program.name


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_golden_through_the_api(program: Path) -> None:
    out = io.StringIO()
    Interpreter(output=out, max_depth=100_000).load_file(program)
    assert out.getvalue() == expected(program)


@pytest.mark.parametrize("name", ["queens", "dynamic_wind", "exceptions", "libraries"])
def test_golden_through_the_command_line(name: str) -> None:
    program = next(p for p in PROGRAMS if p.stem == name)
    r = subprocess.run(
        [sys.executable, "-m", "scheme", str(program)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout == expected(program)
