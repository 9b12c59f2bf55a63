"""The order ledger: events and their JSON, the store contract (memory and SQLite), folds.

The contract suite runs against every implementation through the `ledger` fixture; the
SQLite-only tests cover what only a file can show: reopening, sharing a file with the flow
store, two connections racing for one stream, and driver errors turned into CommerceErrors.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from commerce import (
    Cart,
    Catalog,
    CommerceError,
    EventFormatError,
    IdempotencyConflictError,
    InvalidEventError,
    InvalidMoneyError,
    InvalidStreamError,
    LedgerConflictError,
    LedgerStoreError,
    PercentPromo,
    Product,
    Ruleset,
    Shop,
    TaxRate,
    TaxTable,
    UnknownOrderError,
    quote,
)
from commerce.ledger.events import (
    ItemLine,
    OrderCreated,
    OrderFulfilled,
    OrderLine,
    PaymentRecorded,
    RefundRejected,
    RefundRequested,
    RefundSettled,
    StockReserved,
    WrongCurrencyPayment,
    dumps_event,
    event_from_json,
    loads_event,
)
from commerce.ledger.postgres import PostgresLedger
from commerce.ledger.projections import summaries, summarize, summary_of
from commerce.ledger.sqlite import SQLiteLedger
from commerce.ledger.store import Ledger, MemoryLedger
from commerce.orders.orders import created_from_quote

from ..pgtest import pg_url

AT = 1_767_225_600
KIT = OrderLine(sku="KIT", qty=2, unit=1200, extended=2400, tax=320)


def seed_order(order: str = "o1", at: int = AT) -> OrderCreated:
    """The seed's integration order: subtotal 2400, discount 210, tax 320, total 2510."""
    return OrderCreated(
        at=at,
        order=order,
        currency="GBP",
        subtotal=2400,
        discount=210,
        tax=320,
        total=2510,
        codes=("P875",),
        lines=(KIT,),
    )


def paid(ref: str, amount: int = 2510, at: int = AT + 10) -> PaymentRecorded:
    return PaymentRecorded(at=at, ref=ref, amount=amount)


ALL_KINDS = [
    seed_order(),
    StockReserved(
        at=AT + 1, lines=(ItemLine(sku="KIT", qty=2), ItemLine(sku="MUG", variant="gold", qty=1))
    ),
    paid("pay_1"),
    OrderFulfilled(at=AT + 20),
    RefundRequested(at=AT + 30, refund="r1", amount=510),
    RefundSettled(at=AT + 40, refund="r1", amount=510),
    RefundRejected(at=AT + 50, refund="r2"),
]


# -- events ----------------------------------------------------------------------------------
@pytest.mark.parametrize("event", ALL_KINDS, ids=lambda e: e.type)
def test_every_event_round_trips_through_json_text(event):
    text = dumps_event(event)
    assert json.loads(text)["type"] == event.type
    assert loads_event(text) == event
    assert event_from_json(json.loads(text)) == event


def test_the_json_shape_of_an_event_is_plain_and_stable():
    assert paid("pay_1").to_json() == {
        "type": "payment-recorded",
        "at": AT + 10,
        "ref": "pay_1",
        "amount": 2510,
    }
    created = seed_order().to_json()
    assert created["lines"] == [
        {"sku": "KIT", "variant": None, "qty": 2, "unit": 1200, "extended": 2400, "tax": 320}
    ]
    assert created["codes"] == ["P875"]
    assert (
        dumps_event(paid("p"))
        == '{"amount":2510,"at":1767225610,"ref":"p","type":"payment-recorded"}'
    )


