"""The ledgers keep one summary row per order, updated in the transaction of each append
(projections.apply), and read summaries from it: the rows must always equal the fold over
the events (`summarize`), roll back with the append, and be built once for a ledger
written before they existed."""

from __future__ import annotations

import random
import sqlite3

import psycopg
import pytest

from commerce.errors import UnknownOrderError
from commerce.ledger.events import (
    OrderFulfilled,
    PaymentRecorded,
    RefundRejected,
    RefundRequested,
    RefundSettled,
    StockReserved,
)
from commerce.ledger.postgres import PostgresLedger
from commerce.ledger.projections import (
    apply,
    summaries,
    summarize,
    summary_from_text,
    summary_of,
    summary_text,
)
from commerce.ledger.recon import mismatch_report, orders_with_status, reconcile, reconcile_rows
from commerce.ledger.sqlite import SQLiteLedger
from commerce.ledger.store import MemoryLedger

from ..pgtest import pg_url
from .test_ledger import ALL_KINDS, AT, seed_order


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request, tmp_path):
    if request.param == "postgres":
        url = pg_url()
        return lambda: PostgresLedger(url)
    if request.param == "sqlite":
        return lambda: SQLiteLedger(tmp_path / "shop.db")
    one = MemoryLedger()
    return lambda: one


def _random_stream(rng: random.Random, order: str) -> list:
    events = [seed_order(order)]
    asked: list[str] = []  # refunds requested and not yet settled or rejected
    for i in range(rng.randrange(0, 8)):
        kind, at = rng.randrange(6), AT + i + 1
        if kind == 0:
            amount = rng.randrange(1, 3000)
            events.append(PaymentRecorded(at=at, ref=f"{order}-p{i}", amount=amount))
        elif kind == 1:
            asked.append(f"r{i}")
            events.append(RefundRequested(at=at, refund=f"r{i}", amount=rng.randrange(1, 900)))
        elif kind == 2 and asked:
            refund = asked.pop(rng.randrange(len(asked)))
            events.append(RefundSettled(at=at, refund=refund, amount=rng.randrange(1, 900)))
        elif kind == 3 and asked:
            events.append(RefundRejected(at=at, refund=asked.pop()))
        elif kind == 4 and not any(isinstance(e, StockReserved) for e in events):
            events.append(StockReserved(at=at, lines=ALL_KINDS[1].lines))
        elif kind == 5 and not any(isinstance(e, OrderFulfilled) for e in events):
            events.append(OrderFulfilled(at=at))
    return events


def test_summary_rows_equal_the_fold_over_the_events(backend):
    ledger = backend()
    rng = random.Random(7)
    streams = {}
    for n in range(25):
        order = f"o-{n:02d}"
        events = _random_stream(rng, order)
        cut = rng.randrange(1, len(events) + 1)
        ledger.append(order, events[:cut], expected_version=0)  # several in one append
        for e in events[cut:]:
            ledger.append_once(order, e)
        streams[order] = ledger.events(order)
    for order, events in streams.items():
        assert summary_of(ledger, order) == summarize(events)
    assert summaries(ledger) == [summarize(streams[o]) for o in sorted(streams)]
    fulfilled = [s.order for s in summaries(ledger) if s.status == "fulfilled"]
    assert [s.order for s in ledger.summaries("fulfilled")] == fulfilled
    with pytest.raises(UnknownOrderError):
        ledger.summary("o-none")
    ledger.close()


def test_a_rolled_back_append_leaves_the_row_as_it_was(backend):
    ledger = backend()
    ledger.append("o1", ALL_KINDS[:2], expected_version=0)
    before = ledger.summary("o1")
    with pytest.raises(RuntimeError):
        with ledger.transaction():
            ledger.append_once("o1", PaymentRecorded(at=AT + 5, ref="gone", amount=2510))
            assert ledger.summary("o1").paid == 2510  # seen inside the transaction
            raise RuntimeError("the step fails")
    assert ledger.summary("o1") == before == summarize(ALL_KINDS[:2])
    ledger.close()


def test_apply_is_the_fold_one_event_at_a_time():
    s = None
    for i, event in enumerate(ALL_KINDS):
        s = apply(s, [event])
        assert s == summarize(ALL_KINDS[: i + 1])
        assert summary_from_text(summary_text(s)) == s


def test_a_sqlite_ledger_from_before_summary_rows_gets_them_built_once(tmp_path):
    path = tmp_path / "old.db"
    ledger = SQLiteLedger(path)
    ledger.append("o1", ALL_KINDS, expected_version=0)
    ledger.append("o2", [seed_order("o2")], expected_version=0)
    ledger.close()
    raw = sqlite3.connect(path)  # what an older release left: events, no rows, no marker
    raw.execute("DROP TABLE ledger_summaries")
    raw.execute("DELETE FROM ledger_meta WHERE key = 'summaries'")
    raw.commit()
    raw.close()
    again = SQLiteLedger(path)
    assert summaries(again) == [summarize(ALL_KINDS), summarize([seed_order("o2")])]
    again.append_once("o2", PaymentRecorded(at=AT + 9, ref="p2", amount=2510))
    assert again.summary("o2").paid == 2510
    again.close()


def test_a_postgres_ledger_from_before_summary_rows_gets_them_built_once():
    url = pg_url()
    ledger = PostgresLedger(url)
    ledger.append("o1", ALL_KINDS, expected_version=0)
    ledger.close()
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute("DROP TABLE ledger_summaries")
        raw.execute("DELETE FROM schema_versions WHERE component = 'ledger-summaries'")
    again = PostgresLedger(url)
    assert summaries(again) == [summarize(ALL_KINDS)]
    again.close()


def test_summaries_page_and_filter_in_the_ledger(backend):
    ledger = backend()
    for n in range(6):
        order = f"o-{n}"
        ledger.append(order, [seed_order(order)], expected_version=0)
        if n % 2:
            ledger.append_once(order, PaymentRecorded(at=AT + 1, ref=f"p{n}", amount=2510))
    every = ledger.summaries()
    assert [s.order for s in every] == [f"o-{n}" for n in range(6)]
    assert [s.order for s in ledger.summaries(limit=2)] == ["o-0", "o-1"]
    assert [s.order for s in ledger.summaries(after="o-1", limit=2)] == ["o-2", "o-3"]
    assert [s.order for s in ledger.summaries("paid", after="o-1")] == ["o-3", "o-5"]
    assert [s.order for s in ledger.summaries(recon="unpaid", limit=2)] == ["o-0", "o-2"]
    assert ledger.summaries("fulfilled") == []
    ledger.close()


def test_reconciliation_from_the_rows_is_reconciliation_from_the_summaries(backend):
    ledger = backend()
    rng = random.Random(11)
    for n in range(30):
        order = f"o-{n:02d}"
        ledger.append(order, _random_stream(rng, order), expected_version=0)
    from_rows = reconcile_rows(ledger.recon_rows())
    from_summaries = reconcile(summaries(ledger))
    assert mismatch_report(from_rows) == mismatch_report(from_summaries)
    for status in ("ok", "unpaid", "underpaid", "overpaid", "refunded"):
        assert orders_with_status(from_rows, status) == orders_with_status(from_summaries, status)
    assert dict(from_rows.summaries) == dict(from_summaries.summaries)
    ledger.close()
