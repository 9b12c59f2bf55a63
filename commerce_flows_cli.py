"""The console entry points of `commerce` and `flowhost`.

They live outside the packages so that they run before the packages are imported:
a Ctrl-C while Python loads the interpreter and the command (the first few tenths of a
second) ends the process quietly with status 130 instead of a traceback from an import,
and so does a Ctrl-C while a command runs (click would say `Aborted!` and exit 1).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import Any

INTERRUPTED = 130  # 128 + SIGINT, what shells report for a Ctrl-C


def _quiet_exit(signum: int, frame: Any) -> None:
    os._exit(INTERRUPTED)


def _run(module: str, name: str) -> None:
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, _quiet_exit)
    command = getattr(importlib.import_module(module), name)
    import click

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        rv = command.main(standalone_mode=False)
    except click.exceptions.Abort as e:
        if isinstance(e.__context__, KeyboardInterrupt) or isinstance(
            e.__cause__, KeyboardInterrupt
        ):
            sys.exit(INTERRUPTED)
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    sys.exit(rv if isinstance(rv, int) else 0)


def flowhost() -> None:
    """`flowhost`."""
    _run("flowhost.cli", "main")


def commerce() -> None:
    """`commerce`."""
    _run("commerce.cli", "main")