GOOD = {"type": "payment-recorded", "at": 1, "ref": "p", "amount": 5}


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "must be a JSON object"),
        ({"type": "paid", "at": 1}, "unknown event type 'paid'"),
        ({"at": 1}, "unknown event type None"),
        ({"type": "payment-recorded", "at": 1, "ref": "p"}, "missing key(s) amount"),
        (GOOD | {"currency": "GBP"}, "unknown key(s) currency"),
        (GOOD | {"amount": 5.0}, "amount must be an int of minor units"),
        (GOOD | {"amount": True}, "amount must be an int of minor units"),
        (GOOD | {"amount": "5"}, "amount must be an int of minor units"),
        (GOOD | {"amount": 0}, "amount must be > 0"),
        (GOOD | {"at": "yesterday"}, "at must be an int timestamp"),
        (GOOD | {"ref": ""}, "ref must be a non-empty string"),
        ({"type": "stock-reserved", "at": 1, "lines": []}, "one or more ItemLine"),
        ({"type": "stock-reserved", "at": 1, "lines": "KIT"}, "lines must be a list"),
        ({"type": "stock-reserved", "at": 1, "lines": [{"sku": "KIT"}]}, "line 1: missing key(s)"),
        (
            {"type": "stock-reserved", "at": 1, "lines": [{"sku": "K", "variant": None, "qty": 0}]},
            "qty of K must be >= 1",
        ),
        (seed_order().to_json() | {"total": 2511}, "total 2511 is not subtotal 2400"),
        (seed_order().to_json() | {"codes": ["Z", "A"]}, "codes must be sorted"),
    ],
)
def test_deserialisation_is_strict_and_names_what_is_wrong(data, message):
    with pytest.raises(EventFormatError) as e:
        event_from_json(data)
    assert message in str(e.value)


def test_bad_json_text_is_an_event_format_error():
    with pytest.raises(EventFormatError, match="must be JSON text"):
        loads_event("{not json")


def test_an_order_snapshot_must_add_up():
    with pytest.raises(InvalidEventError, match="subtotal 2000 is not the lines' sum"):
        OrderCreated(
            at=1,
            order="o",
            currency="GBP",
            subtotal=2000,
            discount=0,
            tax=320,
            total=2320,
            lines=(KIT,),
        )
    with pytest.raises(InvalidEventError, match="discount 2500 exceeds the subtotal"):
        OrderCreated(
            at=1,
            order="o",
            currency="GBP",
            subtotal=2400,
            discount=2500,
            tax=320,
            total=220,
            lines=(KIT,),
        )
    with pytest.raises(InvalidEventError, match="extended 2000 is not unit 1200 x qty 2"):
        OrderLine(sku="KIT", qty=2, unit=1200, extended=2000, tax=0)
    with pytest.raises(InvalidMoneyError, match="must be > 0"):
        RefundSettled(at=1, refund="r", amount=0)
    with pytest.raises(InvalidEventError, match="int timestamp"):
        OrderFulfilled(at=1.5)


def test_an_order_created_from_a_quote_keeps_the_quotes_figures():
    catalog = Catalog.build([Product("KIT", "Kit", 1200, "goods")])
    taxes = TaxTable.build([TaxRate("UK", "goods", "guest", 1333)])
    shop = Shop(
        "GBP", catalog, taxes, Ruleset.build(catalog, [PercentPromo("P875", "goods", 875)], [])
    )
    q = quote(shop, Cart.of(catalog, [("KIT", None, 2)]), at=AT)
    event = created_from_quote("o1", q, at=AT)
    assert (event.subtotal, event.discount, event.tax, event.total) == (2400, 210, 320, 2510)
    assert event == seed_order()
    assert event.items() == (ItemLine(sku="KIT", qty=2),)


def test_same_fact_ignores_when_but_not_what():
    assert paid("p", at=1).same_fact(paid("p", at=99))
    assert not paid("p", 2510).same_fact(paid("p", 2511))
    assert not RefundRequested(at=1, refund="r", amount=5).same_fact(
        RefundSettled(at=1, refund="r", amount=5)
    )


# -- the store contract, for every implementation -----------------------------------------
@pytest.fixture(params=["memory", "sqlite", "postgres"])
def ledger(request, tmp_path) -> Ledger:
    if request.param == "postgres":
        store = PostgresLedger(pg_url())
    else:
        store = MemoryLedger() if request.param == "memory" else SQLiteLedger(tmp_path / "shop.db")
    yield store
    store.close()


def test_a_stream_holds_its_events_in_order(ledger):
    r = ledger.append("o1", ALL_KINDS[:2], expected_version=0)
    assert r.version == 2 and not r.already and not r.already_recorded
    assert [x.version for x in r.recorded] == [1, 2]
    ledger.append("o2", [seed_order("o2")], expected_version=0)
    ledger.append("o1", ALL_KINDS[2:], expected_version=2)
    recs = ledger.read("o1")
    assert [x.event for x in recs] == ALL_KINDS
    assert [x.version for x in recs] == list(range(1, 8))
    assert [x.position for x in recs] == [1, 2, 4, 5, 6, 7, 8]  # o2's event took position 3
    assert ledger.events("o1") == tuple(ALL_KINDS)
    assert ledger.version("o1") == 7 and ledger.version("o2") == 1 and ledger.version("o9") == 0
    assert ledger.streams() == ["o1", "o2"]
    assert ledger.exists("o2") and not ledger.exists("o9")


