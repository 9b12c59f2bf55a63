"""apply_bps, line pricing and subtotal, and tax rates as a relation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kanren import run, var

from commerce import (
    Cart,
    DuplicateTaxRateError,
    InvalidFieldError,
    InvalidMoneyError,
    InvalidRateError,
    Line,
    MissingTaxRateError,
    TaxRate,
    TaxTable,
    UnknownSkuError,
    apply_bps,
    price_cart,
    tax_rate,
    taxo,
)
from commerce.pricing.tax import jurisdictions

from .shops import cart_of, small_catalog


@pytest.mark.parametrize(
    "amount, bps, expected",
    [
        (0, 1234, 0),
        (1, 5000, 1),  # exactly half rounds up
        (1, 4999, 0),
        (3, 5000, 2),  # 1.5 -> 2
        (5000, 1, 1),  # 0.5 -> 1
        (4999, 1, 0),
        (12345, 10000, 12345),
        (12345, 0, 0),
        (1800, 1000, 180),
        (-1, 5000, -1),  # negative amounts mirror the positive ones
        (-3, 5000, -2),
        (-4999, 1, 0),
    ],
)
def test_apply_bps_rounds_half_up(amount, bps, expected):
    assert apply_bps(amount, bps) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**12), 10**12), st.integers(0, 10_000))
def test_apply_bps_is_exact_rational_rounded_half_away_from_zero(amount, bps):
    exact = Fraction(abs(amount) * bps, 10_000)
    magnitude = int(exact) + (1 if exact - int(exact) >= Fraction(1, 2) else 0)
    assert apply_bps(amount, bps) == (magnitude if amount >= 0 else -magnitude)


@pytest.mark.parametrize(
    "amount, bps, error",
    [
        (10.0, 100, InvalidMoneyError),
        (Decimal(10), 100, InvalidMoneyError),
        (True, 100, InvalidMoneyError),
        ("10", 100, InvalidMoneyError),
        (10, 10_001, InvalidRateError),
        (10, -1, InvalidRateError),
        (10, 5.5, InvalidRateError),
        (10, False, InvalidRateError),
    ],
)
def test_apply_bps_rejects_non_int_money_and_rates_out_of_range(amount, bps, error):
    with pytest.raises(error):
        apply_bps(amount, bps)


def test_price_cart_unit_extended_subtotal():
    cat = small_catalog()
    priced = price_cart(cat, cart_of(cat, ("TEA", 4), ("MUG", 2, "gold"), ("MUG", 1, "plain")))
    assert [(ln.unit, ln.extended, ln.cls) for ln in priced.lines] == [
        (450, 1800, "food"),
        (1500, 3000, "goods"),
        (1000, 1000, "goods"),
    ]
    assert priced.subtotal == 5800
    assert price_cart(cat, Cart()).subtotal == 0


def test_price_cart_rejects_a_line_the_catalog_does_not_sell():
    with pytest.raises(UnknownSkuError, match="GHOST"):
        price_cart(small_catalog(), Cart((Line("GHOST", None, 1),)))


@pytest.fixture(scope="module")
def table() -> TaxTable:
    return TaxTable.build(
        [
            TaxRate("UK", "food", "guest", 0),
            TaxRate("UK", "goods", "guest", 2000),
            TaxRate("UK", "goods", "member", 1500),
            TaxRate("IE", "goods", "guest", 2300),
            TaxRate("IE", "books", "guest", 0),
        ]
    )


def test_taxo_forward(table):
    bps = var()
    assert run(0, bps, taxo(table, "UK", "goods", "member", bps)) == (1500,)
    assert tax_rate(table, "IE", "goods", "guest") == 2300


def test_which_tax_keys_give_rate_r(table):
    j, pc, cc = var(), var(), var()
    assert sorted(run(0, (j, pc, cc), taxo(table, j, pc, cc, 0))) == [
        ("IE", "books", "guest"),
        ("UK", "food", "guest"),
    ]
    assert sorted(run(0, j, taxo(table, j, "goods", "guest", var()))) == ["IE", "UK"]
    assert jurisdictions(table) == ["IE", "UK"]


def test_a_missing_rate_is_an_error_naming_the_key_never_zero(table):
    with pytest.raises(MissingTaxRateError, match="'UK'.*'books'.*'guest'"):
        tax_rate(table, "UK", "books", "guest")


@pytest.mark.parametrize(
    "rates, error",
    [
        (
            [TaxRate("UK", "food", "guest", 0), TaxRate("UK", "food", "guest", 5)],
            DuplicateTaxRateError,
        ),
        ([("UK", "food", "guest", 10_001)], InvalidRateError),
        ([("UK", "food", "guest", -5)], InvalidRateError),
        ([("UK", "food", "guest", 12.5)], InvalidRateError),
        ([("UK", "food", "visitor", 0)], InvalidFieldError),
    ],
)
def test_bad_tax_rates_raise(rates, error):
    with pytest.raises(error):
        TaxTable.build(r if isinstance(r, TaxRate) else TaxRate(*r) for r in rates)
