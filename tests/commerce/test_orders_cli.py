"""commerce demo and commerce orders list | show | settle | refund | recon."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flowhost.pg import describe

from ..pgtest import pg_url
from .orders_fixtures import ROOT, begun, engine


def commerce(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "commerce", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_demo_runs_the_story_and_exits_0():
    r = commerce("demo")
    assert r.returncode == 0, r.stderr
    assert "9. The mismatch report" in r.stdout
    assert "no mismatches (o-1001: paid in full, then refunded)" in r.stdout


def test_demo_keeps_its_database_when_asked(tmp_path):
    db = tmp_path / "demo.db"
    assert commerce("demo", "--db", str(db)).returncode == 0
    r = commerce("orders", "list", "--db", str(db))
    assert r.stdout.splitlines() == [
        "order   status     total  paid  refunded  net   recon     waiting on",
        "o-1001  fulfilled   6550  6550      1500  5050  refunded",
    ]


@pytest.fixture
def shop_db(tmp_path):
    db = tmp_path / "shop.db"
    e = engine(db)
    _, q = begun(e, "o-1")
    begun(e, "o-2", tea=2, gold=0, book=0)
    e.orders.settle("o-1", "pay_1", q.total)
    e.close()
    return db


def test_orders_list_and_json(shop_db):
    r = commerce("orders", "list", "--db", str(shop_db))
    assert r.stdout.splitlines()[1:] == [
        "o-1    fulfilled   6550  6550         0  6550  ok",
        "o-2    reserved     900     0         0     0  unpaid  payment",
    ]
    data = json.loads(commerce("orders", "list", "--db", str(shop_db), "--json").stdout)
    assert [(d["order"], d["waiting_on"]) for d in data] == [("o-1", None), ("o-2", "payment")]


def test_orders_show(shop_db):
    r = commerce("orders", "show", "o-2", "--db", str(shop_db))
    lines = r.stdout.splitlines()
    assert lines[:4] == [
        "order o-2 (GBP)",
        "status:  reserved",
        "totals:  subtotal 900, discount 0, tax 0, total 900",
        "books:   paid 0, refunded 0, net 0 -> unpaid",
    ]
    assert lines[4] == "flow:    2 suspended, waiting on payment"
    data = json.loads(commerce("orders", "show", "o-1", "--db", str(shop_db), "--json").stdout)
    assert [ev["type"] for ev in data["events"]] == [
        "order-created",
        "stock-reserved",
        "payment-recorded",
        "order-fulfilled",
    ]


def test_orders_settle_and_the_replayed_webhook(shop_db):
    r = commerce("orders", "settle", "o-2", "pay_2", "900", "--db", str(shop_db))
    assert r.stdout == "o-2: settled (paid 900 of 900, ok)\n"
    r = commerce("orders", "settle", "o-2", "pay_2", "900", "--db", str(shop_db))
    assert r.stdout == "o-2: already-settled (paid 900 of 900, ok)\n"


def test_orders_refund_steps_and_recon(shop_db):
    db = str(shop_db)
    assert (
        commerce("orders", "refund", "request", "o-1", "r-1", "550", "--db", db).stdout
        == "o-1 refund r-1 (550): requested, waiting on approve\n"
    )
    assert (
        commerce("orders", "refund", "approve", "o-1", "r-1", "--db", db).stdout
        == "o-1 refund r-1 (550): approved, waiting on settle\n"
    )
    assert (
        commerce("orders", "refund", "settle", "o-1", "r-1", "--db", db).stdout
        == "o-1 refund r-1 (550): settled\n"
    )
    r = commerce("orders", "recon", "--db", db)
    assert r.stdout.splitlines() == [
        "0 ok, 1 refunded, 1 unpaid, 0 underpaid, 0 overpaid, 0 needs-refund",
        "no mismatches",
    ]
    data = json.loads(commerce("orders", "recon", "--db", db, "--json").stdout)
    assert data["counts"] == {
        "ok": 0,
        "refunded": 1,
        "unpaid": 1,
        "underpaid": 0,
        "overpaid": 0,
        "needs-refund": 0,
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["orders", "list", "--db", "missing.db"], 1, "missing.db: no such database"),
        (["orders", "show", "o-9", "--db", "{db}"], 1, "no order 'o-9'"),
        (["orders", "settle", "o-1", "pay_1", "1", "--db", "{db}"], 1, "pay_1"),
        (
            ["orders", "refund", "request", "o-2", "r-1", "10", "--db", "{db}"],
            1,
            "nothing paid to refund",
        ),
        (
            ["orders", "settle", "o-1", "pay_1", "ten", "--db", "{db}"],
            2,
            "must be a whole number of minor units",
        ),
        (["orders", "list"], 2, "Missing option '--db'"),
    ],
)
def test_errors_are_one_line(shop_db, args, code, message):
    r = commerce(*[a.replace("{db}", str(shop_db)) for a in args])
    assert r.returncode == code
    assert message in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["orders", "list"],
        ["orders", "show"],
        ["orders", "settle"],
        ["orders", "refund", "request"],
        ["orders", "refund", "approve"],
        ["orders", "recon"],
    ],
)
def test_help_shows_an_example(command):
    r = commerce(*command, "--help")
    assert r.returncode == 0 and "Example:" in r.stdout


def test_demo_on_postgresql_tells_the_same_story_as_on_sqlite(tmp_path):
    url = pg_url()
    lite = commerce("demo", "--db", str(tmp_path / "demo.db"))
    pg = commerce("demo", "--db", url)
    assert pg.returncode == 0, pg.stderr
    assert lite.returncode == 0, lite.stderr
    first, *story = pg.stdout.splitlines()
    assert first == f"commerce demo — flows and ledger in {describe(url)}"
    assert story == lite.stdout.splitlines()[1:]
    assert "no mismatches (o-1001: paid in full, then refunded)" in pg.stdout
    r = commerce("orders", "list", "--db", url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "order   status     total  paid  refunded  net   recon     waiting on",
        "o-1001  fulfilled   6550  6550      1500  5050  refunded",
    ]


def test_orders_list_pages_and_filters(shop_db):
    e = engine(shop_db)
    begun(e, "o-3", tea=1, gold=0, book=0)
    e.close()

    def ids(*args: str) -> list[str]:
        r = commerce("orders", "list", "--db", str(shop_db), "--json", *args)
        assert r.returncode == 0, r.stderr
        return [d["order"] for d in json.loads(r.stdout)]

    assert ids("--limit", "2") == ["o-1", "o-2"]
    assert ids("--limit", "2", "--after", "o-2") == ["o-3"]
    assert ids("--status", "reserved", "--limit", "1") == ["o-2"]
    assert ids("--status", "reserved", "--after", "o-2") == ["o-3"]
    assert ids("--recon", "ok") == ["o-1"]
    r = commerce("orders", "list", "--db", str(shop_db), "--limit", "0")
    assert r.returncode == 2 and "Traceback" not in r.stderr
