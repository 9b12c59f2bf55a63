"""The fast machine against the reference evaluator (scheme/run/reference.py).

A property test generates random programs -- mixed exact/inexact arithmetic and
comparisons, closures, let forms, call/cc escapes and re-entries, dynamic-wind,
strings, lists, bodies with bare variable references -- and requires the same printed
output, the same value or error class, and the same step count (closure calls), also
under a step budget. Table tests pin the limits where the two are defined to agree.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheme import DepthLimitError, Interpreter, SchemeError, StepLimitError, write_string

NUMBERS = ["0", "1", "2", "-1", "3", "1/2", "-3/4", "0.5", "2.0", "-1.5", "0.0"]
ARITH = ["+", "-", "*"]
COMPARE = ["<", "<=", "=", ">", ">="]
NAMES = ["a", "b", "c", "x", "y"]


def compare(draw: st.DrawFn, sub: st.SearchStrategy) -> str:
    """A comparison, often of equal operands: the edge where < and <= differ."""
    left = draw(sub)
    right = draw(st.sampled_from([left, draw(sub)]))
    return f"({draw(st.sampled_from(COMPARE))} {left} {right})"


@st.composite
def expr(draw: st.DrawFn, depth: int, scope: tuple) -> str:
    """A random expression over the variables in scope."""
    leaves = [st.sampled_from(NUMBERS)]
    if scope:
        leaves.append(st.sampled_from(scope))
    if depth <= 0:
        return draw(st.one_of(leaves))
    sub = expr(depth - 1, scope)
    kind = draw(st.integers(0, 17))
    if kind == 0:
        return draw(st.one_of(leaves))
    if kind == 1:
        return f"({draw(st.sampled_from(ARITH))} {draw(sub)} {draw(sub)})"
    if kind == 2:
        return f"(if {compare(draw, sub)} {draw(sub)} {draw(sub)})"
    if kind == 3:
        return compare(draw, sub)
    if kind in (4, 5):  # a let form binding a fresh variable
        name = draw(st.sampled_from(NAMES))
        form = draw(st.sampled_from(["let", "let*", "letrec"]))
        init = draw(expr(depth - 1, scope))
        body = draw(expr(depth - 1, (*scope, name)))
        return f"({form} (({name} {init})) {body})"
    if kind == 6:  # a closure, called
        name = draw(st.sampled_from(NAMES))
        body = draw(expr(depth - 1, (*scope, name)))
        return f"((lambda ({name}) {body}) {draw(sub)})"
    if kind == 7:  # a closure bound, then called twice
        name = draw(st.sampled_from(NAMES))
        body = draw(expr(depth - 1, (*scope, name)))
        return f"(let ((f (lambda ({name}) {body}))) (list (f {draw(sub)}) (f {draw(sub)})))"
    if kind == 8:  # call/cc escape from inside an operand
        return f"(call/cc (lambda (k) (+ {draw(sub)} (if {compare(draw, sub)} (k {draw(sub)}) 0))))"
    if kind == 9:  # call/cc re-entered: the argument list is rebuilt each time
        return (
            "(let ((n 0) (saved #f))"
            f" (let ((v (list {draw(sub)} (call/cc (lambda (c) (set! saved c) {draw(sub)})))))"
            "  (set! n (+ n 1)) (if (< n 3) (saved n) (list v n))))"
        )
    if kind == 10:  # dynamic-wind, with an escape through it
        return (
            '(call/cc (lambda (out) (dynamic-wind (lambda () (display "["))'
            f" (lambda () (if {compare(draw, sub)} (out {draw(sub)}) {draw(sub)}))"
            ' (lambda () (display "]")))))'
        )
    if kind == 11:  # a body with expressions for effect, maybe a bare unbound variable
        bare = draw(st.sampled_from([*scope, "1", "zz"]) if scope else st.sampled_from(["zz", "2"]))
        return f'(begin {bare} (display {draw(sub)}) (display " ") {draw(sub)})'
    if kind == 12:  # strings
        return f'(string-append "<" (number->string {draw(sub)}) ">")'
    if kind == 13:
        return f"(string-length (number->string {draw(sub)}))"
    if kind == 14:  # lists
        return f"(map (lambda (e) (* e 2)) (list {draw(sub)} {draw(sub)}))"
    if kind == 15:
        op = draw(st.sampled_from(["car", "cdr", "length", "reverse"]))
        return f"({op} {draw(st.sampled_from([f'(list {draw(sub)} {draw(sub)})', draw(sub)]))})"
    if kind == 16:  # division, sometimes by zero
        return f"(/ {draw(sub)} {draw(sub)})"
    return f"(and {draw(sub)} (or (> {draw(sub)} 0) {draw(sub)}))"


MACHINE_OUT, REFERENCE_OUT = io.StringIO(), io.StringIO()
MACHINE = Interpreter(output=MACHINE_OUT)
REFERENCE = Interpreter(output=REFERENCE_OUT, reference=True)


def outcome(interp: Interpreter, out: io.StringIO, program: str, limit: int | None) -> tuple:
    """(printed output, value or error class, closure calls made) of running program."""
    out.seek(0)
    out.truncate()
    try:
        value = write_string(interp.eval_string(program, step_limit=limit))
        steps = interp.machine.last_steps
    except SchemeError as e:
        value, steps = type(e).__name__, None
    return out.getvalue(), value, steps


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr(4, ()), st.one_of(st.none(), st.integers(0, 12)))
def test_machine_and_reference_agree(program: str, limit: int | None) -> None:
    want = outcome(REFERENCE, REFERENCE_OUT, program, limit)
    got = outcome(MACHINE, MACHINE_OUT, program, limit)
    assert got == want, program


BOTH = pytest.mark.parametrize("reference", [False, True], ids=["machine", "reference"])

# (program, exact closure calls it makes)
COUNTED = [
    ("((lambda (x) x) 1)", 1),
    ("(define (f n) (if (<= n 0) 0 (f (- n 1)))) (f 10)", 11),
    ("(let loop ((i 0)) (if (< i 5) (loop (+ i 1)) i))", 6),
    ("(apply (lambda (a b) (+ a b)) '(1 2))", 1),
    ("(call/cc (lambda (k) (k 1)))", 1),
    ("(dynamic-wind (lambda () 1) (lambda () 2) (lambda () 3))", 3),
    ("(call-with-values (lambda () (values 1 2)) (lambda (a b) a))", 2),
]


@BOTH
@pytest.mark.parametrize("program, calls", COUNTED)
def test_a_budget_of_n_calls_lets_exactly_n_run(reference: bool, program: str, calls: int) -> None:
    interp = Interpreter(reference=reference)
    interp.eval_string(program, step_limit=calls)
    assert interp.machine.last_steps == calls
    with pytest.raises(StepLimitError):
        Interpreter(reference=reference).eval_string(program, step_limit=calls - 1)


# Recursion through control primitives alone: each level pushes only their frames.
THROUGH_CONTROL = [
    "(call-with-values (lambda () (f (- n 1))) (lambda (x) x))",
    "(dynamic-wind (lambda () 0) (lambda () (f (- n 1))) (lambda () 0))",
    "(with-exception-handler (lambda (e) 0) (lambda () (f (- n 1))))",
    "(force (delay (f (- n 1))))",
]


@BOTH
@pytest.mark.parametrize("step", THROUGH_CONTROL)
def test_the_depth_cap_counts_frames_pushed_by_control_primitives(
    reference: bool, step: str
) -> None:
    program = f"(define (f n) (if (= n 0) 0 {step})) (f 1500)"
    with pytest.raises(DepthLimitError):
        Interpreter(max_depth=1000, reference=reference).eval_string(program)
    assert Interpreter(max_depth=100_000, reference=reference).eval_string(program) == 0


# Small cases the property test finds only by luck.
AGREE = [
    "(<= 2 2)",
    "(let ((a 3)) (list (<= a 3) (>= a 3) (< a 3) (> a 3) (= a 3)))",
    "(let ((a 2) (b 2)) (if (<= a b) 'le 'gt))",
    "(let ((a 1/2) (b 0.5)) (list (<= a b) (= a b) (< b a)))",
    "(begin zz 1)",
    "(let ((a 1)) (begin a zz a))",
    "(letrec ((a (lambda () b)) (b 1)) (begin b (a)))",
    "(letrec ((a b) (b 1)) a)",
]


@pytest.mark.parametrize("program", AGREE)
def test_small_programs_agree(program: str) -> None:
    assert outcome(MACHINE, MACHINE_OUT, program, None) == outcome(
        REFERENCE, REFERENCE_OUT, program, None
    )


@BOTH
def test_a_bare_unbound_variable_in_a_body_is_an_error(reference: bool) -> None:
    with pytest.raises(SchemeError, match="unbound variable: zz"):
        Interpreter(reference=reference).eval_string("(define (f) zz 1) (f)")
