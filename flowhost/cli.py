"""The `flowhost` command line (click). Thin: parse, call the FlowHost API, print.

User mistakes print one readable line (with the source line and a caret when there is
source) and exit 1; usage mistakes exit 2 (click's convention).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scheme.errors import SchemeError

from .errors import FlowError
from .host import FlowHost


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


def open_host(store: str | None, flows: tuple[str, ...] = ()) -> FlowHost:
    """A host on the SQLite store (or in memory), with the .scm files of `flows` loaded."""
    host = FlowHost.open(store) if store else FlowHost()
    for entry in flows:
        path = Path(entry)
        files = sorted(path.glob("*.scm")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            fail(f"{entry}: no .scm files in this directory")
        for f in files:
            host.load_file(f)
    return host


STORE = click.option(
    "--store", "store", metavar="DB", help="SQLite flow store (created if missing)."
)
FLOWS = click.option(
    "--flows",
    "flows",
    metavar="DIR",
    multiple=True,
    help="Load the flow definitions in this directory's .scm files (or this file).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Run and inspect durable Scheme flows.

    \b
    Example:
      flowhost run examples/order-demo.scm --store shop.db --flows flows
    """


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@STORE
@FLOWS
@guarded
def run(file: str, store: str | None, flows: tuple[str, ...]) -> None:
    """Evaluate FILE.scm in the flow environment.

    Flows it starts are kept in --store (in memory without it).

    \b
    Example:
      flowhost run examples/order-demo.scm --store shop.db --flows flows
    """
    host = open_host(store, flows)
    try:
        host.load_file(file)
    finally:
        host.close()
