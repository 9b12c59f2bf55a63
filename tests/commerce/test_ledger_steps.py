"""The SQL ledgers inside a unit of work (sql.py): what a transaction reads of a stream's
summary row is read once and kept until the transaction ends, so these tests show that
what is kept never outlives what it describes -- a rolled-back savepoint or transaction,
another ledger object on the same database, another connection's commit -- and count the
statements an append costs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commerce.errors import IdempotencyConflictError
from commerce.ledger.events import OrderFulfilled, StockReserved
from commerce.ledger.postgres import PostgresLedger
from commerce.ledger.projections import summarize
from commerce.ledger.sqlite import SQLiteLedger
from commerce.ledger.store import MemoryLedger

from ..pgtest import pg_url
from .test_ledger import ALL_KINDS, AT, paid, seed_order

RESERVED = ALL_KINDS[1]
assert isinstance(RESERVED, StockReserved)


class Boom(Exception):
    pass


def _opener(kind: str, tmp_path, made: list):
    """A function opening another ledger object on the same store (memory: the same one)."""
    if kind == "postgres":
        url = pg_url()
        made.append(PostgresLedger(url))
        opener = lambda: made.append(PostgresLedger(url)) or made[-1]  # noqa: E731
    elif kind == "sqlite":
        made.append(SQLiteLedger(tmp_path / "shop.db"))
        opener = lambda: made.append(SQLiteLedger(tmp_path / "shop.db")) or made[-1]  # noqa: E731
    else:
        made.append(MemoryLedger())
        opener = lambda: made[0]  # noqa: E731
    opener.first = made[0]
    return opener


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def opener(request, tmp_path):
    made: list = []
    yield _opener(request.param, tmp_path, made)
    for ledger in made:
        ledger.close()


@pytest.fixture(params=["sqlite", "postgres"])
def sql_opener(request, tmp_path):
    made: list = []
    yield _opener(request.param, tmp_path, made)
    for ledger in made:
        ledger.close()


def _agrees(ledger, stream: str) -> None:
    """The summary row says what the fold over the stream's events says."""
    assert ledger.summary(stream) == summarize(ledger.events(stream))


def test_appends_in_one_transaction_build_on_each_other(opener):
    ledger = opener.first
    with ledger.transaction():
        assert ledger.version("o1") == 0 and not ledger.exists("o1")
        ledger.append("o1", [seed_order()], expected_version=0)
        assert ledger.version("o1") == 1
        r = ledger.append_once("o1", RESERVED)
        assert r.version == 2 and r.summary.status == "reserved"
        r = ledger.append_once("o1", paid("pay_1"))
        assert r.version == 3 and r.summary == ledger.summary("o1")
        assert ledger.summary("o1").paid == 2510
    _agrees(ledger, "o1")
    again = opener()
    assert again.version("o1") == 3 and again.summary("o1") == ledger.summary("o1")


def test_a_rolled_back_savepoint_takes_its_appends_out_of_the_transaction(opener):
    ledger = opener.first
    ledger.append("o1", [seed_order()], expected_version=0)
    with ledger.transaction():
        ledger.append_once("o1", RESERVED)
        with pytest.raises(Boom):
            with ledger.db.transaction():  # a savepoint, as a failing handler step has
                ledger.append_once("o1", paid("pay_1"))
                assert ledger.summary("o1").paid == 2510
                raise Boom
        assert ledger.version("o1") == 2 and ledger.summary("o1").paid == 0
        r = ledger.append_once("o1", paid("pay_2", 100))
        assert r.version == 3 and r.summary.paid == 100 and r.summary.payments == ("pay_2",)
    _agrees(ledger, "o1")
    assert ledger.find_payment("pay_1") is None
    assert opener().summary("o1").payments == ("pay_2",)


def test_a_rolled_back_transaction_leaves_nothing_behind_for_the_next(opener):
    ledger = opener.first
    ledger.append("o1", [seed_order()], expected_version=0)
    with pytest.raises(Boom):
        with ledger.transaction():
            ledger.append_once("o1", RESERVED)
            ledger.append_once("o1", paid("pay_1"))
            raise Boom
    assert ledger.version("o1") == 1 and ledger.summary("o1").status == "created"
    with ledger.transaction():
        assert ledger.version("o1") == 1
        r = ledger.append_once("o1", paid("pay_1"))
        assert r.version == 2 and not r.already_recorded
    _agrees(ledger, "o1")
    with pytest.raises(Boom):  # a stream created in a rolled-back transaction is gone
        with ledger.transaction():
            ledger.append("o2", [seed_order("o2")], expected_version=0)
            raise Boom
    assert not ledger.exists("o2")
    r = ledger.append("o2", [seed_order("o2")], expected_version=0)
    assert r.version == 1 and not r.already_recorded


