"""Programs and libraries (R7RS 5.1, 5.2, 5.6): import sets, define-library, the
standard library names, cond-expand, the search path. Rows: (program, value written
with `write`, or the exception class the program must raise)."""

from __future__ import annotations

import pytest

from scheme import Interpreter, SchemeSyntaxError, UnboundVariableError, write_string
from scheme.errors import LibraryError
from scheme.expand.library_names import STANDARD_LIBRARIES

LIB = """(define-library (t lib)
  (export f (rename g renamed) mac counter bump!)
  (import (scheme base))
  (begin
    (define (helper x) (* x 10))
    (define (f x) (helper x))
    (define (g) 'g)
    (define counter 0)
    (define (bump!) (set! counter (+ counter 1)) counter)
    (define-syntax mac (syntax-rules () ((_ x) (helper x))))))
"""

IMPORTS = [
    ("(import (scheme base)) (car '(1 2))", "1"),
    ("(import (prefix (scheme base) b:)) (b:cdr '(1 2))", "(2)"),
    ("(import (rename (scheme base) (car first))) (first '(1 2))", "1"),
    ("(import (only (scheme cxr) caddr)) (caddr '(1 2 3))", "3"),
    ("(import (prefix (only (scheme base) car) s:)) (s:car '(1))", "1"),
    ("(import (rename (prefix (scheme base) s:) (s:car head))) (head '(1))", "1"),
    ("(import (prefix (scheme base) s:)) s:car", "#<procedure car>"),
    ("(import (prefix (scheme base) s:)) (s:let ((x 1)) (s:+ x 1))", "2"),
    ("(import (only (scheme base) carr))", LibraryError),
    ("(import (except (scheme base) nope))", LibraryError),
    ("(import (rename (scheme base) (nope x)))", LibraryError),
    ("(import (no such lib))", LibraryError),
    ("(import (scheme nope))", LibraryError),
    ("(import (scheme base 1.5))", SchemeSyntaxError),
    ('(import "scheme")', SchemeSyntaxError),
    ("(let () (import (scheme base)) 1)", SchemeSyntaxError),
    ("(if #t (import (scheme base)))", SchemeSyntaxError),
    # a program that imports keeps every standard name (R7RS 5.7, the REPL's import)
    ("(import (only (scheme base) car)) (cdr '(1 2))", "(2)"),
    # defining an imported name gives the program its own variable ...
    ("(import (scheme base)) (define car cdr) (car '(1 2))", "(2)"),
    # ... and leaves the library's alone
    (
        "(import (prefix (scheme base) b:)) (define b:car 5)"
        " (eval '(car '(1 2)) (environment '(scheme base)))",
        "1",
    ),
    ("(import (prefix (scheme base) b:)) (set! b:car 5)", SchemeSyntaxError),
    # libraries
    (LIB + "(import (t lib)) (list (f 2) (renamed) (mac 3))", "(20 g 30)"),
    (LIB + "(import (t lib)) g", UnboundVariableError),
    (LIB + "(import (t lib)) helper", UnboundVariableError),
    (LIB + "(import (t lib)) (define helper 'mine) (mac 1)", "10"),
    (LIB + "(import (prefix (t lib) t:)) (t:bump!) (t:bump!) t:counter", "2"),
    (LIB + "(import (t lib)) (import (prefix (t lib) u:)) (bump!) (u:bump!)", "2"),
    (LIB + "(import (t lib)) (set! counter 9)", SchemeSyntaxError),
    ("(define-library (x) (export nope) (import (scheme base)))", LibraryError),
    ("(define-library (x) (frobnicate))", SchemeSyntaxError),
    ("(define-library (scheme base) (export car))", LibraryError),
    ("(define-library (x) (export y) (begin (define y 1)))", UnboundVariableError),
    # a library sees only what it imports
    (
        "(define-library (x) (export y) (import (only (scheme base) define))"
        " (begin (define y (car 1))))",
        UnboundVariableError,
    ),
    (
        "(define-library (x) (export y) (import (scheme base)) (begin (define car 'own)"
        " (define y car))) (import (prefix (x) x:)) (list x:y (car '(1)))",
        "(own 1)",
    ),
    (
        "(define-library (a) (export a) (import (scheme base)) (begin (define a 1)))"
        "(define-library (b) (export b) (import (scheme base) (a)) (begin (define b (+ a 1))))"
        "(import (b)) b",
        "2",
    ),
    (
        "(define-library (x) (export y) (import (scheme base))"
        " (cond-expand (r7rs (begin (define y 'r7rs))) (else (begin (define y 'other)))))"
        " (import (x)) y",
        "r7rs",
    ),
    # environment and eval with import sets
    ("(eval '(caddr '(1 2 3)) (environment '(scheme cxr) '(only (scheme base) quote)))", "3"),
    ("(eval '(caddr '(1 2 3)) (environment '(scheme cxr)))", UnboundVariableError),
    ("(eval '(car '(1)) (environment '(scheme cxr)))", UnboundVariableError),
    ("(eval '(s:car (s:quote (1))) (environment '(prefix (scheme base) s:)))", "1"),
    ("(eval '(if #t 1 2) (environment '(only (scheme base) if)))", "1"),
    (LIB + "(eval '(f 1) (environment '(t lib)))", "10"),
]

