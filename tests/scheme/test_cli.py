"""`python -m scheme FILE.scm` and the REPL on piped stdin, run as real processes."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def scheme(*args: str, stdin: str | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "scheme", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )


def test_run_a_file(tmp_path) -> None:
    prog = tmp_path / "hello.scm"
    prog.write_text(
        '(define (greet who) (string-append "hello, " who))\n'
        '(display (greet "world"))\n(newline)\n(write (map (lambda (x) (* x x)) \'(1 2 3)))\n'
    )
    r = scheme(str(prog))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello, world\n(1 4 9)"
    assert r.stderr == ""


def test_uncaught_error_exits_1_with_location_and_caret(tmp_path) -> None:
    prog = tmp_path / "bad.scm"
    prog.write_text('(display "before")\n(newline)\n(define (f x)\n  (car x))\n(f 5)\n')
    r = scheme(str(prog))
    assert r.returncode == 1
    assert r.stdout == "before\n"  # output up to the error is kept
    lines = r.stderr.splitlines()
    assert lines[0] == f"{prog}:4:3: car: expected a pair, got 5"
    assert lines[1] == "    (car x))"
    assert lines[2] == "    ^"
    assert "Traceback" not in r.stderr


def test_read_error_in_a_file_exits_1(tmp_path) -> None:
    prog = tmp_path / "unclosed.scm"
    prog.write_text("(display 1)\n(define (f)\n  (+ 1 2)\n")
    r = scheme(str(prog))
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0] == f"{prog}:2:1: unexpected end of input: this '(' is never closed"
    assert lines[1:3] == ["  (define (f)", "  ^"]
    assert "Traceback" not in r.stderr


def test_uncaught_raise_and_unbound_variable_in_a_file(tmp_path) -> None:
    prog = tmp_path / "raise.scm"
    prog.write_text("(display 1)\nundefined-thing\n")
    r = scheme(str(prog))
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == f"{prog}:2:1: unbound variable: undefined-thing"
    prog.write_text("(raise 'stop)\n")
    r = scheme(str(prog))
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == f"{prog}:1:1: uncaught raise: stop"


def test_missing_file_and_bad_usage() -> None:
    r = scheme("no/such/file.scm")
    assert r.returncode == 1
    assert "cannot read no/such/file.scm" in r.stderr
    assert "Traceback" not in r.stderr
    r = scheme("-x", "a.scm")
    assert r.returncode == 2
    assert "unknown option -x" in r.stderr
    assert "usage: python -m scheme [-I DIR]... [FILE.scm [ARG...]]" in r.stderr
    r = scheme("a.scm", "-I")  # after FILE everything is the program's own arguments
    assert r.returncode == 1 and "cannot read a.scm" in r.stderr
    r = scheme("-I")
    assert r.returncode == 2 and "-I needs a directory" in r.stderr
    r = scheme("--help")
    assert r.returncode == 0
    assert "usage: python -m scheme [-I DIR]... [FILE.scm [ARG...]]" in r.stdout


REPL_INPUT = """\
(define x 20)
(+ x
   1
   1)
"a (string) with ) parens"
(car '())
(list x ; a comment with a ( paren
  'done)
(values 1 'two)
(if #f #f)
(display "out") (newline) 'after
(oops
"""


def test_repl_on_piped_stdin() -> None:
    r = scheme(stdin=REPL_INPUT)
    assert r.returncode == 1  # piped input that hit errors says so
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "22",
        '"a (string) with ) parens"',
        "<repl:4>:1:1: car: expected a pair, got ()",
        "  (car '())",
        "  ^",
        "(20 done)",
        "1",
        "two",
        "out",
        "after",
        "<repl:9>:1:1: unexpected end of input: this '(' is never closed",
        "  (oops",
        "  ^",
    ]


def test_repl_keeps_going_after_errors_and_keeps_definitions() -> None:
    r = scheme(stdin="(define (f n) (* n 2))\n(f)\n(undefined)\n)\n(f 21)\n")
    assert r.returncode == 1
    out = r.stdout.splitlines()
    assert out[0] == "<repl:2>:1:1: f: expected 1 argument, got 0"
    assert "<repl:3>:1:1: unbound variable: undefined" in out
    assert "<repl:4>:1:1: unexpected ')' (no '(' to close)" in out
    assert out[-1] == "42"


def test_repl_prints_with_write() -> None:
    r = scheme(stdin='"s"\n#\\a\n\'sym\n1/2\n(vector 1 "x")\n(list)\n')
    assert r.stdout.splitlines() == ['"s"', "#\\a", "sym", "1/2", '#(1 "x")', "()"]


def test_repl_with_empty_input() -> None:
    r = scheme(stdin="")
    assert r.returncode == 0
    assert r.stdout == ""


def test_piped_repl_without_errors_exits_0_and_exit_leaves() -> None:
    r = scheme(stdin="(define x 2)\n(* x 3)\n(exit)\n(display 99)\n")
    assert (r.returncode, r.stdout) == (0, "6\n")
    r = scheme(stdin="(car 1)\n,quit\n1\n")
    assert r.returncode == 1 and r.stdout.splitlines()[-1] == "  ^"
    r = scheme(stdin="(exit 3)\n")
    assert r.returncode == 3


def test_repl_help_and_unknown_command() -> None:
    r = scheme(stdin=",help\n,frob\n")
    assert ",quit" in r.stdout and "Ctrl-C" in r.stdout
    assert "unknown command ,frob (,help lists them)" in r.stdout
    assert r.returncode == 1


def test_version() -> None:
    r = scheme("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("python -m scheme (commerce-flows) ")
    assert r.stdout.split()[-1][0].isdigit()