def test_streams_keyed_finds_the_orders_holding_a_kind_of_event(ledger):
    for o in ("o1", "o2", "o3"):
        ledger.append(o, [seed_order(o)], expected_version=0)
    wrong = WrongCurrencyPayment(at=AT + 5, ref="ch-9", amount=2510, currency="EUR")
    ledger.append("o3", [wrong, paid("wrong-currency")], expected_version=1)  # a look-alike ref
    ledger.append("o1", [paid("p-1")], expected_version=1)
    ledger.append(
        "o2",
        [WrongCurrencyPayment(at=AT, ref="ch-1", amount=1, currency="USD")],
        expected_version=1,
    )
    assert ledger.streams_keyed("wrong-currency") == ["o2", "o3"]
    assert ledger.streams_keyed("payment") == ["o1", "o3"]
    assert ledger.streams_keyed("refund-settled") == []


def test_reading_an_unknown_order_is_an_error(ledger):
    with pytest.raises(UnknownOrderError, match="no order 'o9'"):
        ledger.read("o9")


def test_a_stale_writer_gets_a_conflict_and_nothing_is_appended(ledger):
    ledger.append("o1", [seed_order()], expected_version=0)
    ledger.append("o1", [paid("p1")], expected_version=1)
    with pytest.raises(LedgerConflictError, match="at version 2, the writer expected 1"):
        ledger.append("o1", [paid("p2"), OrderFulfilled(at=AT)], expected_version=1)
    assert ledger.version("o1") == 2
    assert ledger.find_payment("p2") is None
    # Re-read and retry: the second payment is a fact and is kept (it will show as overpaid).
    assert ledger.append("o1", [paid("p2")], expected_version=2).version == 3


def test_creating_an_order_twice_conflicts_unless_it_is_the_same_order(ledger):
    ledger.append("o1", [seed_order()], expected_version=0)
    again = ledger.append("o1", [seed_order(at=AT + 5)], expected_version=0)
    assert again.already_recorded and again.already[0].event.at == AT
    other = OrderCreated(
        at=AT,
        order="o1",
        currency="EUR",
        subtotal=2400,
        discount=210,
        tax=320,
        total=2510,
        codes=("P875",),
        lines=(KIT,),
    )
    with pytest.raises(IdempotencyConflictError, match="currency 'GBP', now 'EUR'"):
        ledger.append("o1", [other], expected_version=0)


def test_expected_version_none_appends_at_the_end(ledger):
    ledger.append("o1", [seed_order()], expected_version=None)
    r = ledger.append("o1", [paid("p1")], expected_version=None)
    assert r.version == 2 and r.recorded[0].version == 2


def test_append_once_records_a_payment_once_and_reports_a_replay(ledger):
    ledger.append("o1", [seed_order()], expected_version=0)
    first = ledger.append_once("o1", paid("pay_1", at=AT + 10))
    assert not first.already_recorded and first.version == 2
    replay = ledger.append_once("o1", paid("pay_1", at=AT + 99))  # redelivered later
    assert replay.already_recorded and replay.version == 2 and replay.recorded == ()
    assert replay.already == first.recorded  # the payment as first recorded, first `at`
    assert [e.type for e in ledger.events("o1")] == ["order-created", "payment-recorded"]


def test_an_already_recorded_event_is_a_no_op_whatever_the_expected_version(ledger):
    ledger.append("o1", [seed_order()], expected_version=0)
    ledger.append("o1", [paid("pay_1"), OrderFulfilled(at=AT)], expected_version=1)
    # A writer that read version 1 retries its payment: no conflict, no second payment.
    retry = ledger.append("o1", [paid("pay_1")], expected_version=1)
    assert retry.already_recorded and ledger.version("o1") == 3


