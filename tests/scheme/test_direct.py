"""Direct code (scheme/expand/direct.py): pure closure bodies run on the Python stack.

Each program here runs through the machine -- where its global procedures become direct
code -- and through the reference evaluator, and must give the same output, value or
error class and closure-call count. The cases aim at the ways direct code gives up: an
error, a redefined operator, the step budget, deep recursion.
"""

from __future__ import annotations

import io

import pytest

from scheme import DepthLimitError, Interpreter, SchemeError, write_string

FIB = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))"
CMP = "(define (cmp a b) (list (<= a b) (< a b) (>= a b) (> a b) (= a b) (eq? a b) (not a)))"

PROGRAMS = [
    f"{FIB} (fib 15)",
    f"{CMP} (list (cmp 2 2) (cmp 1 2) (cmp 3 2) (cmp 1/2 0.5) (cmp 2.0 2))",
    "(define (le a b) (if (<= a b) 'le 'gt)) (list (le 2 2) (le 3 2) (le 2.5 2.5))",
    "(define (f x) (+ x 1)) (f 'a)",  # an error inside direct code
    "(define (f x) (car x)) (list (f '(1)) (guard (e (#t 'caught)) (f 5)))",
    "(define (g x) (* x 2)) (define (f x) (+ (g x) 1))"
    " (define a (f 3)) (set! g (lambda (x) (display x) x)) (list a (f 3))",
    "(define (f x) (let ((y (+ x 1)) (z 2)) (begin y (* y z)))) (f 4)",
    "(define (f x) (or (> x 3) (and (< x 0) 'neg) 'small)) (list (f 5) (f -1) (f 1))",
    "(define (f x) (begin zz x)) (f 1)",  # a bare unbound variable in a body
    "(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 5000)",
    "(define (count i n) (if (< i n) (count (+ i 1) n) i)) (count 0 20000)",
    "(define (f n) (if (= n 0) (call/cc (lambda (k) (k 7))) (f (- n 1)))) (f 5)",
    "(define (h x) (display x) x) (define (f x) (h (+ x 1))) (f 1)",
]


def outcome(reference: bool, program: str, limit: int | None = None) -> tuple:
    out = io.StringIO()
    interp = Interpreter(output=out, reference=reference)
    try:
        value = write_string(interp.eval_string(program, step_limit=limit))
        steps = interp.machine.last_steps
    except SchemeError as e:
        value, steps = type(e).__name__, None
    return out.getvalue(), value, steps


@pytest.mark.parametrize("program", PROGRAMS)
def test_direct_code_agrees_with_the_reference(program: str) -> None:
    assert outcome(False, program) == outcome(True, program)


def test_fib_runs_as_direct_code() -> None:
    interp = Interpreter()
    interp.eval_string(f"{FIB} (fib 10)")
    lam = interp.eval_string("fib").lam
    assert lam.direct is not None and lam.direct.__name__ == "run"


@pytest.mark.parametrize("calls", [1, 2, 100, 177])
def test_the_step_budget_stops_direct_code_at_the_same_call(calls: int) -> None:
    program = f"{FIB} (fib 10)"  # 177 closure calls
    for limit in (calls - 1, calls):
        assert outcome(False, program, limit) == outcome(True, program, limit)


def test_the_depth_cap_is_the_machines_whatever_direct_code_does() -> None:
    program = "(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 3000)"
    with pytest.raises(DepthLimitError):
        Interpreter(max_depth=2000).eval_string(program)
    assert Interpreter(max_depth=4000).eval_string(program) == 3000


ESCAPES = [
    "(define (f x) (call/cc (lambda (k) (+ 1 (if (< x 0) (k 'neg) x))))) (list (f 1) (f -1))",
    "(define (g k x) (if (< x 0) (k x) (* x 2)))"
    " (define (f x) (call/cc (lambda (k) (+ 1 (g k x))))) (list (f 3) (f -3))",
    "(define (f) (call/cc (lambda (k) k))) (procedure? (f))",  # an escape returned
    "(define (f) (call/cc (lambda (k) (list k)))) (procedure? (car (f)))",
    "(define (f) (let ((r (call/cc (lambda (k) k)))) (if (number? r) r (r 5)))) (f)",  # re-entry
    "(define (f x) (call/cc (lambda (k) (+ 10 (call/cc (lambda (j) (k (+ x 1)))))))) (f 1)",
    "(define (f x) (call/cc (lambda (k) (k 1 2)))) (call-with-values (lambda () (f 0)) list)",
    "(define (f x) (call/cc (lambda (k) (x 3)))) (f (lambda (v) (* v 10)))",
    "(define (f x) (call/cc (lambda (k) (car x)))) (guard (e (#t 'caught)) (f 5))",
    # an escape handed out of its extent by a throw through it, then re-entered
    "(define (f) (let ((e (call/cc (lambda (o) (call/cc (lambda (i) (o i)))))))"
    " (if (number? e) e (e 5)))) (f)",
    "(define (g k) (k 1)) (define (f) (call/cc (lambda (k) (call/cc (lambda (j) (g k))))))"
    " (define (f2) (call/cc (lambda (k) (+ 1 (call/cc (lambda (j) (g k))))))) (list (f) (f2))",
]

# (k v) in tail position returns a Thrown: through one or two returns, into an operand, a
# test, an or, a let, a begin. Each in a fresh interpreter: a bail in one would make the
# procedures of the next run on the machine.
G = "(define (g k) (k 1)) (define (h k) (g k)) (define (f) (call/cc (lambda (k) {}))) (f)"
ESCAPES += [
    G.format(body)
    for body in ["(+ 10 (g k))", "(+ 10 (h k))", "(if (h k) 2 3)", "(or (h k) 4)", "(h k)"]
    + ["(let ((a (h k))) 5)", "(begin (h k) 6)", "(cons (g k) (h k))"]
]


@pytest.mark.parametrize("program", ESCAPES)
def test_call_cc_as_an_escape_agrees_with_the_reference(program: str) -> None:
    assert outcome(False, program) == outcome(True, program)


@pytest.mark.parametrize("limit", [0, 1, 5, 20])
def test_escapes_count_the_lambda_call_as_a_step(limit: int) -> None:
    program = ESCAPES[1]
    assert outcome(False, program, limit) == outcome(True, program, limit)
