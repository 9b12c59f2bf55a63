"""Capabilities: the clock, files, command line, exit and environment variables reach the
guest only when the embedder grants them; `Interpreter()` grants none."""

from __future__ import annotations

import io

import pytest

from scheme import Interpreter, MString, SchemeError
from scheme.capabilities import ALL_CAPABILITIES
from scheme.errors import LibraryError, ProgramExit, UnboundVariableError
from scheme.printer import write_string

# capability -> (a procedure it brings, the standard library that exports it)
CAPABILITY_NAMES = [
    ("clock", "current-second", "(scheme time)"),
    ("clock", "current-jiffy", "(scheme time)"),
    ("clock", "jiffies-per-second", "(scheme time)"),
    ("files", "open-input-file", "(scheme file)"),
    ("files", "open-output-file", "(scheme file)"),
    ("files", "open-binary-input-file", "(scheme file)"),
    ("files", "open-binary-output-file", "(scheme file)"),
    ("files", "with-input-from-file", "(scheme file)"),
    ("files", "call-with-output-file", "(scheme file)"),
    ("files", "file-exists?", "(scheme file)"),
    ("files", "delete-file", "(scheme file)"),
    ("files", "load", "(scheme load)"),
    ("command-line", "command-line", "(scheme process-context)"),
    ("exit", "exit", "(scheme process-context)"),
    ("exit", "emergency-exit", "(scheme process-context)"),
    ("environment-variables", "get-environment-variable", "(scheme process-context)"),
    ("environment-variables", "get-environment-variables", "(scheme process-context)"),
]


@pytest.mark.parametrize(("cap", "name", "library"), CAPABILITY_NAMES)
def test_default_interpreter_cannot_reach_any_capability(cap: str, name: str, library: str):
    interp = Interpreter()
    with pytest.raises(UnboundVariableError):
        interp.eval_string(name)
    with pytest.raises(LibraryError, match="not available"):
        interp.eval_string(f"(import {library})")
    with pytest.raises(LibraryError, match="not available"):
        interp.eval_string(f"(environment '{library})")
    with pytest.raises(LibraryError, match="not available"):
        interp.eval_string(f"(import (only {library} {name}))")
    # no standard environment eval can reach has it either
    for env in ("(environment)", "(scheme-report-environment 5)", "(null-environment 5)"):
        with pytest.raises(UnboundVariableError):
            interp.eval_string(f"(eval '{name} {env})")
    assert interp.eval_string(f"(cond-expand ((library {library}) 'yes) (else 'no))").name == "no"


def test_include_reads_no_file_without_the_files_capability(tmp_path):
    secret = tmp_path / "secret.scm"
    secret.write_text("(define leaked 42)")
    interp = Interpreter()
    for form in (f'(include "{secret}")', f'(include-ci "{secret}")'):
        with pytest.raises(LibraryError, match="not granted"):
            interp.eval_string(form)
    lib = f'(define-library (x) (export leaked) (include "{secret}"))'
    with pytest.raises(LibraryError, match="not granted"):
        interp.eval_string(lib)
    with pytest.raises(UnboundVariableError):
        interp.eval_string("leaked")


@pytest.mark.parametrize(("cap", "name", "library"), CAPABILITY_NAMES)
def test_a_granted_capability_is_bound_and_importable(cap: str, name: str, library: str):
    interp = Interpreter(capabilities={cap})
    assert write_string(interp.eval_string(f"(procedure? {name})")) == "#t"
    interp.eval_string(f"(import (prefix (only {library} {name}) c:))")
    assert write_string(interp.eval_string(f"(procedure? c:{name})")) == "#t"
    others = ALL_CAPABILITIES - {cap}
    for other, other_name, _ in CAPABILITY_NAMES:
        if other in others:
            with pytest.raises(UnboundVariableError):
                interp.eval_string(other_name)


def test_unknown_capability_is_refused():
    with pytest.raises(ValueError, match="unknown capabilities"):
        Interpreter(capabilities={"network"})


def test_clock_and_process_context_values(monkeypatch):
    monkeypatch.setenv("SCHEME_CAP_TEST", "v1")
    interp = Interpreter(capabilities=ALL_CAPABILITIES, command_line=["prog.scm", "a"])
    ev = lambda s: write_string(interp.eval_string(s))  # noqa: E731
    assert ev("(command-line)") == '("prog.scm" "a")'
    assert ev('(get-environment-variable "SCHEME_CAP_TEST")') == '"v1"'
    assert ev('(get-environment-variable "SCHEME_CAP_TEST_UNSET_X")') == "#f"
    assert (
        ev('(assoc "SCHEME_CAP_TEST" (get-environment-variables))') == '("SCHEME_CAP_TEST" . "v1")'
    )
    assert ev("(exact-integer? (current-jiffy))") == "#t"
    assert ev("(jiffies-per-second)") == "1000000"
    assert ev("(real? (current-second))") == "#t"
    assert ev("(< 1.7e9 (current-second))") == "#t"


