"""The REPL: read until the parentheses balance, evaluate, print with `write`.

Errors print with their caret and the loop carries on. Prompts appear only when input
is a terminal, so piped sessions produce clean transcripts. History is kept with
readline (and saved in ~/.scheme_history) when it is available.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .errors import SchemeError
from .interpreter import Interpreter
from .printer import write_string
from .reader import read_spanned
from .scanner import needs_more
from .types import UNSPECIFIED, Values

PROMPT, MORE = "> ", ". "


def entries(lines: Iterator[str], prompt: Callable[[str], None]) -> Iterator[str]:
    """Group input lines into complete entries (balanced parentheses, closed strings)."""
    buf: list[str] = []
    prompt(PROMPT)
    for line in lines:
        buf.append(line)
        text = "".join(buf)
        if text.strip() and needs_more(text):
            prompt(MORE)
            continue
        buf = []
        if text.strip():
            yield text
        prompt(PROMPT)
    if "".join(buf).strip():
        yield "".join(buf)


def print_value(value: Any, out: TextIO) -> None:
    """Print a REPL result: nothing for the unspecified value, each of several values."""
    if value is UNSPECIFIED or value is None:
        return
    items = value.items if type(value) is Values else (value,)
    for v in items:
        out.write(write_string(v) + "\n")


def _interactive_lines(stdin: TextIO, out: TextIO) -> tuple[Iterator[str], list[str]]:
    """Lines typed at a prompt, and the one-element list holding the prompt to show."""
    current = [PROMPT]

    def gen() -> Iterator[str]:
        while True:
            try:
                yield input(current[0]) + "\n"
            except EOFError:
                out.write("\n")
                return
            except KeyboardInterrupt:
                out.write("\n")
                yield "\n"

    return gen(), current


def run_repl(
    interp: Interpreter | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    banner: bool = True,
    evaluate: Callable[[str], None] | None = None,
) -> int:
    """Run a REPL on stdin until end of input; returns the exit status (0)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interp = interp or Interpreter(output=out)
    tty = stdin.isatty() and out.isatty()
    if tty:
        _setup_history()
        if banner:
            out.write("Scheme (commerce-flows). Ctrl-D to leave.\n")
        lines, current = _interactive_lines(stdin, out)

        def prompt(p: str) -> None:
            current[0] = p
    else:
        lines = iter(stdin.readline, "")

        def prompt(p: str) -> None:
            return None

    count = 0
    for text in entries(lines, prompt):
        count += 1
        if evaluate is not None:
            evaluate(text)
            continue
        try:
            for datum, span in read_spanned(text, f"<repl:{count}>"):
                print_value(interp.eval_datum(datum, span), out)
        except SchemeError as e:
            out.flush()
            out.write(e.render() + "\n")
        out.flush()
    return 0


def _setup_history() -> None:
    try:
        import atexit
        import readline
    except ImportError:  # pragma: no cover - platform without readline
        return
    path = os.path.expanduser("~/.scheme_history")
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(1000)
    atexit.register(lambda: _save_history(readline, path))


def _save_history(readline: Any, path: str) -> None:
    try:
        readline.write_history_file(path)
    except OSError:
        pass
