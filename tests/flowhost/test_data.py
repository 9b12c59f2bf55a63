"""Plain data between Scheme, Python and JSON."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from flowhost.data import (
    Dotted,
    PlainDataError,
    dumps,
    from_json,
    loads,
    same,
    to_json,
    to_python,
    to_scheme,
)
from scheme import Char, Interpreter, Symbol, write_string

interp = Interpreter()


@pytest.mark.parametrize(
    ("scheme", "python"),
    [
        ('"hi"', "hi"),
        ("42", 42),
        ("1/3", Fraction(1, 3)),
        ("2.5", 2.5),
        ("#t", True),
        ("#f", False),
        ("'sym", Symbol("sym")),
        ("#\\a", Char("a")),
        ("'()", []),
        ('\'(1 (2 "x"))', [1, [2, "x"]]),
        ("#(1 #(2))", (1, (2,))),
        ("'(1 2 . 3)", Dotted([1, 2], 3)),
    ],
)
def test_scheme_to_python_and_back(scheme, python):
    value = interp.eval_string(scheme)
    assert to_python(value) == python
    assert write_string(to_scheme(python)) == write_string(value)


def test_json_round_trip_keeps_types():
    value = [
        1,
        1.0,
        True,
        "s",
        Symbol("s"),
        Char("c"),
        Fraction(-1, 2),
        (1, [2]),
        Dotted([1], Symbol("t")),
        float("inf"),
        float("-inf"),
    ]
    data = to_json(value)
    assert json.loads(json.dumps(data)) == data
    back = from_json(data)
    assert back == value
    assert [type(x) for x in back] == [type(x) for x in value]
    assert math.isnan(loads(dumps(float("nan"))))


def test_same_is_type_exact():
    assert same([1, "a"], [1, "a"])
    assert not same(True, 1)
    assert not same(1.0, 1)
    assert not same("a", Symbol("a"))
    assert not same((1,), [1])


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("(list 1 car)", "found #<procedure car> at [1]"),
        ("(vector (make-parameter 1))", "found #<parameter> at [0]"),
        ("(let ((x (list 1 2))) (set-cdr! (cdr x) x) x)", "is circular"),
        ("(let ((v (vector 1))) (vector-set! v 0 v) v)", "is circular at [0]"),
        ('(open-input-string "x")', "found #<string-input-port>"),
    ],
)
def test_non_plain_scheme_values_are_refused(code, message):
    with pytest.raises(PlainDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        to_python(interp.eval_string(code), "payload")


def test_shared_but_not_circular_structure_is_fine():
    value = interp.eval_string("(let ((x (list 1))) (list x x))")
    assert to_python(value) == [[1], [1]]


def test_long_lists_convert_without_recursion():
    value = interp.eval_string("(make-list 200000 'a)")
    assert len(to_python(value)) == 200_000
    assert len(loads(dumps(to_python(value)))) == 200_000


def test_nesting_is_limited_with_a_clear_error():
    deep = interp.eval_string(
        "(let loop ((i 0) (x '())) (if (= i 1000) x (loop (+ i 1) (list x))))"
    )
    with pytest.raises(PlainDataError, match="nested more than 500 levels"):
        to_python(deep, "payload")


@pytest.mark.parametrize(
    "bad",
    [
        {"$symbol": 1},
        {"$rational": "1/0"},
        {"$char": "ab"},
        {"$what": 1},
        {"a": 1, "b": 2},
        None,
        {"$dotted": [[]]},
    ],
)
def test_bad_json_is_refused(bad):
    with pytest.raises(ValueError):
        from_json(bad)


def test_python_values_that_are_not_plain_are_refused():
    for bad in (None, {"a": 1}, {1}, object()):
        with pytest.raises(PlainDataError):
            to_scheme(bad, "argument")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1, (2, "x")], [1, (2, "x")], True),
        ([True], [1], False),
        ([1.0], [1], False),
        ((1,), [1], False),
        (Dotted([1], 2), Dotted([1], 2), True),
        (Dotted([1], 2), Dotted([1], 3), False),
        (Dotted([1], 2), Dotted([1, 2], 3), False),
        (float("nan"), float("nan"), True),
        (Symbol("a"), "a", False),
        ([Fraction(1, 2)], [Fraction(2, 4)], True),
    ],
)
def test_same_agrees_with_comparing_canonical_json(a, b, expected):
    assert same(a, b) is expected
    assert (dumps(a) == dumps(b)) is expected
