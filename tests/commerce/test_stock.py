"""Stock: what is available, netting out what orders claim, checked before an order begins."""

from __future__ import annotations

import pytest
from kanren import run, var

from commerce.errors import IdempotencyConflictError, InsufficientStockError, UngroundQueryError
from commerce.orders.engine import Engine
from commerce.orders.stock import Shortfall, StockBook, availableo, orderable, sufficient_stocko
from commerce.orders.stock_store import SQLiteStockStore, Want
from flowhost import open_database

from ..pgtest import pg_url
from .orders_fixtures import SHOP, START, Clock, begun, cart, engine


def _maker(kind: str, tmp_path):
    """make() -> an engine on the example shop; on sqlite/postgres, a second call opens the
    same database again (another worker, or a restart)."""
    opened = []
    target = None
    if kind == "sqlite":
        target = tmp_path / "s.db"
    elif kind == "postgres":
        target = pg_url()

    def make_one() -> Engine:
        e = engine() if target is None else Engine.open(target, SHOP, clock=Clock())
        opened.append(e)
        return e

    make_one.durable = target is not None
    make_one.target = target
    return make_one, opened


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make(request, tmp_path):
    make_one, opened = _maker(request.param, tmp_path)
    yield make_one
    for e in opened:
        e.close()


@pytest.fixture(params=["sqlite", "postgres"])
def make_durable(request, tmp_path):
    """make, on the backends that can be opened twice (reopened, or a second worker)."""
    make_one, opened = _maker(request.param, tmp_path)
    yield make_one
    for e in opened:
        e.close()


def test_available_is_on_hand_for_a_fresh_book():
    book = StockBook(SHOP.catalog)
    assert book.available("TEA") == 10
    assert book.available("MUG", "gold") == 2
    assert book.available("MUG") is None  # the plain product has no stock entry


def test_orders_claim_their_lines_from_creation(make):
    e = make()
    begun(e, "o-1", tea=4, gold=1, book=0)
    assert e.stock.available("TEA") == 6
    assert e.stock.available("MUG", "gold") == 1
    assert e.stock.shortfalls(cart(tea=7, gold=0, book=0)) == [Shortfall("TEA", None, 7, 6)]


def test_concurrent_orders_are_netted_out_before_they_reserve(make):
    e = make()
    begun(e, "o-1", tea=0, gold=2, book=0)
    with pytest.raises(InsufficientStockError, match="MUG/gold: 2 wanted, 0 available"):
        begun(e, "o-2", tea=0, gold=2, book=0)
    assert not e.ledger.exists("o-2")  # nothing half-applied: no order, no flow
    assert e.orders.flow_of("o-2") is None


def test_a_book_built_from_an_existing_ledger_counts_earlier_orders(make_durable):
    first = make_durable()
    begun(first, "o-1", tea=5, gold=0, book=0)
    first.close()
    again = make_durable()
    assert again.stock.available("TEA") == 5


def test_a_second_engine_sees_the_first_ones_claims(make_durable):
    # two engines on one database, one after the other (test_races.py races processes)
    a, b = make_durable(), make_durable()
    begun(a, "o-1", tea=0, gold=1, book=0)
    with pytest.raises(InsufficientStockError, match="MUG/gold: 2 wanted, 1 available"):
        begun(b, "o-2", tea=0, gold=2, book=0)  # b sees a's claim, not its own memory
    begun(b, "o-3", tea=0, gold=1, book=0)
    assert a.stock.available("MUG", "gold") == 0 == b.stock.available("MUG", "gold")
    assert not a.ledger.exists("o-2")


