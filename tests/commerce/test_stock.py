"""Stock: what is available, netting out what orders claim, checked before an order begins."""

from __future__ import annotations

import pytest
from kanren import run, var

from commerce.errors import IdempotencyConflictError, InsufficientStockError, UngroundQueryError
from commerce.orders.stock import Shortfall, StockBook, availableo, orderable, sufficient_stocko

from .orders_fixtures import SHOP, begun, cart, engine


def test_available_is_on_hand_for_a_fresh_book():
    book = StockBook(SHOP.catalog)
    assert book.available("TEA") == 10
    assert book.available("MUG", "gold") == 2
    assert book.available("MUG") is None  # the plain product has no stock entry


def test_orders_claim_their_lines_from_creation():
    e = engine()
    begun(e, "o-1", tea=4, gold=1, book=0)
    assert e.stock.available("TEA") == 6
    assert e.stock.available("MUG", "gold") == 1
    assert e.stock.shortfalls(cart(tea=7, gold=0, book=0)) == [Shortfall("TEA", None, 7, 6)]


def test_concurrent_orders_are_netted_out_before_they_reserve():
    e = engine()
    begun(e, "o-1", tea=0, gold=2, book=0)
    with pytest.raises(InsufficientStockError, match="MUG/gold: 2 wanted, 0 available"):
        begun(e, "o-2", tea=0, gold=2, book=0)
    assert not e.ledger.exists("o-2")  # nothing half-applied: no order, no flow
    assert e.orders.flow_of("o-2") is None


def test_a_book_built_from_an_existing_ledger_counts_earlier_orders(tmp_path):
    first = engine(tmp_path / "s.db")
    begun(first, "o-1", tea=5, gold=0, book=0)
    first.close()
    again = engine(tmp_path / "s.db")
    assert again.stock.available("TEA") == 5
    again.close()


def test_retrying_the_same_order_does_not_claim_twice():
    e = engine()
    c, q = begun(e, "o-1", tea=0, gold=2, book=0)
    e.orders.begin("o-1", c, q)  # a retried begin
    assert e.stock.available("MUG", "gold") == 0
    assert e.stock.release("o-1") is True  # and releasing gives both back, once
    assert e.stock.available("MUG", "gold") == 2
    assert e.stock.release("o-1") is False
    assert e.stock.available("MUG", "gold") == 2


def test_a_different_cart_under_an_existing_order_id_is_refused():
    e = engine()
    begun(e, "o-1", tea=1, gold=0, book=0)
    c = cart(tea=2, gold=0, book=0)
    with pytest.raises(IdempotencyConflictError):
        e.orders.begin("o-1", c, e.quote(c, jurisdiction="UK", at=1767225600))


def test_relations_answer_backward_questions():
    e = engine()
    begun(e, "o-1", tea=9, gold=1, book=0)
    n = var()
    assert run(0, n, availableo(e.stock, "TEA", None, n)) == (1,)
    sku, variant = var(), var()
    assert sorted(run(0, (sku, variant), availableo(e.stock, sku, variant, 1))) == [
        ("MUG", "gold"),
        ("TEA", None),
    ]
    assert orderable(e.stock, 3) == [("BOOK", None), ("MUG", "plain")]
    with pytest.raises(UngroundQueryError):
        run(0, sku, sufficient_stocko(e.stock, sku, None, var()))
