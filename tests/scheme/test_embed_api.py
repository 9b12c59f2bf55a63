"""The public embedding API (scheme/embed.py), on the machine and on the reference."""

from __future__ import annotations

import pytest

from scheme import (
    Interpreter,
    SchemeError,
    Suspend,
    SuspensionPoint,
    Symbol,
    read_all,
    write_string,
)

BOTH = pytest.mark.parametrize("reference", [False, True], ids=["machine", "reference"])
PROGRAM = """
(define (order n)
  (let ((base (* n 10)))
    (let ((paid (ask 'payment base)))
      (list base paid (ask 'ship paid)))))
"""


def asking(interp: Interpreter) -> list:
    points: list = []

    def ask(point: SuspensionPoint, kind: object, payload: object) -> object:
        points.append(point)
        return Suspend((str(kind), payload))

    interp.define_suspending("ask", ask)
    interp.eval_string(PROGRAM)
    return points


@BOTH
def test_call_suspend_inspect_resume(reference: bool) -> None:
    interp = Interpreter(reference=reference)
    points = asking(interp)
    assert interp.call(interp.lookup("order"), 3) == ("payment", 30)
    point = points[-1]
    assert str(point.span) == "<string>:4:17"
    assert point.variables() == [("base", 30), ("n", 3)]
    assert point.evaluate(read_all("(+ base n)")[0], interp) == 33
    ok = Symbol("ok")
    assert interp.resume(point.continuation, ok) == ("ship", ok)
    again = points[-1]
    assert write_string(interp.resume(again.continuation, 7)) == "(30 ok 7)"
    # a continuation is data: resuming the first point again replays from there
    assert interp.resume(point.continuation, 5) == ("ship", 5)


@BOTH
def test_a_suspending_primitive_may_just_return(reference: bool) -> None:
    interp = Interpreter(reference=reference)
    interp.define_suspending("host-add", lambda point, a, b: a + b)
    assert interp.eval_string("(+ 1 (host-add 2 3))") == 6


@BOTH
def test_call_applies_with_a_step_budget(reference: bool) -> None:
    interp = Interpreter(reference=reference)
    interp.eval_string("(define (loop n) (if (= n 0) 'done (loop (- n 1))))")
    assert str(interp.call(interp.lookup("loop"), 10, step_limit=11)) == "done"
    with pytest.raises(SchemeError, match="step budget"):
        interp.call(interp.lookup("loop"), 10, step_limit=10)


@BOTH
def test_globals_locked_during_a_block(reference: bool) -> None:
    interp = Interpreter(reference=reference)
    interp.eval_string("(define x 1)")
    with interp.globals_locked("replay would repeat it"):
        with pytest.raises(SchemeError, match="set! x: replay would repeat it"):
            interp.eval_string("(set! x 2)")
        with pytest.raises(SchemeError, match="define y: replay"):
            interp.eval_string("(define y 2)")
        assert interp.eval_string("(let ((z 1)) (set! z 2) z)") == 2
    interp.eval_string("(set! x 3)")
    assert interp.lookup("x") == 3
