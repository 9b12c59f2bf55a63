"""`commerce worker --db DB`: answer pending flow requests (and due timers) until stopped.

SIGTERM or Ctrl-C stops it cleanly: the step under way finishes (a second signal abandons
it instead: its transaction rolls back, nothing of it is kept), and the worker exits 0
with one line saying what it did.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from flowhost import FlowError
from flowhost.db import is_database_url

from ..errors import CommerceError


class _Stop:
    """The first SIGTERM/SIGINT asks to stop after the current step; a second abandons it."""

    def __init__(self) -> None:
        self.signal: str | None = None

    def __call__(self) -> bool:
        return self.signal is not None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is not None:
            raise KeyboardInterrupt  # abandon the step: its transaction rolls back
        self.signal = signal.Signals(signum).name

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self.handle)
        signal.signal(signal.SIGINT, self.handle)


@click.command("worker")
@click.option(
    "--db",
    "db",
    metavar="PATH|URL",
    required=True,
    envvar="COMMERCE_DB",
    show_envvar=True,
    help="The SQLite file or postgresql:// URL holding flows, ledger and stock.",
)
@click.option(
    "--shop",
    "shop_file",
    metavar="SHOP.json",
    type=click.Path(exists=True, dir_okay=False),
    help="The shop (its stock): needed to answer reserve requests; without it they are "
    "left to a worker that has it.",
)
@click.option("--once", is_flag=True, help="Answer what is pending now, then exit.")
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Exit after this long with nothing to do (default: run until stopped).",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Requests claimed and answered per transaction.",
)
@click.option(
    "--poll",
    type=click.FloatRange(0.01, 60),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest idle wait between two looks for work (PostgreSQL wakes at once on NOTIFY).",
)
def worker_command(
    db: str,
    shop_file: str | None,
    once: bool,
    idle_timeout: float | None,
    batch: int,
    poll: float,
) -> None:
    """Answer the flow requests services left pending (a crash between two steps of a
    settle leaves an order waiting on fulfil) and, once the engine has timers, due timers.

    Run as many as you like, on one SQLite file or on a PostgreSQL server from many
    machines: work is claimed with row locks (FOR UPDATE SKIP LOCKED on PostgreSQL; the
    write lock on SQLite), so no step is done twice. Idle, it waits on LISTEN/NOTIFY
    (PostgreSQL) or polls every --poll seconds (SQLite). SIGTERM or Ctrl-C stops it after
    the current step (a second one abandons the step, rolled back); it exits 0 with one line.

    \b
    Example:
      commerce worker --db shop.db --shop examples/shop.json --once
      commerce worker --db postgresql://shop@db.internal/shop --shop shop.json --batch 10
    """
    from ..orders.engine import Engine
    from ..orders.worker import Worker
    from ..pricing.files import load_shop

    if not is_database_url(db) and not Path(db).exists():
        raise click.ClickException(f"{db}: no such database")
    stop = _Stop()
    stop.install()
    try:
        shop = load_shop(shop_file) if shop_file else None
        engine = Engine.open(db, shop)
        worker = Worker(engine, batch=batch, poll=poll, errors=sys.stderr)
    except (CommerceError, FlowError) as e:
        raise click.ClickException(str(e)) from e
    served = ", ".join(worker.kinds) or "nothing (no handler here)"
    click.echo(f"worker: answering {served} on {engine.db.name}", err=True)
    why = "stopped"
    try:
        why = worker.run(once=once, idle_timeout=idle_timeout, stop=stop)
        if stop.signal:
            why = f"stopped by {stop.signal}"
    except KeyboardInterrupt:
        why = f"stopped by a second {stop.signal or 'SIGINT'}: the step under way was rolled back"
    except (CommerceError, FlowError) as e:
        raise click.ClickException(f"worker: {e} ({worker.tally.describe()})") from e
    finally:
        worker.close()
        engine.close()
    click.echo(f"worker: {worker.tally.describe()}; {why}")
