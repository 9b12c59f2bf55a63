"""Shared set-up for the web suites: an engine file with orders, signed webhook bodies,
free ports, and a real `commerce serve` process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from commerce.cli.demo import START, Clock
from commerce.orders.engine import Engine
from commerce.pricing.api import Session
from commerce.pricing.files import load_shop
from commerce.web.signature import HEADER, signature_header

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec_test_1"
TOKEN = "admin-token-test"


def big_shop(tmp: Path):
    """The example shop with plenty of stock, so a test can begin many orders."""
    doc = json.loads((ROOT / "examples" / "shop.json").read_text())
    for line in doc["stock"]:
        line["on_hand"] = 1_000_000
    path = tmp / "shop.json"
    path.write_text(json.dumps(doc))
    return load_shop(path)


def make_db(tmp: Path, n: int = 3, tea: int = 1) -> tuple[Path, dict[str, int]]:
    """An engine file with orders o-1..o-n waiting on payment; returns (db, {order: total})."""
    shop = big_shop(tmp)
    db = tmp / "shop.db"
    e = Engine.open(db, shop, clock=Clock())
    totals = {}
    try:
        for i in range(1, n + 1):
            s = Session(shop, jurisdiction="UK", at=START)
            s.add("TEA", tea)
            q = e.quote(s.cart, jurisdiction="UK", at=START)
            e.orders.begin(f"o-{i}", s.cart, q)
            totals[f"o-{i}"] = q.total
    finally:
        e.close()
    return db, totals


def event(
    event_id: str,
    order: str,
    amount: int,
    *,
    ref: str | None = None,
    type: str = "payment.succeeded",
    currency: str = "GBP",
) -> bytes:
    """A webhook body."""
    data: dict[str, Any] = {"order": order, "amount": amount, "currency": currency}
    if type == "refund.succeeded":
        data = {"order": order, "refund": ref}
    else:
        data["ref"] = ref or f"pay_{event_id}"
    return json.dumps({"id": event_id, "type": type, "data": data}).encode()


def signed(body: bytes, *, secrets: tuple[str, ...] = (SECRET,), t: int | None = None) -> dict:
    """Headers signing `body` now (or at `t`) with each of `secrets`."""
    when = int(time.time()) if t is None else t
    return {HEADER: signature_header(secrets, when, body), "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`commerce serve` in a child process on 127.0.0.1 (a context manager)."""

    def __init__(self, db: Path, *extra: str, env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "commerce", "serve", "--db", str(db)]
        self.args += ["--port", str(self.port), *extra]
        self.env = (
            os.environ
            | {
                "COMMERCE_WEBHOOK_SECRET": SECRET,
                "COMMERCE_ADMIN_TOKEN": TOKEN,
            }
            | (env or {})
        )
        self.log = db.parent / f"serve-{self.port}.log"

    def __enter__(self) -> Server:
        self._log = open(self.log, "w")
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError(f"server did not become ready: {self.log.read_text()}")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


def db_state(db: Path) -> dict[str, list]:
    """Every row of every table in the file: compared before and after to show that a
    refused request changed nothing."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        con.close()
