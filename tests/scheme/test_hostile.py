"""The crash corpus of issue 16: every hostile probe ends with a Scheme error, in Scheme terms.

Budgets are small here (work_limit=2,000,000) so each row ends in milliseconds; the same
probes under the default limits are timed by tools/probes.py.
"""

from __future__ import annotations

import io
import re

import pytest

from scheme import (
    Interpreter,
    SchemeError,
    SchemeSyntaxError,
    StepLimitError,
    UnboundVariableError,
    WrongTypeError,
)
from scheme import repl as scheme_repl
from scheme.errors import MemoryLimitError, ReadError, WorkLimitError

CIRCULAR = "(define l (list 1 2)) (set-cdr! (cdr l) l) "

# (name, program, error class, message pattern)
CORPUS = [
    (
        "make-vector in a loop",
        "(let loop ((i 0)) (if (< i 1000) (begin (make-vector 1000000) (loop (+ i 1)))))",
        WorkLimitError,
        r"work budget of 2000000 units used up",
    ),
    (
        "vector-fill! in a loop",
        "(define v (make-vector 100000 0)) (let loop () (vector-fill! v 1) (loop))",
        WorkLimitError,
        "work budget",
    ),
    (
        "string-append doubling",
        '(let loop ((s "ab")) (loop (string-append s s)))',
        WorkLimitError,
        "work budget",
    ),
    (
        "list-tail of a circular list",
        CIRCULAR + "(list-tail l (expt 10 18))",
        WorkLimitError,
        "work budget",
    ),
    (
        "list-ref of a circular list",
        CIRCULAR + "(list-ref l (expt 10 18))",
        WorkLimitError,
        "work budget",
    ),
    (
        "length of a circular list",
        CIRCULAR + "(length l)",
        WrongTypeError,
        "length: expected a proper list, got a circular list",
    ),
    (
        "eval of a circular list",
        CIRCULAR + "(eval l (interaction-environment))",
        SchemeSyntaxError,
        r"circular code cannot be compiled",
    ),
    (
        "string->number of 10^6 digits",
        "(string->number (string-append (make-string 500000 #\\7) (make-string 500000 #\\1)))",
        WorkLimitError,
        "work budget",
    ),
    (
        "number->string of 10^16,000,000",
        "(number->string (expt 10 16000000))",
        WorkLimitError,
        "work budget",
    ),
    ("a squaring loop", "(let loop ((x 3)) (loop (* x x)))", WorkLimitError, "work budget"),
    (
        "a squaring loop through apply",
        "(let loop ((x 3)) (loop (apply * (list x x))))",
        WorkLimitError,
        "work budget",
    ),
    (
        "a self-expanding macro",
        "(define-syntax m (syntax-rules () ((_) (m)))) (m)",
        WorkLimitError,
        "work budget",
    ),
    (
        "an exponentially expanding macro",
        "(define-syntax m (syntax-rules () ((_ x) (m (x x))))) (m 1)",
        WorkLimitError,
        "work budget",
    ),
    (
        "a doubly recursive macro",
        "(define-syntax m (syntax-rules () ((_ x) (begin (m (x)) (m (x)))))) (m 1)",
        WorkLimitError,
        "work budget",
    ),
    (
        "20,000 nested lambdas",
        "(lambda () " * 20_000 + "x" + ")" * 20_000,
        WorkLimitError,
        "work budget",
    ),
    (
        "a loop guarded by a handler",
        CIRCULAR + "(guard (e (#t 'caught)) (list-tail l (expt 10 18)))",
        WorkLimitError,
        "work budget",
    ),
    (
        "define-record-type with a number for a field",
        "(define-record-type t (mk 1) p)",
        SchemeSyntaxError,
        r"define-record-type: bad syntax: the constructor must be \(name field \.\.\.\) with "
        r"identifiers, in \(define-record-type t \(mk 1\) p\)",
    ),
    (
        "define-record-type with a number for a constructor",
        "(define-record-type t 5 p (x))",
        SchemeSyntaxError,
        "define-record-type: bad syntax: the constructor must be a name",
    ),
    (
        "define-record-type with a number for a predicate",
        "(define-record-type t mk 7 (x))",
        SchemeSyntaxError,
        "define-record-type: bad syntax: the predicate must be a name",
    ),
    (
        "let* with a bad binding",
        "(let* ((a 1) 5) a)",
        SchemeSyntaxError,
        r"let\*: bad syntax: each binding must be \(name value\), in \(let\* \(\(a 1\) 5\) a\)",
    ),
    (
        "define-record-type whose accessor rebinds the type",
        "(define-record-type t (mk x) p (x t))",
        SchemeSyntaxError,
        "define-record-type: bad syntax: t is defined twice",
    ),
    (
        "define-record-type whose constructor rebinds the type",
        "(define-record-type mk (mk x) p (x gx))",
        SchemeSyntaxError,
        "mk is defined twice",
    ),
    ("a record internal", "(%make-record-type 'a '(x))", UnboundVariableError, "%make-record-type"),
    ("another internal", "(%record-accessor 1 2 3)", UnboundVariableError, "%record-accessor"),
    ("a datum label of 5000 digits", "'#" + "9" * 5000 + "=1", ReadError, "too many digits"),
    ("a superscript digit (found by the fuzzer)", "(+ \u00b9 1)", UnboundVariableError, "\u00b9"),
    ("10^5-deep nesting", "(" * 100_000 + ")" * 100_000, SchemeError, "expression"),
    ("10^5-deep unclosed nesting", "(" * 100_000, ReadError, "never closed"),
]