COND_EXPAND = [
    ("(cond-expand (r7rs 'yes) (else 'no))", "yes"),
    ("(cond-expand (exact-closed 1))", "1"),
    ("(cond-expand (ratios 1))", "1"),
    ("(cond-expand (full-unicode 1))", "1"),
    ("(cond-expand (no-such-feature 1) (else 2))", "2"),
    ("(cond-expand ((and r7rs ratios) 1) (else 2))", "1"),
    ("(cond-expand ((or no-such r7rs) 1) (else 2))", "1"),
    ("(cond-expand ((not r7rs) 1) (else 2))", "2"),
    ("(cond-expand ((library (scheme base)) 1) (else 2))", "1"),
    ("(cond-expand ((library (scheme time)) 1) (else 2))", "2"),
    ("(cond-expand ((library (no such)) 1) (else 2))", "2"),
    ("(+ 1 (cond-expand (r7rs 10) (else 20)))", "11"),
    ("(cond-expand (r7rs (define x 1) (define y 2))) (+ x y)", "3"),
    ("(define (f) (cond-expand (r7rs (define z 5))) (* z 2)) (f)", "10"),
    ("(let () (cond-expand (else (define w 7))) w)", "7"),
    ("(cond-expand ((foo bar) 1))", SchemeSyntaxError),
    ("(cond-expand (else 1) (r7rs 2))", SchemeSyntaxError),
    ("(cond-expand)", SchemeSyntaxError),
    ("(memq 'r7rs (features))", "(r7rs exact-closed ratios full-unicode commerce-flows)"),
]


@pytest.mark.parametrize(("program", "expected"), IMPORTS + COND_EXPAND)
def test_libraries(program: str, expected: object) -> None:
    interp = Interpreter()
    if isinstance(expected, type):
        with pytest.raises(expected):
            interp.eval_string(program)
    else:
        assert write_string(interp.eval_string(program)) == expected


@pytest.mark.parametrize("name", sorted(STANDARD_LIBRARIES), ids=lambda n: " ".join(n))
def test_every_standard_name_is_exported(name: tuple) -> None:
    from scheme.capabilities import ALL_CAPABILITIES

    interp = Interpreter(capabilities=ALL_CAPABILITIES)
    lib = interp.libraries.library(name, None)
    assert sorted(k.name for k in lib.exports) == sorted(STANDARD_LIBRARIES[name])


def test_library_files_on_the_search_path_load_once(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.sld").write_text(
        "(define-library (a b) (export n) (import (scheme base) (scheme write))"
        ' (begin (display "loading ") (define n 42)))'
    )
    import io

    out = io.StringIO()
    interp = Interpreter(output=out, library_path=[tmp_path])
    assert interp.eval_string("(import (a b)) (import (prefix (a b) x:)) (+ n x:n)") == 84
    assert out.getvalue() == "loading "


def test_library_errors_point_at_the_file(tmp_path) -> None:
    (tmp_path / "bad.sld").write_text("(define x 1)")
    (tmp_path / "cyc1.sld").write_text("(define-library (cyc1) (import (cyc2)))")
    (tmp_path / "cyc2.sld").write_text("(define-library (cyc2) (import (cyc1)))")
    (tmp_path / "wrong.sld").write_text("(define-library (other) (export))")
    interp = Interpreter(library_path=[tmp_path])
    with pytest.raises(LibraryError, match="may hold only define-library forms"):
        interp.eval_string("(import (bad))")
    with pytest.raises(LibraryError, match=r"cycle: \(cyc1\) -> \(cyc2\) -> \(cyc1\)"):
        interp.eval_string("(import (cyc1))")
    with pytest.raises(LibraryError, match=r"does not define library \(wrong\)"):
        interp.eval_string("(import (wrong))")


def test_library_include_stays_in_its_directory(tmp_path) -> None:
    (tmp_path / "inc.sld").write_text(
        '(define-library (inc) (export v) (import (scheme base)) (include "inc-body.scm"))'
    )
    (tmp_path / "inc-body.scm").write_text("(define v 'included)")
    (tmp_path / "esc.sld").write_text('(define-library (esc) (include "../x.scm"))')
    interp = Interpreter(library_path=[tmp_path])
    assert write_string(interp.eval_string("(import (inc)) v")) == "included"
    with pytest.raises(LibraryError, match="outside the library's directory"):
        interp.eval_string("(import (esc))")


def test_python_m_scheme_takes_library_dirs(tmp_path) -> None:
    import subprocess
    import sys

    (tmp_path / "lib" / "m").mkdir(parents=True)
    (tmp_path / "lib" / "m" / "x.sld").write_text(
        "(define-library (m x) (export hello) (import (scheme base) (scheme write))"
        ' (begin (define (hello) (display "hello from (m x)"))))'
    )
    prog = tmp_path / "p.scm"
    prog.write_text("(import (m x)) (hello)")
    run = [sys.executable, "-m", "scheme"]
    r = subprocess.run(
        [*run, "-I", str(tmp_path / "lib"), str(prog)], capture_output=True, text=True
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "hello from (m x)", "")
    r = subprocess.run([*run, str(prog)], capture_output=True, text=True)
    assert r.returncode == 1 and "library (m x) not found" in r.stderr
    assert "Traceback" not in r.stderr
