"""The session facade: a shopper's cart changes and the questions asked of it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from commerce import (
    InvalidPolicyError,
    InvalidQuantityError,
    Line,
    Session,
    UnknownLineError,
    UnknownSkuError,
    UnknownVariantError,
    quote,
)

from .shops import small_shop

SHOP = small_shop()


@pytest.fixture
def session() -> Session:
    s = Session(SHOP, jurisdiction="UK", at=2000)
    s.add("TEA", 4)
    s.add("MUG", 2, "gold")
    s.add("BOOK")
    return s


def test_add_remove_set_qty_count_lines(session):
    assert session.count() == 7
    assert session.lines() == (Line("TEA", None, 4), Line("MUG", "gold", 2), Line("BOOK", None, 1))
    session.set_qty("TEA", 1)
    session.remove("BOOK")
    session.add("MUG", 1, "gold")
    assert session.lines() == (Line("TEA", None, 1), Line("MUG", "gold", 3))
    session.set_qty("TEA", 0)
    assert session.count() == 3


def test_total_and_explain_agree_with_the_quote(session):
    q = quote(SHOP, session.cart, at=2000, jurisdiction="UK")
    assert session.total() == q.total == 6550
    explained = session.explain()
    assert [(e.sku, e.variant, e.qty, e.unit, e.extended, e.tax) for e in explained] == [
        ("TEA", None, 4, 450, 1800, 0),
        ("MUG", "gold", 2, 1500, 3000, 600),
        ("BOOK", None, 1, 2000, 2000, 100),
    ]


def test_member_and_net_sessions():
    s = Session(SHOP, member=True, policy="net", at=2000)
    s.add("TEA", 4)
    s.add("MUG", 2, "gold")
    s.add("BOOK")
    assert s.jurisdiction == "UK"  # the shop's only jurisdiction
    assert s.total() == 6122
    assert [e.share for e in s.explain()] == [331, 551, 368]


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda s: s.add("KITE"), UnknownSkuError),
        (lambda s: s.add("MUG", 1, "silver"), UnknownVariantError),
        (lambda s: s.add("TEA", 0), InvalidQuantityError),
        (lambda s: s.set_qty("TEA", -1), InvalidQuantityError),
        (lambda s: s.remove("PEN"), UnknownLineError),
    ],
)
def test_a_failed_change_leaves_the_cart_as_it_was(session, change, error):
    before = session.cart
    with pytest.raises(error):
        change(session)
    assert session.cart is before


def test_can_add_checks_the_item_the_qty_and_tracked_stock(session):
    assert session.can_add("MUG", 0, "gold") is False  # not a positive qty
    assert session.can_add("MUG", 1, "gold") is False  # 2 in the cart, 2 on hand
    assert session.can_add("TEA", 6) is True  # 4 + 6 = 10 on hand
    assert session.can_add("TEA", 7) is False
    assert session.can_add("PEN", 500) is True  # stock not tracked
    assert session.can_add("KITE") is False
    assert session.can_add("MUG", 1, "silver") is False


def test_a_bad_session_fails_at_once():
    with pytest.raises(InvalidPolicyError):
        Session(SHOP, policy="sideways", at=0)


def test_pricing_imports_neither_scheme_nor_flowhost():
    probe = (
        "import sys, commerce, commerce.cli.main; print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('scheme', 'flowhost')))"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[]"