def _interp(**kw: object) -> Interpreter:
    kw.setdefault("step_limit", 10_000)
    kw.setdefault("work_limit", 2_000_000)
    return Interpreter(output=io.StringIO(), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("program", "error", "message"),
    [pytest.param(p, e, m, id=n) for n, p, e, m in CORPUS],
)
def test_hostile_program_ends_with_a_scheme_error(
    program: str, error: type[SchemeError], message: str
) -> None:
    with pytest.raises(error, match=message) as info:
        _interp().eval_string(program, "probe")
    text = info.value.render()
    assert "python" not in text.lower()
    assert not re.search(r"object at 0x|Error\(|Traceback", text)


def test_a_literal_of_ten_thousand_digits_reads() -> None:
    assert _interp().eval_string("7" * 10_000) == 7 * (10**10_000 - 1) // 9


def test_default_limits_stop_a_circular_walk() -> None:
    with pytest.raises(WorkLimitError, match="work budget of 50000000 units"):
        Interpreter().eval_string(CIRCULAR + "(list-tail l (expt 10 18))")


def test_the_memory_ceiling_refuses_big_objects() -> None:
    interp = _interp(memory_limit=1 << 20)
    with pytest.raises(MemoryLimitError, match="make-vector: refusing to allocate about 8 MiB"):
        interp.eval_string("(make-vector 1000000 0)")
    with pytest.raises(MemoryLimitError, match="string-append"):
        interp.eval_string("(string-append (make-string 700000) (make-string 700000))")
    assert interp.eval_string("(vector-length (make-vector 1000 0))") == 1000


def test_budget_errors_are_step_limit_errors() -> None:
    # Scheme handlers cannot catch them; hosts that catch StepLimitError catch these too.
    assert issubclass(WorkLimitError, StepLimitError)
    assert issubclass(MemoryLimitError, StepLimitError)


def test_the_budget_is_per_evaluation() -> None:
    interp = _interp()
    for _ in range(5):  # each evaluation has its own budget: 5 x 1.2M units pass
        interp.eval_string("(vector-fill! (make-vector 1200000 0) 1) 'ok")


def test_printing_a_special_form_shows_its_name() -> None:
    with pytest.raises(SchemeError) as info:
        _interp().eval_string("(let* ((a 1) (b)) a)")
    assert "#<" not in str(info.value)


def test_internal_names_may_be_defined_by_the_guest() -> None:
    interp = _interp()
    interp.eval_string("(define (%make-record-type . x) 'mine)")
    assert interp.eval_string("(define-record-type r (make-r) r?) (r? (make-r))").value is True


def test_repl_entries_run_under_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheme_repl, "REPL_STEP_LIMIT", 10_000)
    out = io.StringIO()
    interp = Interpreter(output=out)
    text = "(let loop () (loop))\n(define-record-type t (mk 1) p)\n(+ 1 2)\n"
    status = scheme_repl.run_repl(interp, stdin=io.StringIO(text), out=out)
    shown = out.getvalue()
    assert "step budget of 10000 closure calls used up" in shown
    assert "define-record-type: bad syntax" in shown
    assert shown.rstrip().endswith("3")
    assert status == 1


def test_symbols_no_one_holds_are_freed() -> None:
    from scheme.types import Symbol

    interp = _interp(step_limit=None)
    before = len(Symbol._table)
    interp.eval_string(
        "(let loop ((k 0)) (if (< k 5000)"
        ' (begin (string->symbol (string-append "fuzz-" (number->string k))) (loop (+ k 1)))))'
    )
    assert len(Symbol._table) < before + 100  # not 5000: the table holds symbols weakly
    kept = interp.eval_string('(define kept (string->symbol "kept-one")) kept')
    assert Symbol("kept-one") is kept


def test_environment_does_not_recompile_the_prelude() -> None:
    import tracemalloc

    interp = _interp(step_limit=None)
    interp.eval_string("(environment)")
    tracemalloc.start()
    try:
        interp.eval_string("(define keep (list (environment) (environment) (environment)))")
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert retained / 3 < 60_000  # was ~130 KiB per call
    assert interp.eval_string("(eval '(map car '((1 2))) (car keep))").car == 1


def test_a_compiler_slip_is_a_syntax_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from scheme.expand.compiler import SPECIAL_FORMS

    def slip(*args: object) -> None:
        raise AttributeError("'int' object has no attribute 'name'")

    interp = _interp()
    monkeypatch.setattr(SPECIAL_FORMS["let*"], "compile", slip)
    for program in ("(let* () 1)", "(eval '(let* () 1))"):
        with pytest.raises(SchemeSyntaxError, match=r"cannot compile \(let\* \(\) 1\)") as info:
            interp.eval_string(program)
        assert "attribute" not in str(info.value)


def test_the_memory_ceiling_counts_what_the_evaluation_holds() -> None:
    interp = _interp(memory_limit=64 << 20, work_limit=10**9, step_limit=None)
    interp.eval_string("(define keep '())")
    with pytest.raises(MemoryLimitError, match="would hold more than its memory ceiling of 64"):
        interp.eval_string(
            "(let loop ((n 0)) (if (< n 100)"
            " (begin (set! keep (cons (make-vector 1500000 n) keep)) (loop (+ n 1)))))"
        )
    assert 2 <= interp.eval_string("(length keep)") < 8