def stock_store(kind: str, tmp_path):
    if kind == "sqlite":
        return SQLiteStockStore(open_database(tmp_path / "s.db"))
    from commerce.orders.pg_stock import PostgresStockStore

    return PostgresStockStore(open_database(pg_url()))


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_claim_is_whole_or_nothing_and_released_once(kind, tmp_path):
    s = stock_store(kind, tmp_path)
    mug, tea = Want("MUG", "gold", 2, 2), Want("TEA", None, 11, 10)
    assert s.claim("o-1", [mug, tea]) == [(tea, 10)]  # TEA does not fit: MUG not taken
    assert s.all_reserved() == {} or s.reserved(("MUG", "gold")) == 0
    assert s.claim("o-1", [mug]) == [] and s.reserved(("MUG", "gold")) == 2
    assert s.claim("o-1", [mug]) == []  # claimed already: not twice
    assert s.claim("o-2", [Want("MUG", "gold", 1, 2)]) == [(Want("MUG", "gold", 1, 2), 0)]
    assert s.has_claims()
    assert s.release("o-1") is True and s.release("o-1") is False
    assert s.reserved(("MUG", "gold")) == 0
    s.db.close()


def test_retrying_the_same_order_does_not_claim_twice(make):
    e = make()
    c, q = begun(e, "o-1", tea=0, gold=2, book=0)
    e.orders.begin("o-1", c, q)  # a retried begin
    assert e.stock.available("MUG", "gold") == 0
    assert e.stock.release("o-1") is True  # and releasing gives both back, once
    assert e.stock.available("MUG", "gold") == 2
    assert e.stock.release("o-1") is False
    assert e.stock.available("MUG", "gold") == 2


def test_a_different_cart_under_an_existing_order_id_is_refused(make):
    e = make()
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


def test_a_ledger_from_before_stock_in_the_database_claims_its_orders_once(tmp_path):
    import sqlite3

    db = tmp_path / "old.db"
    e = engine(db)
    begun(e, "o-1", tea=0, gold=2, book=0)
    e.close()
    raw = sqlite3.connect(db)  # what a file written before the stock tables looks like
    raw.execute("DELETE FROM stock_claims")
    raw.execute("DELETE FROM stock_levels")
    raw.commit()
    raw.close()
    Engine.open(db).close()  # an engine without a shop opens it, claiming nothing
    again = engine(db)  # the shop's engine claims what the ledger's orders hold
    assert again.stock.available("MUG", "gold") == 0
    c = cart(tea=0, gold=1, book=0)
    with pytest.raises(InsufficientStockError):
        again.orders.begin("o-2", c, again.quote(c, jurisdiction="UK", at=START))
    again.close()
    assert engine(db).stock.available("MUG", "gold") == 0  # claimed once, not again


def test_an_order_of_untracked_items_claims_nothing_and_still_settles(make):
    from commerce.pricing.api import Session

    e = make()
    s = Session(SHOP, jurisdiction="UK", at=START)
    s.add("MUG", 2)  # the plain mug: the shop does not track its stock
    q = e.quote(s.cart, jurisdiction="UK", at=START)
    e.orders.begin("o-1", s.cart, q)
    assert e.stock.available("MUG") is None and e.stock.available("TEA") == 10
    assert not e.stock.store.has_claims() and not e.stock.release("o-1")
    assert e.orders.settle("o-1", "pay-1", q.total).summary.status == "fulfilled"
    begun(e, "o-2", tea=1, gold=0, book=0)  # a tracked line claims as ever
    assert e.stock.available("TEA") == 9 and e.stock.store.has_claims()


def test_on_hand_is_asked_once_per_item_and_an_unknown_item_always_raises(monkeypatch):
    from commerce.errors import UnknownSkuError
    from commerce.orders import stock

    asked = []
    real = stock.on_hand
    monkeypatch.setattr(stock, "on_hand", lambda *a: asked.append(a[1:]) or real(*a))
    book = StockBook(SHOP.catalog)
    assert book.on_hand("TEA", None) == 10 == book.on_hand("TEA", None)
    assert asked == [("TEA", None)]  # the catalog was asked once
    for _ in range(2):
        with pytest.raises(UnknownSkuError):
            book.on_hand("NOPE", None)
