"""`commerce timers run`: fire every flow timer that is due (payment expiry, sleeps).

Run it from cron or a loop in as many workers as you like: each timer fires once.
"""

from __future__ import annotations

import json

import click

from flowhost import Cancelled, Done, Failed, Suspended

from .orders import DB, JSON, _engine, _reports_errors


@click.group("timers")
def timers_group() -> None:
    """Flow timers: `run` fires the ones that are due."""


@timers_group.command("run")
@DB
@JSON
@_reports_errors
def run_command(db: str, as_json: bool) -> None:
    """Fire every timer due now: orders not paid within the shop's payment_timeout
    expire (their stock is released), and each flow fired goes on to its next request.

    \b
    Example:
      commerce timers run --db shop.db
    """
    engine = _engine(db)
    fired = engine.run_due()
    rows = []
    for r in fired:
        rec = engine.flows.record(r.id)
        state = (
            f"waiting on {r.kind}"
            if isinstance(r, Suspended)
            else "done"
            if isinstance(r, Done)
            else "cancelled"
            if isinstance(r, Cancelled)
            else f"failed: {r.message}"
            if isinstance(r, Failed)
            else "?"
        )
        rows.append({"flow": r.id, "key": rec.key, "state": state})
    if as_json:
        click.echo(json.dumps({"fired": rows}, indent=2))
        return
    for row in rows:
        click.echo(f"flow {row['flow']} ({row['key'] or 'no key'}): {row['state']}")
    click.echo(f"{len(rows)} timer{'s' if len(rows) != 1 else ''} fired")