def test_the_same_key_with_different_fields_is_refused(ledger):
    ledger.append("o1", [seed_order()], expected_version=0)
    ledger.append_once("o1", paid("pay_1", 2510))
    with pytest.raises(IdempotencyConflictError, match="amount 2510, now 2500") as e:
        ledger.append_once("o1", paid("pay_1", 2500))
    assert "nothing was appended" in str(e.value)
    assert ledger.version("o1") == 2 and ledger.find_payment("pay_1").event.amount == 2510


def test_a_payment_ref_cannot_pay_two_orders(ledger):
    ledger.append("o1", [seed_order("o1")], expected_version=0)
    ledger.append("o2", [seed_order("o2")], expected_version=0)
    ledger.append_once("o1", paid("pay_1"))
    with pytest.raises(IdempotencyConflictError, match="order 'o1', now 'o2'"):
        ledger.append_once("o2", paid("pay_1"))
    assert ledger.version("o2") == 1


def test_refund_ids_are_scoped_by_order(ledger):
    for order in ("o1", "o2"):
        ledger.append(order, [seed_order(order), paid(f"pay_{order}")], expected_version=0)
        r = ledger.append_once(order, RefundRequested(at=AT, refund="r1", amount=510))
        assert not r.already_recorded
    with pytest.raises(IdempotencyConflictError, match="amount 510, now 500"):
        ledger.append_once("o1", RefundRequested(at=AT, refund="r1", amount=500))


def test_a_batch_is_all_or_nothing(ledger):
    ledger.append("o1", [seed_order(), paid("pay_1")], expected_version=0)
    with pytest.raises(IdempotencyConflictError):
        ledger.append("o1", [OrderFulfilled(at=AT), paid("pay_1", 1)], expected_version=2)
    assert ledger.version("o1") == 2
    # A batch mixing a recorded event and a new one writes only the new one.
    r = ledger.append("o1", [paid("pay_1"), OrderFulfilled(at=AT)], expected_version=2)
    assert [x.event.type for x in r.recorded] == ["order-fulfilled"]
    assert [x.event.type for x in r.already] == ["payment-recorded"]
    assert not r.already_recorded


def test_one_batch_with_a_key_twice(ledger):
    ledger.append("o1", [seed_order()], expected_version=0)
    r = ledger.append("o1", [paid("p"), paid("p", at=AT + 50)], expected_version=1)
    assert len(r.recorded) == 1 and r.version == 2
    with pytest.raises(IdempotencyConflictError, match="two different events"):
        ledger.append("o1", [paid("q"), paid("q", 1)], expected_version=2)


def test_a_stream_must_begin_with_its_order(ledger):
    with pytest.raises(UnknownOrderError, match="must begin with order-created, got payment"):
        ledger.append_once("o1", paid("pay_1"))
    with pytest.raises(InvalidStreamError, match="order 'o2' appended to stream 'o1'"):
        ledger.append("o1", [seed_order("o2")], expected_version=0)
    assert ledger.streams() == []


@pytest.mark.parametrize(
    "events, expected, error",
    [
        ([], 0, "non-empty sequence"),
        (paid("p"), 0, "non-empty sequence"),
        (["payment"], 0, "not a ledger event"),
        ([paid("p")], -1, "expected_version must be an int >= 0"),
    ],
)
def test_bad_append_arguments(ledger, events, expected, error):
    with pytest.raises(InvalidEventError, match=error):
        ledger.append("o1", events, expected_version=expected)


def test_find_by_key_and_read_all(ledger):
    ledger.append("o2", [seed_order("o2"), paid("p2")], expected_version=0)
    ledger.append("o1", [seed_order("o1")], expected_version=0)
    assert ledger.find_payment("p2").stream == "o2"
    assert ledger.find(paid("p2").key("o2")).version == 2
    assert ledger.find_payment("nope") is None
    grouped = [(s, [r.version for r in recs]) for s, recs in ledger.read_all()]
    assert grouped == [("o1", [1]), ("o2", [1, 2])]


# -- SQLite only -----------------------------------------------------------------------------
def test_sqlite_keeps_the_ledger_across_reopening(tmp_path):
    path = tmp_path / "shop.db"
    with SQLiteLedger(path) as first:
        first.append("o1", ALL_KINDS, expected_version=0)
    with SQLiteLedger(path) as again:
        assert again.events("o1") == tuple(ALL_KINDS)
        assert again.append_once("o1", paid("pay_1")).already_recorded


