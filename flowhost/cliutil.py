"""What the `flowhost` commands share: options, opening a host, errors, colour, progress.

The store comes from --store or $FLOWHOST_STORE. The flow sources come from --flows, else
$FLOWHOST_FLOWS, else ./flows, else the project's own flows/ (as `commerce` finds them);
a command that runs flows says so on stderr when it found none. Colour is used on a
terminal only, and never with --no-color or $NO_COLOR set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from scheme import SchemeError

from .db import is_database_url
from .errors import FlowError
from .host import FlowHost
from .records import CANCELLED, DONE, FAILED, SUSPENDED

T = TypeVar("T")

STATUS_COLOURS = {SUSPENDED: "yellow", DONE: "green", FAILED: "red", CANCELLED: "bright_black"}


def colour_on(stream: Any = None) -> bool:
    """Colour for stream: a terminal, no --no-color, no $NO_COLOR."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and (ctx.find_root().obj or {}).get("no_color"):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream if stream is not None else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def paint_status(cell: str, status: str) -> str:
    """A (padded) status cell in its colour, when colour is on."""
    colour = STATUS_COLOURS.get(status)
    return click.style(cell, fg=colour) if colour and colour_on() else cell


def fail(message: str) -> None:
    """Print an error line (red on a terminal) and exit 1."""
    prefix = "flowhost:"
    if colour_on(sys.stderr):
        prefix = click.style(prefix, fg="red", bold=True)
    click.echo(f"{prefix} {message}", err=True)
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
        except RecursionError:
            fail("the input is nested too deeply")

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def project_flows() -> Path:
    """The project's flows/: beside the package in a checkout or an editable install,
    else under <prefix>/share/commerce-flows (an installed copy)."""
    here = Path(__file__).resolve().parents[1] / "flows"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "commerce-flows" / "flows"


def default_flows(flows: tuple[str, ...]) -> tuple[str, ...]:
    """The --flows given, else $FLOWHOST_FLOWS, ./flows or the project's flows/."""
    if flows:
        return flows
    given = os.environ.get("FLOWHOST_FLOWS")
    if given:
        return (given,)
    for candidate in (Path("flows"), project_flows()):
        if candidate.is_dir() and any(candidate.glob("*.scm")):
            return (str(candidate),)
    return ()


def open_host(
    store: str | None,
    flows: tuple[str, ...] = (),
    must_exist: bool = False,
    needs_flows: bool = False,
) -> FlowHost:
    """A host on the SQLite store or postgresql:// URL (or in memory), with `flows` loaded.

    needs_flows: the command runs flow code, so say (on stderr) when no source was found."""
    if store and must_exist and not is_database_url(store) and not Path(store).exists():
        fail(f"{store}: no such flow store")
    if store and Path(store).is_dir():
        fail(f"{store}: is a directory, not a flow store")
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
    if needs_flows and not flows:
        click.echo(
            "flowhost: no flow sources found (no --flows, no $FLOWHOST_FLOWS, no ./flows, "
            "none in the project): no flow can run",
            err=True,
        )
    return host


def progress(items: Iterable[T], length: int, label: str) -> Iterator[T]:
    """items, with click's progress bar on stderr when it is a terminal (nothing on a pipe)."""
    if length < 100 or not sys.stderr.isatty():  # a short job needs no bar
        yield from items
        return
    with click.progressbar(
        items, length=length, label=label, file=sys.stderr, color=colour_on(sys.stderr)
    ) as bar:
        yield from bar


def note(text: str) -> None:
    """A progress note on stderr, only when it is a terminal."""
    if sys.stderr.isatty():
        click.echo(text, err=True)


def version() -> str:
    """The installed project's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("commerce-flows")
    except PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


STORE = click.option(
    "--store",
    "store",
    metavar="DB",
    envvar="FLOWHOST_STORE",
    show_envvar=True,
    required=True,
    help="The SQLite flow store.",
)
OPTIONAL_STORE = click.option(
    "--store",
    "store",
    metavar="DB",
    envvar="FLOWHOST_STORE",
    show_envvar=True,
    help="SQLite flow store (in memory without).",
)
FLOWS = click.option(
    "--flows",
    "flows",
    metavar="DIR",
    multiple=True,
    help="Load the flow definitions in DIR's .scm files (or this file). Default: "
    "$FLOWHOST_FLOWS, else ./flows, else the project's flows/.",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
