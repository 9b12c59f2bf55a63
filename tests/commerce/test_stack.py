"""Legal stackings, the best stacking (branch and bound = brute force), stacking_by_discounto."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kanren import run, var

from commerce import (
    InvalidMoneyError,
    Ruleset,
    Stacking,
    best_stacking,
    brute_force_best,
    evaluate,
    legal_stackings,
    price_cart,
    stacking_by_discounto,
)
from commerce.pricing.stack import best, enumerate_stackings, is_legal, stackings

from .shops import cart_of, small_catalog, standard_promos


@st.composite
def problems(draw, max_codes=12):
    """Applying discounts (small values, so ties happen), exclusion pairs, a subtotal cap."""
    n = draw(st.integers(0, max_codes))
    codes = [f"K{i:02d}" for i in range(n)]
    amounts = {c: draw(st.integers(1, 9)) for c in codes}
    pairs = (
        draw(st.lists(st.sampled_from(list(combinations(codes, 2))), max_size=12)) if n > 1 else []
    )
    subtotal = draw(st.integers(0, 60))
    return amounts, frozenset(frozenset(p) for p in pairs), subtotal


@settings(max_examples=250, deadline=None)
@given(problems())
def test_best_stacking_equals_brute_force(problem):
    assert best_stacking(*problem) == brute_force_best(*problem)


@settings(max_examples=100, deadline=None)
@given(problems(max_codes=8))
def test_legal_stackings_are_exactly_the_independent_subsets(problem):
    amounts, exclusions, subtotal = problem
    listed = legal_stackings(amounts, exclusions, subtotal)
    expected = {
        subset
        for size in range(len(amounts) + 1)
        for subset in combinations(sorted(amounts), size)
        if is_legal(subset, amounts, exclusions)
    }
    assert {s.codes for s in listed} == expected
    assert len(listed) == len(expected)
    for s in listed:
        assert s.discount == min(subtotal, sum(amounts[c] for c in s.codes))
    assert listed == sorted(listed, key=Stacking.rank)
    assert listed[0] == best_stacking(amounts, exclusions, subtotal)


def test_ties_go_to_fewer_codes_then_the_smaller_code_list():
    # A alone gives 10; B + C also give 10: fewer codes wins.
    assert best_stacking(
        {"A": 10, "B": 5, "C": 5}, frozenset({frozenset("AB"), frozenset("AC")}), 99
    ) == (Stacking(("A",), 10))
    # X and Y tie on discount and count: the lexicographically smaller list wins.
    assert best_stacking({"Y": 7, "X": 7}, frozenset({frozenset("XY")}), 99) == Stacking(("X",), 7)
    # Capped at the subtotal: a single code that reaches the cap beats a pair that also does.
    assert best_stacking({"A": 6, "B": 5, "C": 5}, frozenset(), 10) == Stacking(("A", "B"), 10)


def test_nothing_applies_gives_the_empty_stacking():
    assert best_stacking({}, frozenset(), 100) == Stacking((), 0)
    assert legal_stackings({}, frozenset(), 100) == [Stacking((), 0)]
    assert best_stacking({"A": 5}, frozenset(), 0) == Stacking((), 0)


def test_best_stacking_stays_exact_beyond_brute_force_reach():
    # 30 codes, pairs (2i, 2i+1) exclude each other: the best takes the larger of each pair.
    codes = [f"K{i:02d}" for i in range(30)]
    amounts = {c: 100 + (i * 37) % 50 for i, c in enumerate(codes)}
    pairs = frozenset(frozenset((codes[i], codes[i + 1])) for i in range(0, 30, 2))
    got = best_stacking(amounts, pairs, 10**9)
    expect = [
        max(codes[i : i + 2], key=lambda c: (amounts[c], -ord(c[-1]))) for i in range(0, 30, 2)
    ]
    assert got.codes == tuple(sorted(expect))
    assert got.discount == sum(amounts[c] for c in expect)


def test_negative_discounts_are_refused():
    with pytest.raises(InvalidMoneyError):
        best_stacking({"A": -1}, frozenset(), 10)


@pytest.fixture(scope="module")
def ev():
    cat = small_catalog()
    rules = Ruleset.build(cat, standard_promos(), [("P10", "F5")])
    cart = price_cart(cat, cart_of(cat, ("TEA", 4), ("MUG", 2, "gold"), ("BOOK", 1)))
    return evaluate(rules, cart, member=True, at=2000)  # B3 450, F5 500, M15 300, P10 300


def test_the_evaluation_stackings(ev):
    assert best(ev) == Stacking(("B3", "F5", "M15"), 1250)
    assert len(stackings(ev)) == 12  # 16 subsets of 4 codes less the 4 holding P10 and F5


def test_which_legal_stacking_gives_discount_d(ev):
    codes = var()
    assert sorted(run(0, codes, stacking_by_discounto(ev, codes, 750))) == [
        ("B3", "M15"),
        ("B3", "P10"),
    ]
    assert run(0, codes, stacking_by_discounto(ev, codes, 1250)) == (("B3", "F5", "M15"),)
    assert run(0, codes, stacking_by_discounto(ev, codes, 0)) == ((),)
    assert run(0, codes, stacking_by_discounto(ev, codes, 1)) == ()


def test_stacking_by_discounto_forward_and_checks(ev):
    d = var()
    assert run(0, d, stacking_by_discounto(ev, ("B3", "P10"), d)) == (750,)
    assert run(0, d, stacking_by_discounto(ev, ("F5", "P10"), d)) == ()  # excluded pair
    assert run(0, d, stacking_by_discounto(ev, ("P10", "B3"), d)) == ()  # not the sorted form
    assert run(0, d, stacking_by_discounto(ev, ("B3", "ZZZ"), d)) == ()  # not applying
    every = run(0, (var("c"), d), stacking_by_discounto(ev, var("c"), d))
    assert sorted(every) == sorted((s.codes, s.discount) for s in stackings(ev))


@settings(max_examples=60, deadline=None)
@given(problems(max_codes=8), st.integers(0, 60))
def test_the_discount_search_finds_exactly_the_stackings_with_that_discount(problem, target):
    amounts, exclusions, subtotal = problem
    listed = legal_stackings(amounts, exclusions, subtotal)
    found = sorted(s.codes for s in enumerate_stackings(amounts, exclusions, subtotal, target))
    assert found == sorted(s.codes for s in listed if s.discount == target)
