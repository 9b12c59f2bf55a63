"""`commerce demo` and `commerce orders list|show|settle|cancel|refund|recon` (click).

Thin: open the engine on --db, call the services, print a table or JSON. A mistake is one
readable line and exit status 1 (usage mistakes: 2).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from flowhost import FlowError
from flowhost.db import is_database_url

from ..errors import CommerceError
from ..ledger.projections import RECON_STATUSES, STATUSES, summaries, summary_of
from ..ledger.recon import mismatch_report, needs_refund_orders, status_counts
from ..orders.engine import Engine
from .amounts import AMOUNT, AmountCommand
from .order_views import refund_rows, refunds_text, show_text
from .views import table


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (CommerceError, FlowError) as e:
            raise click.ClickException(str(e)) from e

    return run


def _engine(db: str) -> Engine:
    if not is_database_url(db) and not Path(db).exists():
        raise click.ClickException(f"{db}: no such database")
    return Engine.open(db)


DB = click.option(
    "--db",
    "db",
    metavar="PATH",
    required=True,
    envvar="COMMERCE_DB",
    show_envvar=True,
    help="The SQLite file (or postgresql:// URL) holding flows and ledger.",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.command("demo")
@click.option(
    "--db",
    "db",
    metavar="PATH",
    help="Keep the story's database here (default: a temporary directory).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="When --db already holds the story, delete it and tell the story afresh.",
)
@_reports_errors
def demo_command(db: str | None, replace: bool) -> None:
    """Tell one order's story end to end: quote, order flow, payment, restart, refund.

    A --db file that already holds the story is refused unless --replace is given.

    \b
    Example:
      commerce demo
      commerce demo --db /tmp/demo.db --replace && flowhost list --store /tmp/demo.db
    """
    from .demo import main

    sys.exit(main(db, sys.stdout, replace))


@click.group("orders")
def orders_group() -> None:
    """Operate on orders: list, show, refunds, settle, refund, recon.

    The database is --db PATH or $COMMERCE_DB.

    \b
    Example:
      commerce orders list --db shop.db
      commerce orders settle o-1001 pay_7Hq2 6550 --db shop.db
    """


def _waiting(engine: Engine, order: str) -> str:
    return engine.orders.waiting_on(order) or ""


@orders_group.command("list")
@DB
@click.option("--status", type=click.Choice(STATUSES), help="Only orders with this status.")
@click.option("--recon", type=click.Choice(RECON_STATUSES), help="Only orders that reconcile so.")
@click.option("--after", metavar="ORDER", help="Only orders whose id sorts after ORDER (paging).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N orders (paging).")
@JSON
@_reports_errors
def list_command(
    db: str,
    status: str | None,
    recon: str | None,
    after: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Every order, by id: status, total, paid, refunded, net, recon, what its flow waits
    on. The filters and the page (--after the last id shown, --limit) are applied in the
    database, on the ledger's summary rows.

    \b
    Example:
      commerce orders list --db shop.db --json
      commerce orders list --db shop.db --status reserved
      commerce orders list --db shop.db --limit 50 --after o-1050
    """
    engine = _engine(db)
    rows = summaries(engine.ledger, status, recon=recon, after=after, limit=limit)
    if as_json:
        click.echo(
            json.dumps(
                [s.to_json() | {"waiting_on": _waiting(engine, s.order) or None} for s in rows],
                indent=2,
            )
        )
        return
    if not rows:
        click.echo("no orders")
        return
    head: list[object] = [
        "order",
        "status",
        "total",
        "paid",
        "refunded",
        "net",
        "recon",
        "waiting on",
    ]
    click.echo(
        "\n".join(
            table(
                [head]
                + [
                    [
                        s.order,
                        s.status,
                        s.total,
                        s.paid,
                        s.refunded,
                        s.net,
                        s.recon,
                        _waiting(engine, s.order),
                    ]
                    for s in rows
                ],
                indent="",
            )
        )
    )


@orders_group.command("show")
@click.argument("order")
@DB
@JSON
@_reports_errors
def show_command(order: str, db: str, as_json: bool) -> None:
    """One order: its totals, the books, its flow and every ledger event.

    \b
    Example:
      commerce orders show o-1001 --db shop.db
    """
    engine = _engine(db)
    s = summary_of(engine.ledger, order)
    if as_json:
        click.echo(
            json.dumps(
                s.to_json()
                | {
                    "flow": engine.orders.flow_of(order),
                    "waiting_on": _waiting(engine, order) or None,
                    "events": [r.event.to_json() for r in engine.ledger.read(order)],
                },
                indent=2,
            )
        )
        return
    click.echo(show_text(engine, s))


@orders_group.command("refunds")
@DB
@click.option("--pending", is_flag=True, help="Only refunds still waiting on approval or payment.")
@JSON
@_reports_errors
def refunds_command(db: str, pending: bool, as_json: bool) -> None:
    """Every refund of every order: amounts, stage, what its flow waits on.

    \b
    Example:
      commerce orders refunds --db shop.db --pending
    """
    engine = _engine(db)
    rows = refund_rows(engine, summaries(engine.ledger), pending)
    click.echo(json.dumps(rows, indent=2) if as_json else refunds_text(rows, pending))


