"""The `flowhost` command line (click). Thin: parse, call the FlowHost API, print.

User mistakes print one readable line (with the source line and a caret when there is
source) and exit 1; usage mistakes exit 2 (click's convention). Every command's --help
shows an example and every command takes --json. Options and helpers: cliutil.py.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import click

from scheme import SchemeError

from .cliutil import (
    FLOWS,
    JSON,
    OPTIONAL_STORE,
    STORE,
    default_flows,
    fail,
    guarded,
    note,
    open_host,
    paint_status,
    progress,
    version,
)
from .data import parse_value
from .errors import FlowError, NondeterminismError
from .exchange import Origin, read_export, write_export
from .files import open_atomically
from .records import STATUSES, SUSPENDED
from .views import list_json, list_table, result_json, result_text, show_json, show_text


def emit(as_json: bool, data: Any, text: str) -> None:
    """Print data as JSON, or text."""
    click.echo(json.dumps(data, indent=2) if as_json else text)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # looked up only when asked: importlib.metadata costs every other command ~30 ms
    if value and not ctx.resilient_parsing:
        click.echo(f"flowhost {version()}")
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal (or set NO_COLOR).")
@click.pass_context
def main(ctx: click.Context, no_color: bool) -> None:
    """Run, inspect and replay durable Scheme flows.

    The store is --store DB or $FLOWHOST_STORE; the flow sources are --flows DIR, else
    $FLOWHOST_FLOWS, ./flows or the project's flows/.

    \b
    Example:
      flowhost run examples/order-demo.scm --store shop.db --flows flows
      flowhost start order-lifecycle '"o-1001"' --store shop.db
      flowhost list --store shop.db --status suspended
      flowhost repl --store shop.db --flows flows
    """
    ctx.obj = {"no_color": no_color}


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@OPTIONAL_STORE
@FLOWS
@JSON
@guarded
def run(file: str, store: str | None, flows: tuple[str, ...], as_json: bool) -> None:
    """Evaluate FILE.scm in the flow environment.

    Not transactional: each flow the file starts or resumes is stored as it happens, so
    when line 2 fails the flow line 1 started stays in the store (and is listed in the
    error). Run it in a scratch store first, or check the store afterwards.

    \b
    Example:
      flowhost run examples/order-demo.scm --store shop.db --flows flows
    """
    host = open_host(store, default_flows(flows), needs_flows=True)
    before = set(host.store.ids())
    try:
        try:
            host.load_file(file)
        except (SchemeError, FlowError) as e:
            started = sorted(set(host.store.ids()) - before)
            if started:
                sys.stdout.flush()
                kept = ", ".join(str(i) for i in started)
                fail(f"{e.render()}\n(not undone: {file} had started flows {kept} before this)")
            raise
        started = sorted(set(host.store.ids()) - before)
        if as_json:
            records = [host.record(i) for i in started]
            emit(True, {"file": file, "started": list_json(records)}, "")
    finally:
        host.close()


@main.command()
@click.argument("name", metavar="NAME")
@click.argument("args", metavar="ARGS...", nargs=-1)
@STORE
@FLOWS
@JSON
@guarded
def start(name: str, args: tuple[str, ...], store: str, flows: tuple[str, ...], as_json: bool):
    """Start flow NAME with ARGS (each a Scheme datum: 3, "o-1001", (1 2)).

    \b
    Example:
      flowhost start order-lifecycle '"o-1001"' --store shop.db --flows flows
    """
    values = [parse_value(a, f"argument {i}") for i, a in enumerate(args, 1)]
    host = open_host(store, default_flows(flows), needs_flows=True)
    try:
        r = host.start(name, *values)
        emit(as_json, result_json(r), result_text(r))
    finally:
        host.close()


@main.command(name="list")
@STORE
@click.option("--status", type=click.Choice(STATUSES), help="Only flows with this status.")
@click.option("--flow", "flow_name", metavar="NAME", help="Only instances of this flow.")
@click.option("--key", help="Only the flow holding this key (e.g. order:o-1001).")
@click.option(
    "--since",
    metavar="TIME",
    help="Only flows changed at or after TIME (ISO-8601, e.g. 2026-12-01T10:00:00Z, or Unix "
    "seconds).",
)
@click.option(
    "--after",
    type=click.IntRange(min=0),
    default=0,
    metavar="ID",
    help="Only ids above ID (the next page: the last id shown).",
)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N.")
@JSON
@guarded
def list_(
    store: str,
    status: str | None,
    flow_name: str | None,
    key: str | None,
    since: str | None,
    after: int,
    offset: int,
    limit: int | None,
    as_json: bool,
) -> None:
    """List flows: id, flow, status, what each waits on, log length.

    Filters and paging run in the database (--limit 100 --after LAST_ID for the next page).

    \b
    Example:
      flowhost list --store shop.db --status suspended
      flowhost list --store shop.db --flow order-lifecycle --limit 50 --after 200
    """
    host = open_host(store, must_exist=True)
    records = host.store.page(
        status=status,
        flow=flow_name,
        key=key,
        since=None if since is None else _when(since),
        after=after,
        offset=offset,
        limit=limit,
    )
    click.echo(
        json.dumps(list_json(records), indent=2) if as_json else list_table(records, paint_status)
    )


def _when(text: str) -> float:
    """Unix seconds from `--since`: a number, or an ISO-8601 time (UTC if no zone)."""
    from datetime import datetime

    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a time: give ISO-8601 (2026-12-01T10:00:00Z) or Unix seconds",
            param_hint="--since",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@main.command()
@click.argument("flow_id", metavar="ID", type=int)
@STORE
@JSON
@guarded
def show(flow_id: int, store: str, as_json: bool) -> None:
    """Show one flow: arguments, every step (request -> value), current state.

    \b
    Example:
      flowhost show 3 --store shop.db
    """
    host = open_host(store, must_exist=True)
    rec = host.record(flow_id)
    steps = host.steps(flow_id)
    if as_json:
        click.echo(json.dumps(show_json(rec, steps), indent=2))
        return
    text = show_text(rec, steps)
    head, sep, state = text.rpartition("\nstate:     ")
    click.echo(head + sep + paint_status(rec.status, rec.status) + state[len(rec.status) :])


# Requests answered by a ledger, not by hand: a resume of one would move an order past its
# payment with no payment in the books (the commerce fulfil step then refuses it).
LEDGER_KINDS = ("payment",)


@main.command()
@click.argument("flow_id", metavar="ID", type=int)
@click.argument("value", metavar="VALUE")
@click.option("--force", is_flag=True, help="Resume even a flow waiting on payment.")
@STORE
@FLOWS
@JSON
@guarded
def resume(
    flow_id: int, value: str, force: bool, store: str, flows: tuple[str, ...], as_json: bool
) -> None:
    """Resume suspended flow ID with VALUE (a Scheme datum: paid, "text", (1 2)).

    A flow waiting on payment is refused without --force: a payment is recorded with
    `commerce orders settle`, which moves the order on when the ledger says it is paid.

    \b
    Example:
      flowhost resume 3 approved --store shop.db --flows flows
    """
    parsed = parse_value(value)
    host = open_host(store, default_flows(flows), must_exist=True, needs_flows=True)
    rec = host.record(flow_id)
    kind = rec.pending.kind if rec.status == SUSPENDED and rec.pending else None
    if kind in LEDGER_KINDS and not force:
        fail(
            f"flow {flow_id} waits on {kind}, which the ledger answers: record the payment "
            "with `commerce orders settle ORDER REF AMOUNT` (or pass --force to resume it "
            "anyway; an unpaid order is still never fulfilled)"
        )
    r = host.resume(flow_id, parsed, kind=kind, version=rec.version if kind else None)
    emit(as_json, result_json(r), result_text(r))


@main.command()
@click.argument("flow_id", metavar="ID", type=int)
@STORE
@FLOWS
@click.option("--force", is_flag=True, help="End it at once; run none of its code.")
@JSON
@guarded
def cancel(flow_id: int, store: str, flows: tuple[str, ...], force: bool, as_json: bool) -> None:
    """Cancel suspended flow ID: it is told at its suspension point and may clean up
    (its handlers answer what it asks) before it ends. --force ends it at once without
    running any of its code (for a flow whose cancellation is stuck).

    \b
    Example:
      flowhost cancel 3 --store shop.db --flows flows
      flowhost cancel 3 --store shop.db --force
    """
    if force:
        host = open_host(store, must_exist=True)
        host.terminate(flow_id)
        emit(as_json, {"id": flow_id, "status": "cancelled"}, f"flow {flow_id} terminated")
        return
    host = open_host(store, default_flows(flows), must_exist=True, needs_flows=True)
    r = host.cancel(flow_id)
    emit(as_json, result_json(r), result_text(r))


@main.command(name="export")
@STORE
@click.option("-o", "--output", metavar="FILE.json", help="Write here (default: stdout).")
@JSON
@guarded
def export_(store: str, output: str | None, as_json: bool) -> None:
    """Export the whole store as JSON.

    The export is JSON already; with -o, --json prints the summary as JSON. The file is
    written whole or not at all.

    \b
    Example:
      flowhost export --store shop.db -o flows-backup.json
    """
    host = open_host(store, must_exist=True)
    note("exporting the store...")
    db = host.store
    with db.transaction():  # one snapshot, streamed a page of flows at a time
        origin = Origin(db.store_id(), db.stamp())
        next_id = db.next_id()
        if output is None:
            write_export(sys.stdout, next_id, origin, db.flow_texts())
            return
        with open_atomically(Path(output), output) as fh:
            n = write_export(fh, next_id, origin, db.flow_texts())
    emit(as_json, {"exported": n, "file": output}, f"exported {n} flows to {output}")


@main.command(name="import")
@click.argument("file", metavar="FILE.json", type=click.Path(dir_okay=False))
@STORE
@FLOWS
@JSON
@guarded
def import_(file: str, store: str, flows: tuple[str, ...], as_json: bool) -> None:
    """Replace the store with an export, replaying each suspended flow first.

    Nothing changes if anything is wrong.

    \b
    Example:
      flowhost import flows-backup.json --store shop.db --flows flows
    """
    data = read_export(Path(file).read_bytes(), file)  # strict: ExportFormatError naming where
    host = open_host(store, default_flows(flows), needs_flows=True)
    count = len(data.get("flows", [])) if isinstance(data, dict) else 0
    note(f"importing {count} flows from {file} (each suspended one is replayed first)...")
    host.import_(data)
    n = len(host.store.ids())
    emit(as_json, {"imported": n, "file": file}, f"imported {n} flows from {file}")


@main.command()
@STORE
@FLOWS
@JSON
@guarded
def check(store: str, flows: tuple[str, ...], as_json: bool) -> None:
    """Check that every suspended flow still replays against the current sources.

    Changes nothing. Lists each flow that would raise NondeterminismError, with the
    step and the source line; exits 1 if there is any. For the flows that replay, says
    which path each (flow/patched? NAME) takes: new (#t) or the one recorded before
    the patch (#f).

    \b
    Example:
      flowhost check --store shop.db --flows flows
    """
    host = open_host(store, default_flows(flows), must_exist=True, needs_flows=True)
    problems: list[dict] = []
    paths: list[dict] = []
    ids = host.store.ids(SUSPENDED)
    for flow_id in progress(ids, len(ids), "checking"):
        rec = host.record(flow_id)
        try:
            patches = host.check(flow_id)
        except NondeterminismError as e:
            problems.append({"id": flow_id, "flow": rec.flow, "message": e.render()})
        except (FlowError, SchemeError) as e:
            message = f"flow {flow_id} ({rec.flow}): {e}"
            problems.append({"id": flow_id, "flow": rec.flow, "message": message})
        else:
            if patches:
                paths.append({"id": flow_id, "flow": rec.flow, "patches": patches})
                if not as_json:
                    said = ", ".join(
                        f"{n}: {'new path' if v else 'path before the patch'}"
                        for n, v in sorted(patches.items())
                    )
                    click.echo(f"flow {flow_id} ({rec.flow}) replays; {said}")
            continue
        if not as_json:
            click.echo(problems[-1]["message"])
    if as_json:
        emit(True, {"checked": len(ids), "problems": problems, "patches": paths}, "")
    elif problems:
        click.echo(f"{len(problems)} of {len(ids)} suspended flows would not replay")
    else:
        click.echo(f"all {len(ids)} suspended flows replay against the current sources")
    if problems:
        sys.exit(1)


@main.command()
@OPTIONAL_STORE
@FLOWS
@click.option(
    "--step-limit",
    type=click.IntRange(min=1),
    default=10_000_000,
    show_default=True,
    help="Closure calls one entry typed at the REPL may make before it is stopped.",
)
@guarded
def repl(store: str | None, flows: tuple[str, ...], step_limit: int) -> None:
    """A Scheme REPL in the flow environment, with ,commands to replay flows (,help).

    \b
    Example:
      flowhost repl --store shop.db --flows flows
      > ,replay 3
      > ,step
      > ,locals
    """
    from .repl import FlowRepl

    host = open_host(store, default_flows(flows), needs_flows=True)
    try:
        code = FlowRepl(host, step_limit=step_limit).run()
    finally:
        host.close()
    sys.exit(code)
