"""commerce command-line items of issue 13, through click's CliRunner (and one real
process for the early Ctrl-C)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from commerce.cli import main

from .orders_fixtures import ROOT, begun, engine


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def shop_db(tmp_path):
    db = tmp_path / "shop.db"
    e = engine(db)
    _, q = begun(e, "o-1")
    begun(e, "o-2", tea=2, gold=0, book=0)
    e.orders.settle("o-1", "pay_1", q.total)
    e.refunds.request("o-1", "r-1", 500)
    e.close()
    return db


def test_version_and_short_help() -> None:
    r = cli("--version")
    assert r.exit_code == 0 and r.output.startswith("commerce ")
    r = cli("-h")
    assert r.exit_code == 0 and "Usage: " in r.output and "orders" in r.output


def test_the_database_from_the_environment(shop_db) -> None:
    r = cli("orders", "list", env={"COMMERCE_DB": str(shop_db)})
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1].startswith("o-1")
    assert "COMMERCE_DB" in cli("orders", "list", "--help").stdout


def test_orders_list_by_status_and_recon(shop_db) -> None:
    r = cli("orders", "list", "--db", str(shop_db), "--status", "reserved")
    assert [ln.split()[0] for ln in r.stdout.splitlines()[1:]] == ["o-2"]
    r = cli("orders", "list", "--db", str(shop_db), "--recon", "ok", "--json")
    assert [d["order"] for d in json.loads(r.stdout)] == ["o-1"]
    r = cli("orders", "list", "--db", str(shop_db), "--status", "bogus")
    assert r.exit_code == 2


def test_pending_refunds_view(shop_db) -> None:
    r = cli("orders", "refunds", "--db", str(shop_db), "--pending")
    assert r.stdout.splitlines() == [
        "order  refund  requested  settled  stage      waiting on",
        "o-1    r-1           500        0  requested  approve",
    ]
    e = engine(shop_db)
    e.refunds.approve("o-1", "r-1")
    e.refunds.settle("o-1", "r-1")
    e.close()
    assert cli("orders", "refunds", "--db", str(shop_db), "--pending").stdout == (
        "no pending refunds\n"
    )
    rows = json.loads(cli("orders", "refunds", "--db", str(shop_db), "--json").stdout)
    assert rows == [
        {
            "order": "o-1",
            "refund": "r-1",
            "requested": 500,
            "settled": 500,
            "stage": "settled",
            "waiting_on": None,
        }
    ]


def test_orders_show_text_has_refunds_iso_times_and_items(shop_db) -> None:
    r = cli("orders", "show", "o-1", "--db", str(shop_db))
    text = r.stdout
    assert "refunds:\n  refund  requested  settled  stage      waiting on\n" in text
    assert "  r-1           500        0  requested  approve\n" in text
    stock = next(ln for ln in text.splitlines() if "stock-reserved" in ln)
    assert "items=TEA x4, MUG/gold x2, BOOK x1" in stock
    assert " at 20" in stock and stock.split(" at ")[1][:20].endswith("Z")
    assert "None" not in text
    assert "refunds: none" in cli("orders", "show", "o-2", "--db", str(shop_db)).stdout


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0", "must be more than 0 (minor units, pence), got 0"),
        ("65.50", "amounts are integer minor units (pence): 6550"),
        ("ten", "must be a whole number of minor units (pence), got 'ten'"),
        ("1e3", "amounts are integer minor units (pence): 100000"),
    ],
)
def test_amounts_follow_one_rule(shop_db, amount, message) -> None:
    for args in (
        ["orders", "settle", "o-2", "pay_2", amount],
        ["orders", "refund", "request", "o-1", "r-9", amount],
    ):
        r = cli(*args, "--db", str(shop_db))
        assert r.exit_code == 2
        assert message in r.stderr


def test_negative_amounts_with_and_without_the_double_dash(shop_db) -> None:
    r = cli("orders", "settle", "o-2", "pay_2", "-5", "--db", str(shop_db))
    assert r.exit_code == 2
    assert "-5: amounts must be more than 0" in r.stderr
    assert "unless it follows `--`" in r.stderr
    r = cli("orders", "settle", "--db", str(shop_db), "o-2", "pay_2", "--", "-5")
    assert r.exit_code == 2
    assert "must be more than 0 (minor units, pence), got -5" in r.stderr
    r = cli("orders", "refund", "request", "o-1", "r-9", "-1500", "--db", str(shop_db))
    assert "-1500: amounts must be more than 0" in r.stderr
    e = engine(shop_db)
    assert e.orders.summary("o-2").paid == 0  # nothing was written
    e.close()


def test_the_demo_twice_on_one_file(tmp_path) -> None:
    db = tmp_path / "demo.db"
    first = cli("demo", "--db", str(db))
    assert first.exit_code == 0, first.output
    again = cli("demo", "--db", str(db))
    assert again.exit_code == 1
    assert again.stderr == (
        f"commerce demo: {db} already holds the demo's story (order o-1001); add --replace "
        "to tell it afresh, or give another --db\n"
    )
    assert again.stdout == ""
    # the help's own example, twice
    help_text = cli("demo", "--help").stdout
    assert "commerce demo --db /tmp/demo.db --replace" in help_text
    for _ in range(2):
        r = cli("demo", "--db", str(db), "--replace")
        assert r.exit_code == 0, r.output
        assert r.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]
        assert "stock check: ok" in r.stdout


def test_deeply_nested_json_to_quote_is_one_line(tmp_path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000)
    r = cli("quote", str(deep), str(ROOT / "examples" / "cart.json"))
    assert r.exit_code == 1
    assert r.stderr == f"Error: {deep}: JSON nested too deeply to read\n"


def test_ctrl_c_early_is_a_quiet_exit_130() -> None:
    exe = Path(sys.executable).with_name("commerce")
    for delay in (0.15, 0.3, 0.6):
        p = subprocess.Popen(
            [str(exe), "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        assert "Traceback" not in err and "Aborted" not in err
        # -SIGINT: the signal came before Python could install any handler (a loaded
        # machine); a shell reports that as 130 too, and nothing was printed
        assert p.returncode in (0, 130, -signal.SIGINT), err