def test_sqlite_shares_a_file_with_the_flow_store(tmp_path):
    from flowhost.sqlite_store import SQLiteStore

    path = tmp_path / "shop.db"
    flows = SQLiteStore(path)
    with SQLiteLedger(path) as ledger:
        ledger.append("o1", [seed_order()], expected_version=0)
    flows.close()
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"ledger_meta", "ledger_events", "flows", "flow_steps"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT stream, version, type, at FROM ledger_events").fetchall() == [
        ("o1", 1, "order-created", AT)
    ]
    db.close()


def test_two_connections_racing_for_one_stream(tmp_path):
    path = tmp_path / "shop.db"
    a, b = SQLiteLedger(path), SQLiteLedger(path)
    a.append("o1", [seed_order()], expected_version=0)
    seen_a, seen_b = a.version("o1"), b.version("o1")  # both read version 1
    a.append("o1", [paid("pay_a")], expected_version=seen_a)
    with pytest.raises(LedgerConflictError):
        b.append("o1", [paid("pay_b")], expected_version=seen_b)
    assert [e.type for e in b.events("o1")] == ["order-created", "payment-recorded"]
    b.append("o1", [paid("pay_b")], expected_version=b.version("o1"))  # re-read, retry
    assert [getattr(e, "ref", None) for e in a.events("o1")] == [None, "pay_a", "pay_b"]
    a.close()
    b.close()


def _racing_writer(path: Path, w: int, start: float, replay: bool) -> None:
    """Append 40 payments (each twice when `replay`), re-reading after every conflict."""
    while time.time() < start:  # all writers start together
        pass
    ledger = SQLiteLedger(path)
    for i in range(40):
        for _ in range(2 if replay else 1):
            while True:
                version = ledger.version("o1")
                try:
                    ledger.append("o1", [paid(f"w{w}-{i}", 1)], expected_version=version)
                    break
                except LedgerConflictError:
                    continue
    ledger.close()


