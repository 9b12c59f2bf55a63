"""The `flowhost` command line (click). Thin: parse, call the FlowHost API, print.

User mistakes print one readable line (with the source line and a caret when there is
source) and exit 1; usage mistakes exit 2 (click's convention). Every command's --help
shows an example.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scheme.errors import SchemeError

from .data import parse_value
from .db import is_database_url
from .errors import FlowError, NondeterminismError
from .host import FlowHost
from .records import STATUSES, SUSPENDED
from .views import list_json, list_table, result_text, show_json, show_text


def fail(message: str) -> None:
    """Print an error line and exit 1."""
    click.echo(f"flowhost: {message}", err=True)
    sys.exit(1)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn Scheme and flow errors into one readable line and exit status 1."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (SchemeError, FlowError) as e:
            sys.stdout.flush()
            fail(e.render())
        except OSError as e:
            fail(f"{e.filename or ''}: {e.strerror or e}".strip(": "))

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def default_flows(flows: tuple[str, ...]) -> tuple[str, ...]:
    """The --flows given, or ./flows when there is such a directory."""
    if flows:
        return flows
    return ("flows",) if Path("flows").is_dir() else ()


def open_host(store: str | None, flows: tuple[str, ...] = (), must_exist: bool = False) -> FlowHost:
    """A host on the SQLite store (or in memory), with the .scm files of `flows` loaded."""
    if store and must_exist and not is_database_url(store) and not Path(store).exists():
        fail(f"{store}: no such flow store")
    host = FlowHost.open(store) if store else FlowHost()
    for entry in flows:
        path = Path(entry)
        if not path.exists():
            fail(f"{entry}: no such file or directory (--flows)")
        files = sorted(path.glob("*.scm")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            fail(f"{entry}: no .scm files in this directory")
        for f in files:
            host.load_file(f)
    return host


STORE = click.option("--store", "store", metavar="DB", required=True, help="The SQLite flow store.")
FLOWS = click.option(
    "--flows",
    "flows",
    metavar="DIR",
    multiple=True,
    help="Load the flow definitions in DIR's .scm files (or this file). Default: ./flows.",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Run, inspect and replay durable Scheme flows.

    \b
    Example:
      flowhost run examples/order-demo.scm --store shop.db --flows flows
      flowhost list --store shop.db --status suspended
      flowhost repl --store shop.db --flows flows
    """


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--store", "store", metavar="DB", help="SQLite flow store (in memory without).")
@FLOWS
@guarded
def run(file: str, store: str | None, flows: tuple[str, ...]) -> None:
    """Evaluate FILE.scm in the flow environment.

    \b
    Example:
      flowhost run examples/order-demo.scm --store shop.db --flows flows
    """
    host = open_host(store, default_flows(flows))
    try:
        host.load_file(file)
    finally:
        host.close()


@main.command(name="list")
@STORE
@click.option("--status", type=click.Choice(STATUSES), help="Only flows with this status.")
@JSON
@guarded
def list_(store: str, status: str | None, as_json: bool) -> None:
    """List flows: id, flow, status, what each waits on, log length.

    \b
    Example:
      flowhost list --store shop.db --status suspended
    """
    host = open_host(store, must_exist=True)
    records = [r for r in host.store.records() if status is None or r.status == status]
    click.echo(json.dumps(list_json(records), indent=2) if as_json else list_table(records))


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
    click.echo(json.dumps(show_json(rec, steps), indent=2) if as_json else show_text(rec, steps))


@main.command()
@click.argument("flow_id", metavar="ID", type=int)
@click.argument("value", metavar="VALUE")
@STORE
@FLOWS
@guarded
def resume(flow_id: int, value: str, store: str, flows: tuple[str, ...]) -> None:
    """Resume suspended flow ID with VALUE (a Scheme datum: paid, "text", (1 2)).

    \b
    Example:
      flowhost resume 3 paid --store shop.db --flows flows
    """
    host = open_host(store, default_flows(flows), must_exist=True)
    click.echo(result_text(host.resume(flow_id, parse_value(value))))


@main.command()
@click.argument("flow_id", metavar="ID", type=int)
@STORE
@guarded
def cancel(flow_id: int, store: str) -> None:
    """Cancel suspended flow ID.

    \b
    Example:
      flowhost cancel 3 --store shop.db
    """
    host = open_host(store, must_exist=True)
    host.cancel(flow_id)
    click.echo(f"flow {flow_id} cancelled")


@main.command(name="export")
@STORE
@click.option("-o", "--output", metavar="FILE.json", help="Write here (default: stdout).")
@guarded
def export_(store: str, output: str | None) -> None:
    """Export the whole store as JSON.

    \b
    Example:
      flowhost export --store shop.db -o flows-backup.json
    """
    host = open_host(store, must_exist=True)
    text = json.dumps(host.export(), indent=1) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".export-")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, target)
    click.echo(f"exported {len(host.store.ids())} flows to {output}")


@main.command(name="import")
@click.argument("file", metavar="FILE.json", type=click.Path(dir_okay=False))
@STORE
@FLOWS
@guarded
def import_(file: str, store: str, flows: tuple[str, ...]) -> None:
    """Replace the store with an export, replaying each suspended flow first.

    Nothing changes if anything is wrong.

    \b
    Example:
      flowhost import flows-backup.json --store shop.db --flows flows
    """
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        fail(f"{file}: not a JSON text file (it is not UTF-8 text)")
    except json.JSONDecodeError as e:
        fail(f"{file}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}")
    host = open_host(store, default_flows(flows))
    host.import_(data)
    click.echo(f"imported {len(host.store.ids())} flows from {file}")


@main.command()
@STORE
@FLOWS
@guarded
def check(store: str, flows: tuple[str, ...]) -> None:
    """Check that every suspended flow still replays against the current sources.

    Changes nothing. Lists each flow that would raise NondeterminismError, with the
    step and the source line; exits 1 if there is any.

    \b
    Example:
      flowhost check --store shop.db --flows flows
    """
    host = open_host(store, default_flows(flows), must_exist=True)
    problems = 0
    ids = host.store.ids(SUSPENDED)
    for flow_id in ids:
        rec = host.record(flow_id)
        try:
            host._replay(rec, host.store.steps(flow_id))
        except NondeterminismError as e:
            problems += 1
            click.echo(e.render())
        except (FlowError, SchemeError) as e:
            problems += 1
            click.echo(f"flow {flow_id} ({rec.flow}): {e}")
    if problems:
        click.echo(f"{problems} of {len(ids)} suspended flows would not replay")
        sys.exit(1)
    click.echo(f"all {len(ids)} suspended flows replay against the current sources")


@main.command()
@click.option("--store", "store", metavar="DB", help="SQLite flow store (in memory without).")
@FLOWS
@guarded
def repl(store: str | None, flows: tuple[str, ...]) -> None:
    """A Scheme REPL in the flow environment, with ,commands to replay flows (,help).

    \b
    Example:
      flowhost repl --store shop.db --flows flows
      > ,replay 3
      > ,step
      > ,locals
    """
    from .repl import FlowRepl

    FlowRepl(open_host(store, default_flows(flows))).run()
