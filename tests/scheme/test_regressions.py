"""Regressions from review: host booleans, budgets over a whole text, and friends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scheme import (
    DepthLimitError,
    Interpreter,
    SchemeSyntaxError,
    StepLimitError,
    write_string,
)
from scheme.run.machine import DEFAULT_MAX_DEPTH

ROOT = Path(__file__).resolve().parents[2]


def test_host_functions_returning_python_booleans_give_scheme_booleans():
    interp = Interpreter()
    interp.define_primitive("host-no", lambda: False)
    interp.define_primitive("host-yes", lambda: True)
    interp.define_primitive("host-nothing", lambda: None)
    assert write_string(interp.eval_string("(list (if (host-no) 1 2) (host-yes))")) == "(2 #t)"
    assert interp.eval_string("(host-nothing)") is __import__("scheme").UNSPECIFIED


def test_several_values_in_a_one_value_place_print_as_values():
    assert write_string(Interpreter().eval_string("(list (values 1 2) (values))")) == (
        "(#<values 1 2> #<values>)"
    )


def test_the_step_budget_covers_a_whole_text_not_each_form():
    program = "(define (count n) (if (= n 0) 0 (count (- n 1)))) (count 600) (count 600)"
    Interpreter().eval_string(program, step_limit=1300)
    with pytest.raises(StepLimitError):
        Interpreter().eval_string(program, step_limit=1000)


def test_unquote_splicing_cannot_be_the_whole_template():
    with pytest.raises(SchemeSyntaxError, match=",@ splices into a list or vector"):
        Interpreter().eval_string("(define x (list 1)) `,@x")


def test_the_default_depth_cap_stops_runaway_recursion():
    # (test_tail.py shows a 1,000,000-deep recursion fits under the same default)
    with pytest.raises(DepthLimitError, match=f"deeper than {DEFAULT_MAX_DEPTH} frames"):
        Interpreter().eval_string("(define (sink n) (+ 1 (sink n))) (sink 0)")


def test_output_that_cannot_be_written_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "scheme", str(ROOT / "examples/queens.scm")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert r.returncode == 1
    assert "No space left on device" in r.stderr and "Traceback" not in r.stderr
