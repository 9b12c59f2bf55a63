"""Validity windows: inclusive bounds, open sides, and "which codes are live at t?"."""

from __future__ import annotations

import pytest
from kanren import run, var

from commerce import (
    FixedPromo,
    InvalidWindowError,
    PercentPromo,
    UngroundQueryError,
    Window,
    active_codeso,
    evaluate,
    live_promos,
    price_cart,
)
from commerce.pricing.promo import Ruleset

from .shops import cart_of, small_catalog

PROMOS = [
    PercentPromo("ALWAYS", "goods", 1000),
    PercentPromo("SPRING", "goods", 1000, Window(100, 199)),
    FixedPromo("LATE", 0, 100, Window(150, None)),
    FixedPromo("EARLY", 0, 100, Window(None, 120)),
    FixedPromo("NOON", 0, 100, Window(160, 160)),
]


@pytest.mark.parametrize(
    "at, live",
    [
        (0, ["ALWAYS", "EARLY"]),
        (99, ["ALWAYS", "EARLY"]),
        (100, ["ALWAYS", "EARLY", "SPRING"]),  # from is inclusive
        (120, ["ALWAYS", "EARLY", "SPRING"]),  # until is inclusive
        (121, ["ALWAYS", "SPRING"]),
        (160, ["ALWAYS", "LATE", "NOON", "SPRING"]),
        (199, ["ALWAYS", "LATE", "SPRING"]),
        (200, ["ALWAYS", "LATE"]),
    ],
)
def test_which_codes_are_live_at_t(at, live):
    code = var()
    assert sorted(run(0, code, active_codeso(PROMOS, at, code))) == live
    assert sorted(p.code for p in live_promos(PROMOS, at)) == live


def test_is_code_live_at_t_runs_with_the_code_ground():
    assert run(0, True, active_codeso(PROMOS, 160, "NOON")) == (True,)
    assert run(0, True, active_codeso(PROMOS, 161, "NOON")) == ()


def test_the_time_must_be_ground():
    with pytest.raises(UngroundQueryError):
        run(0, var(), active_codeso(PROMOS, var(), "NOON"))


@pytest.mark.parametrize(
    "start, until",
    [(1.0, None), (None, 2.5), (True, None), ("1", None), (10, 9)],
)
def test_bad_windows_raise(start, until):
    with pytest.raises(InvalidWindowError):
        Window(start, until)


def test_a_time_that_is_not_an_int_is_refused():
    with pytest.raises(InvalidWindowError):
        Window().is_live(1.5)


def test_windows_gate_what_applies_and_nothing_else():
    cat = small_catalog()
    rules = Ruleset.build(cat, PROMOS)
    priced = price_cart(cat, cart_of(cat, ("MUG", 1)))
    early, late = (
        evaluate(rules, priced, member=False, at=0),
        evaluate(rules, priced, member=False, at=200),
    )
    assert early.amounts() == {"ALWAYS": 120, "EARLY": 100}
    assert late.amounts() == {"ALWAYS": 120, "LATE": 100}
    # The discount each promotion would give does not depend on the time.
    assert sorted(early.discounts.facts) == sorted(late.discounts.facts)