@orders_group.command("settle", cls=AmountCommand)
@click.argument("order")
@click.argument("ref")
@click.argument("amount", type=AMOUNT)
@DB
@JSON
@_reports_errors
def settle_command(order: str, ref: str, amount: int, db: str, as_json: bool) -> None:
    """Record payment REF of AMOUNT for ORDER (the payment webhook); idempotent per REF.

    AMOUNT is a positive integer of minor units (pence: 6550 for 65.50).

    \b
    Example:
      commerce orders settle o-1001 pay_7Hq2 6550 --db shop.db
    """
    engine = _engine(db)
    r = engine.orders.settle(order, ref, amount)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "order": order,
                    "ref": ref,
                    "outcome": r.outcome,
                    "recorded": r.recorded,
                    "summary": r.summary.to_json(),
                },
                indent=2,
            )
        )
        return
    click.echo(
        f"{order}: {r.outcome} (paid {r.summary.paid} of {r.summary.total}, {r.summary.recon})"
    )


@orders_group.command("cancel")
@click.argument("order")
@DB
@JSON
@_reports_errors
def cancel_command(order: str, db: str, as_json: bool) -> None:
    """Cancel ORDER, not yet paid: OrderCancelled is recorded, its flow gives its stock
    back and ends cancelled. Cancelling a cancelled order again changes nothing.

    \b
    Example:
      commerce orders cancel o-1001 --db shop.db
    """
    s = _engine(db).orders.cancel(order)
    if as_json:
        click.echo(json.dumps(s.to_json(), indent=2))
    else:
        click.echo(f"{order}: {s.status}; stock released")


@orders_group.group("refund")
def refund_group() -> None:
    """Refunds: request, then approve or reject, then settle.

    \b
    Example:
      commerce orders refund request o-1001 r-1 1500 --db shop.db
      commerce orders refund approve o-1001 r-1 --db shop.db
      commerce orders refund settle o-1001 r-1 --db shop.db
    """


def _refund_step(name: str, doc: str, with_amount: bool = False) -> None:
    def command(order: str, refund: str, db: str, as_json: bool, amount: int | None = None) -> None:
        engine = _engine(db)
        service = engine.refunds
        state = (
            service.request(order, refund, amount)
            if with_amount  # type: ignore[arg-type]
            else getattr(service, name)(order, refund)
        )
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "order": order,
                        "refund": refund,
                        "amount": state.amount,
                        "state": state.stage,
                        "waiting_on": state.waiting_on,
                        "summary": state.summary.to_json(),
                    },
                    indent=2,
                )
            )
            return
        waiting = f", waiting on {state.waiting_on}" if state.waiting_on else ""
        click.echo(f"{order} refund {refund} ({state.amount}): {state.stage}{waiting}")

    command.__doc__ = doc
    decorated: Any = _reports_errors(command)
    decorated = JSON(decorated)
    decorated = DB(decorated)
    if with_amount:
        decorated = click.argument("amount", type=AMOUNT)(decorated)
    decorated = click.argument("refund")(decorated)
    decorated = click.argument("order")(decorated)
    refund_group.command(name, cls=AmountCommand)(decorated)


_refund_step(
    "request",
    """Ask to refund AMOUNT of ORDER as REFUND; its flow waits on approval.

    AMOUNT is a positive integer of minor units (pence: 1500 for 15.00).

    \b
    Example:
      commerce orders refund request o-1001 r-1 1500 --db shop.db
    """,
    with_amount=True,
)
_refund_step(
    "approve",
    """Approve refund REFUND of ORDER; its flow waits on settlement.

    \b
    Example:
      commerce orders refund approve o-1001 r-1 --db shop.db
    """,
)
_refund_step(
    "reject",
    """Reject refund REFUND of ORDER while it waits on approval.

    \b
    Example:
      commerce orders refund reject o-1001 r-1 --db shop.db
    """,
)
_refund_step(
    "settle",
    """Record that refund REFUND of ORDER was paid back; the books move.

    \b
    Example:
      commerce orders refund settle o-1001 r-1 --db shop.db
    """,
)


@orders_group.command("recon")
@DB
@JSON
@_reports_errors
def recon_command(db: str, as_json: bool) -> None:
    """Reconcile every order: counts by status, the mismatch report, and each order that
    needs action (paid but not fulfilled and not moving; a wrong-currency charge).

    \b
    Example:
      commerce orders recon --db shop.db
    """
    engine = _engine(db)
    book = engine.recon()
    counts = status_counts(book)
    report = mismatch_report(book)
    action = engine.needs_action(book)
    if as_json:
        data = {"counts": counts, "mismatches": [m.to_json() for m in report]}
        data["needs_action"] = [a.to_json() for a in action]
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(", ".join(f"{n} {st}" for st, n in counts.items()))
    owed = needs_refund_orders(book)
    if owed:  # expired or cancelled orders that received money: pay it back
        click.echo(f"needs refund: {', '.join(owed)}")
    for m in report:
        click.echo(m.describe())
    if not report:
        click.echo("no mismatches")
    for a in action:  # paid but not moving, or charged in the wrong currency
        click.echo(f"needs action: {a.describe()}")