@pytest.mark.parametrize(
    ("call", "code"),
    [("(exit)", 0), ("(exit #t)", 0), ("(exit #f)", 1), ("(exit 7)", 7), ("(emergency-exit 4)", 4)],
)
def test_exit_codes(call: str, code: int):
    interp = Interpreter(capabilities={"exit"})
    with pytest.raises(ProgramExit) as e:
        interp.eval_string(call)
    assert e.value.code == code


def test_exit_runs_outstanding_dynamic_wind_afters_but_emergency_exit_does_not():
    out = io.StringIO()
    interp = Interpreter(output=out, capabilities={"exit"})
    prog = """(dynamic-wind (lambda () (display "in "))
                (lambda () (dynamic-wind (lambda () #f) (lambda () ({} 2))
                                         (lambda () (display "inner "))))
                (lambda () (display "outer")))"""
    with pytest.raises(ProgramExit):
        interp.eval_string(prog.format("exit"))
    assert out.getvalue() == "in inner outer"
    out.truncate(0)
    out.seek(0)
    with pytest.raises(ProgramExit):
        interp.eval_string(prog.format("emergency-exit"))
    assert out.getvalue() == "in "


def test_a_guard_cannot_catch_exit():
    interp = Interpreter(capabilities={"exit"})
    with pytest.raises(ProgramExit):
        interp.eval_string("(guard (e (#t 'caught)) (exit 5))")


def test_files_round_trip(tmp_path):
    interp = Interpreter(capabilities={"files"})
    path = tmp_path / "data.txt"
    p = write_string(MString(str(path)))
    ev = lambda s: write_string(interp.eval_string(s))  # noqa: E731
    ev(f'(call-with-output-file {p} (lambda (port) (write \'(1 "two" #\\3) port)))')
    assert path.read_text() == '(1 "two" #\\3)'
    assert ev(f"(file-exists? {p})") == "#t"
    assert ev(f"(call-with-input-file {p} read)") == '(1 "two" #\\3)'
    assert ev(f"(with-input-from-file {p} read-char)") == "#\\("
    ev(f'(with-output-to-file {p} (lambda () (display "hello")))')
    assert path.read_text() == "hello"
    ev(f"(let ((o (open-binary-output-file {p}))) (write-u8 200 o) (close-port o))")
    assert path.read_bytes() == b"\xc8"
    assert ev(f"(read-u8 (open-binary-input-file {p}))") == "200"
    ev(f"(delete-file {p})")
    assert ev(f"(file-exists? {p})") == "#f"
    assert ev(f"(guard (e ((file-error? e) 'file-error)) (open-input-file {p}))") == "file-error"
    assert ev(f"(guard (e ((file-error? e) 'file-error)) (delete-file {p}))") == "file-error"
    code = tmp_path / "code.scm"
    code.write_text("(define loaded-value 99)")
    ev(f"(load {write_string(MString(str(code)))})")
    assert ev("loaded-value") == "99"


def test_capability_errors_are_scheme_errors():
    interp = Interpreter(capabilities={"files"})
    with pytest.raises(SchemeError, match="open-input-file: expected a file name string"):
        interp.eval_string("(open-input-file 5)")


def test_include_with_the_files_capability_reads_beside_the_file(tmp_path):
    (tmp_path / "part.scm").write_text("(define part 'included)")
    (tmp_path / "PART2.scm").write_text("(DEFINE PART2 'FOLDED)")
    main = tmp_path / "main.scm"
    main.write_text('(include "part.scm") (include-ci "PART2.scm") (list part part2)')
    assert write_string(Interpreter(capabilities={"files"}).load_file(main)) == "(included folded)"
    with pytest.raises(LibraryError, match="not granted"):
        Interpreter().load_file(main)


def test_python_m_scheme_grants_every_capability(tmp_path):
    import subprocess
    import sys

    prog = tmp_path / "caps.scm"
    prog.write_text(
        "(import (scheme base) (scheme write) (scheme time) (scheme process-context)"
        " (scheme file))\n"
        "(write (list (cdr (command-line)) (real? (current-second))"
        f" (file-exists? {write_string(MString(str(prog)))})))\n"
        "(exit 3)\n"
    )
    r = subprocess.run(
        [sys.executable, "-m", "scheme", str(prog), "x", "y"], capture_output=True, text=True
    )
    assert (r.returncode, r.stdout, r.stderr) == (3, '(("x" "y") #t #t)', "")