@pytest.mark.parametrize("replay", [False, True], ids=["distinct", "replayed"])
def test_writers_in_several_processes_lose_nothing_and_record_nothing_twice(tmp_path, replay):
    path = tmp_path / "shop.db"
    with SQLiteLedger(path) as setup:
        setup.append("o1", [seed_order()], expected_version=0)
    ctx = multiprocessing.get_context("fork")
    start = time.time() + 0.3
    procs = [ctx.Process(target=_racing_writer, args=(path, w, start, replay)) for w in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 6  # no writer died of anything but a conflict
    with SQLiteLedger(path) as ledger:
        recs = ledger.read("o1")
        assert [r.version for r in recs] == list(range(1, 242))
        refs = sorted(r.event.ref for r in recs[1:])
        assert refs == sorted(f"w{w}-{i}" for w in range(6) for i in range(40))
        assert summary_of(ledger, "o1").paid == 240


def test_sqlite_errors_become_ledger_store_errors(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, just some bytes" * 100)
    with pytest.raises(LedgerStoreError, match="junk.db: cannot open the ledger"):
        SQLiteLedger(junk)
    closed = SQLiteLedger(tmp_path / "shop.db")
    closed.close()
    with pytest.raises(LedgerStoreError):
        closed.streams()
    with pytest.raises(LedgerStoreError):
        closed.append("o1", [seed_order()], expected_version=0)
    assert issubclass(LedgerStoreError, CommerceError)


def test_a_ledger_of_another_schema_version_is_refused(tmp_path):
    path = tmp_path / "shop.db"
    SQLiteLedger(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE ledger_meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    with pytest.raises(LedgerStoreError, match="ledger schema 99, this version reads 1"):
        SQLiteLedger(path)


def test_a_corrupt_stored_event_is_reported_not_guessed(tmp_path):
    path = tmp_path / "shop.db"
    with SQLiteLedger(path) as ledger:
        ledger.append("o1", [seed_order(), paid("p")], expected_version=0)
    db = sqlite3.connect(path)
    bad = '{"type":"payment-recorded","at":1,"ref":"p","amount":-5}'
    db.execute("UPDATE ledger_events SET data = ? WHERE version = 2", (bad,))
    db.commit()
    db.close()
    with SQLiteLedger(path) as ledger, pytest.raises(EventFormatError, match="amount must be > 0"):
        ledger.read("o1")


# -- projections -----------------------------------------------------------------------------
def test_the_summary_follows_the_lifecycle():
    events = list(ALL_KINDS[:1])
    assert summarize(events).status == "created"
    steps = [
        (ALL_KINDS[1], "reserved", 0, "unpaid"),
        (ALL_KINDS[2], "paid", 2510, "ok"),
        (ALL_KINDS[3], "fulfilled", 2510, "ok"),
    ]
    for event, status, paid_so_far, recon in steps:
        events.append(event)
        s = summarize(events)
        assert (s.status, s.paid, s.recon) == (status, paid_so_far, recon)
    assert s.outstanding == 0 and s.payments == ("pay_1",) and s.version == 4
    assert s.reserved == ALL_KINDS[1].lines and summarize(ALL_KINDS[:1]).reserved == ()
    assert (s.created_at, s.updated_at) == (AT, AT + 20)
    assert (s.subtotal, s.discount, s.tax, s.total, s.codes) == (2400, 210, 320, 2510, ("P875",))


def test_only_a_settled_refund_moves_the_books():
    base = [seed_order(), paid("pay_1"), OrderFulfilled(at=AT)]
    ask = RefundRequested(at=AT, refund="r1", amount=510)

    def view(*events):
        s = summarize([*base, *events])
        return s.refunded, s.net, s.recon, s.refund_status, s.is_mismatch

    assert view(ask) == (0, 2510, "ok", "pending", False)
    assert summarize([*base, ask]).open_refunds() == ("r1",)
    assert view(ask, RefundRejected(at=AT, refund="r1")) == (0, 2510, "ok", "rejected", False)
    settled = RefundSettled(at=AT, refund="r1", amount=510)
    assert view(ask, settled) == (510, 2000, "refunded", "partially-refunded", False)
    # A rejection recorded after the money moved does not undo the refund.
    assert view(ask, settled, RefundRejected(at=AT, refund="r1"))[:3] == (510, 2000, "refunded")
    s = summarize([*base, ask, settled])
    assert (s.paid, s.status, s.discrepancy, s.refunds[0].state) == (
        2510,
        "fulfilled",
        -510,
        "settled",
    )
    full = RefundSettled(at=AT, refund="r1", amount=2510)
    assert view(full) == (2510, 0, "refunded", "refunded", False)


@pytest.mark.parametrize(
    "payments, recon",
    [
        ((), "unpaid"),
        ((2510,), "ok"),
        ((1000,), "underpaid"),
        ((2510, 2510), "overpaid"),
        ((2000, 510), "ok"),
    ],
)
def test_recon_status_compares_net_with_total(payments, recon):
    events = [seed_order(), *(paid(f"p{i}", a) for i, a in enumerate(payments))]
    s = summarize(events)
    assert s.paid == sum(payments) and s.recon == recon
    assert s.outstanding == max(2510 - sum(payments), 0)


def test_a_zero_total_order_is_settled_with_nothing_paid():
    free = OrderCreated(
        at=AT,
        order="free",
        currency="GBP",
        subtotal=500,
        discount=500,
        tax=0,
        total=0,
        lines=(OrderLine(sku="PEN", qty=1, unit=500, extended=500, tax=0),),
    )
    assert summarize([free]).recon == "ok"


def test_a_fold_needs_its_order_first():
    with pytest.raises(InvalidStreamError, match="begin with order-created, got payment"):
        summarize([paid("p")])
    with pytest.raises(InvalidStreamError, match="got nothing"):
        summarize([])
    with pytest.raises(InvalidStreamError, match="second order-created"):
        summarize([seed_order(), seed_order()])


def test_summaries_read_the_whole_ledger(ledger):
    ledger.append("o2", [seed_order("o2"), paid("a"), paid("b")], expected_version=0)
    ledger.append("o1", [seed_order("o1"), paid("c")], expected_version=0)
    assert [(s.order, s.recon) for s in summaries(ledger)] == [("o1", "ok"), ("o2", "overpaid")]
    assert summary_of(ledger, "o2").to_json()["payments"] == ["a", "b"]
    with pytest.raises(UnknownOrderError):
        summary_of(ledger, "o3")


def test_paths_are_accepted_as_str_and_path(tmp_path):
    with SQLiteLedger(str(tmp_path / "a.db")) as a, SQLiteLedger(Path(tmp_path / "b.db")) as b:
        assert a.streams() == b.streams() == []
