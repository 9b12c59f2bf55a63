"""Damaged rows read back as a StoreError naming table, row and column, and every CLI
prints it as one line (issue 16). A dropped table in an existing store is an error."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from commerce.cli.main import main as commerce_main
from commerce.errors import DamagedLedgerRowError, LedgerStoreError
from commerce.ledger.sqlite import SQLiteLedger
from flowhost import FlowHost
from flowhost.cli import main as flowhost_main
from flowhost.db import StoreError
from flowhost.pg_store import PostgresStore
from flowhost.rows import DamagedRowError
from flowhost.sqlite_store import SQLiteStore

from ..commerce.orders_fixtures import begun, engine
from ..pgtest import pg_url

SRC = "(defflow echo (lambda (x) (request 'echo x) (request 'echo (list x x))))"


@pytest.fixture
def flows_db(tmp_path):
    db = tmp_path / "flows.db"
    host = FlowHost.open(db)
    host.load_source(SRC)
    host.start("echo", 1)
    host.resume(1, "one")
    host.start("echo", 2)
    host.close()
    src = tmp_path / "flows"
    src.mkdir()
    (src / "echo.scm").write_text(SRC)
    return db


def damage(db, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


# (damage, what the one line must say)
ROWS = [
    (
        "UPDATE flows SET pending = '{\"kind\": ' WHERE id = 2",
        "table flows, row id=2, column pending",
    ),
    ("UPDATE flows SET pending = '[1]' WHERE id = 2", "table flows, row id=2, column pending"),
    ("UPDATE flows SET args = 'not json' WHERE id = 1", "table flows, row id=1, column args"),
    (
        "UPDATE flows SET args = '{\"$weird\": 1}' WHERE id = 1",
        "table flows, row id=1, column args",
    ),
    ("UPDATE flows SET status = 'bogus' WHERE id = 1", "table flows, row id=1, column status"),
    (
        "UPDATE flows SET flow = CAST(x'ff00' AS TEXT) WHERE id = 2",
        "table flows, row id=2, column flow: not UTF-8",
    ),
    (
        "UPDATE flow_steps SET value = '[1,' WHERE flow_id = 1",
        "table flow_steps, row flow_id=1 step=0, column value",
    ),
    (
        "UPDATE flow_steps SET payload = CAST(x'c3' AS TEXT) WHERE flow_id = 1",
        "table flow_steps, row flow_id=1 step=0, column payload: not UTF-8",
    ),
    (
        "UPDATE flow_meta SET value = 'abc' WHERE key = 'next_id'",
        "table flow_meta, row key='next_id', column value",
    ),
    (
        "UPDATE flow_meta SET value = 'x' WHERE key = 'stamp_base'",
        "table flow_meta, row key='stamp_base', column value",
    ),
    ("DROP TABLE flows", "table flows is missing"),
    ("DROP TABLE flow_steps", "table flow_steps is missing"),
]
COMMANDS = [["list"], ["export"], ["check"], ["show", "1"]]


def one_line(result, expected: str) -> None:
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # no traceback
    lines = result.stderr.splitlines()
    if not lines:  # `check` lists a flow it cannot read as a problem, on stdout
        lines = [line for line in result.stdout.splitlines() if "damaged" in line]
    assert len(lines) == 1 and expected in lines[0], result.stderr


@pytest.mark.parametrize(("sql", "expected"), ROWS, ids=[r[1] for r in ROWS])
def test_a_damaged_row_is_one_line_in_every_command(flows_db, tmp_path, sql, expected):
    damage(flows_db, sql)
    failed = []
    for cmd in COMMANDS:
        args = [*cmd, "--store", str(flows_db)]
        if cmd[0] == "check":
            args += ["--flows", str(tmp_path / "flows")]
        r = CliRunner().invoke(flowhost_main, args)
        if r.exit_code == 0:  # this command does not read the damaged cell (show 1 of row 2)
            continue
        one_line(r, expected)
        failed.append(cmd[0])
    assert "export" in failed  # export reads every row and counter


def test_a_damaged_version_floor_is_named_by_the_import_that_reads_it(flows_db):
    damage(flows_db, "UPDATE flow_meta SET value = 'x' WHERE key = 'next_version'")
    store = SQLiteStore(flows_db)
    try:
        everything = store.everything()  # (export does not read the floor)
        with pytest.raises(DamagedRowError, match="row key='next_version', column value"):
            store.replace_all(everything, store.next_id())
        assert store.everything() == everything  # nothing half-applied
    finally:
        store.close()


def test_a_damaged_row_is_a_store_error_from_the_api(flows_db):
    damage(flows_db, "UPDATE flow_steps SET value = 'oops' WHERE flow_id = 1")
    store = SQLiteStore(flows_db)
    with pytest.raises(
        DamagedRowError, match="table flow_steps, row flow_id=1 step=0, column value"
    ):
        store.steps(1)
    with pytest.raises(StoreError, match="column value"):
        list(store.flow_texts())
    store.close()


def test_a_non_numeric_next_id_never_hands_out_id_0(flows_db):
    damage(flows_db, "UPDATE flow_meta SET value = 'abc' WHERE key = 'next_id'")
    host = FlowHost.open(flows_db)
    host.load_source(SRC)
    with pytest.raises(StoreError, match="row key='next_id', column value"):
        host.start("echo", 3)
    host.close()


def test_a_new_or_empty_file_still_initializes(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    for path in (tmp_path / "new.db", tmp_path / "empty.db"):
        SQLiteStore(path).close()
        SQLiteStore(path).close()  # and opens again


def test_postgres_rows_and_tables(tmp_path):
    url = pg_url()
    host = FlowHost.open(url)
    host.load_source(SRC)
    host.start("echo", 1)
    host.store.db.execute("UPDATE flows SET args = 'nope' WHERE id = 1")
    with pytest.raises(DamagedRowError, match="table flows, row id=1, column args"):
        host.store.get(1)
    with pytest.raises(StoreError, match="column args"):
        with host.store.transaction():
            list(host.store.flow_texts())
    host.store.db.execute("DROP TABLE flow_steps")
    host.close()
    with pytest.raises(StoreError, match="table flow_steps is missing"):
        PostgresStore(url)


# -- the ledger and `commerce orders list / recon` -----------------------------------------


@pytest.fixture
def shop_db(tmp_path):
    db = tmp_path / "shop.db"
    e = engine(db)
    _, q = begun(e, "o-1")
    e.orders.settle("o-1", "pay_1", q.total)
    e.close()
    return db


LEDGER_ROWS = [
    (
        "UPDATE ledger_events SET data = '{\"type\":' WHERE position = 2",
        "table ledger_events, row position=2, column data",
    ),
    (
        "UPDATE ledger_events SET data = CAST(x'ff' AS TEXT) WHERE position = 1",
        "table ledger_events, row position=1, column data: not UTF-8",
    ),
    ("DROP TABLE ledger_events", "table ledger_events is missing"),
    ("UPDATE flows SET pending = '{' WHERE id = 1", "table flows, row id=1, column"),  # list only
]


@pytest.mark.parametrize(("sql", "expected"), LEDGER_ROWS, ids=[r[1] for r in LEDGER_ROWS])
def test_commerce_orders_list_and_recon_print_one_line(shop_db, sql, expected):
    damage(shop_db, sql)
    # list and recon read the per-order summary rows; show reads the order's events
    if "flows" in sql:
        commands = [["orders", "list"]]
    elif "DROP" in sql:
        commands = [["orders", "list"], ["orders", "recon"], ["orders", "show", "o-1"]]
    else:
        commands = [["orders", "show", "o-1"]]
    for cmd in commands:
        r = CliRunner().invoke(commerce_main, [*cmd, "--db", str(shop_db)])
        assert r.exit_code == 1, (cmd, r.output, r.exception)
        assert isinstance(r.exception, SystemExit)
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and expected in lines[0], (cmd, r.stderr)


def test_a_damaged_ledger_row_is_both_a_store_and_a_format_error(shop_db):
    damage(shop_db, "UPDATE ledger_events SET data = '[' WHERE position = 1")
    ledger = SQLiteLedger(shop_db)
    with pytest.raises(DamagedLedgerRowError) as info:
        list(ledger.read_all())
    assert isinstance(info.value, LedgerStoreError)
    ledger.close()


def test_postgres_ledger_rows_and_tables():
    from commerce.ledger.postgres import PostgresLedger

    url = pg_url()
    e = engine(url)
    begun(e, "o-1")
    e.close()
    ledger = PostgresLedger(url)
    ledger.db.execute("UPDATE ledger_events SET data = '{' WHERE stream = 'o-1'")
    with pytest.raises(DamagedLedgerRowError, match="table ledger_events, row position=1"):
        ledger.read("o-1")
    ledger.db.execute("DROP TABLE ledger_events")
    ledger.close()
    with pytest.raises(LedgerStoreError, match="table ledger_events is missing"):
        PostgresLedger(url)