def test_another_connections_commit_is_seen_by_the_next_transaction(opener):
    one, other = opener.first, opener()
    one.append("o1", [seed_order()], expected_version=0)
    with one.transaction():
        assert one.summary("o1").status == "created"
    other.append_once("o1", RESERVED)
    other.append_once("o1", paid("pay_1"))
    assert one.summary("o1").paid == 2510  # read outside a transaction: as it is now
    with one.transaction():
        r = one.append_once("o1", OrderFulfilled(at=AT + 20))
        assert r.version == 4 and r.summary.status == "fulfilled"
    _agrees(other, "o1")


def test_replays_and_conflicts_inside_a_transaction_are_told_apart(opener):
    ledger = opener.first
    ledger.append("o1", [seed_order()], expected_version=0)
    ledger.append("o2", [seed_order("o2")], expected_version=0)
    with ledger.transaction():
        ledger.append_once("o1", paid("pay_1"))
        again = ledger.append_once("o1", paid("pay_1", at=AT + 99))
        assert again.already_recorded and again.version == 2 and again.summary.paid == 2510
        created = ledger.append("o1", [seed_order()], expected_version=0)
        assert created.already_recorded and created.version == 2
    with pytest.raises(IdempotencyConflictError):  # the same ref on another order
        ledger.append_once("o2", paid("pay_1"))
    assert ledger.version("o2") == 1
    _agrees(ledger, "o1")


def test_a_stream_is_new_exactly_when_its_creation_is_not_recorded(opener):
    ledger = opener.first
    first = ledger.append("o1", [seed_order()], expected_version=0)
    assert first.version == 1 and not first.already_recorded
    # the creation again, whatever the expected version: already recorded, not a conflict
    for expected in (None, 0, 1, 5):
        r = ledger.append("o1", [seed_order(at=AT + 7)], expected_version=expected)
        assert r.already_recorded and r.version == 1
    with pytest.raises(IdempotencyConflictError):
        ledger.append("o1", [replace(seed_order(), currency="EUR")], expected_version=0)
    assert ledger.version("o1") == 1 and ledger.summary("o1").currency == "GBP"


def test_two_ledger_objects_on_one_database_share_what_the_transaction_knows(tmp_path):
    a = SQLiteLedger(tmp_path / "shop.db")
    b = SQLiteLedger(a.db)
    with a.transaction():
        a.append("o1", [seed_order()], expected_version=0)
        assert b.summary("o1").status == "created"
        b.append_once("o1", RESERVED)
        r = a.append_once("o1", paid("pay_1"))
        assert r.version == 3 and r.summary.status == "paid" and r.summary.reserved
    _agrees(a, "o1")
    a.close()


def test_an_append_in_a_step_reads_the_summary_row_once(tmp_path):
    """SQLite, counted by the database: a stream's creation is two statements (the event,
    its summary row), any later append in the same transaction two more, and the first
    append of a transaction to an existing stream one more (the summary row)."""
    ledger = SQLiteLedger(tmp_path / "shop.db")
    stats = ledger.db.stats
    with ledger.transaction():
        before = stats.statements
        ledger.append("o1", [seed_order()], expected_version=0)
        ledger.append_once("o1", RESERVED)
        ledger.summary("o1")
        assert stats.statements - before == 4
    with ledger.transaction():
        before = stats.statements
        assert ledger.exists("o1")
        ledger.append_once("o1", paid("pay_1"))
        assert ledger.summary("o1").paid == 2510
        assert stats.statements - before == 3
    before = stats.statements
    assert ledger.append_once("o1", paid("pay_1")).already_recorded  # a replay
    # its own transaction: BEGIN, the row, the insert that inserts nothing, the key, COMMIT
    assert stats.statements - before == 5
    ledger.close()


def test_what_a_transaction_kept_is_not_used_after_it_even_without_the_hooks(
    sql_opener, monkeypatch
):
    """The kept rows live in the database's per-transaction cache, which the transaction's
    end empties itself: with the end-of-transaction hooks gone, the next transaction
    still reads the row afresh."""
    one, other = sql_opener.first, sql_opener()
    monkeypatch.setattr(one.db, "on_commit", lambda fn: None)
    monkeypatch.setattr(one.db, "on_rollback", lambda fn: None)
    one.append("o1", [seed_order()], expected_version=0)
    with one.transaction():
        assert one.summary("o1").version == 1
    other.append_once("o1", RESERVED)
    with pytest.raises(Boom):
        with one.transaction():
            assert one.append_once("o1", paid("pay_1")).version == 3
            raise Boom
    with one.transaction():
        assert one.version("o1") == 2
        r = one.append_once("o1", OrderFulfilled(at=AT + 20))
        assert r.version == 3 and r.summary.status == "fulfilled" and r.summary.paid == 0
    _agrees(other, "o1")
