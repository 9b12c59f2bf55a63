"""The REPL: read whole entries, evaluate, print with `write`.

On a terminal, entries come from the line editor (scheme.lineedit: completion, whole
multi-line entries in history, bracket matching, Ctrl-C drops the entry being typed). From
a pipe, lines are grouped until the parentheses balance and no prompt is shown, so piped
sessions give clean transcripts.

Errors print with their caret and the loop carries on; Ctrl-C while code runs stops it,
prints `interrupted` and keeps every definition. `(exit)`, `,quit` and end of input leave.
Piped input that hit an error exits 1, so scripts notice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from .errors import SchemeError
from .interpreter import Interpreter
from .printer import write_string
from .read.reader import read_spanned
from .read.scanner import needs_more
from .run import budget
from .types import UNSPECIFIED, Symbol, Values

PROMPT, MORE = "> ", ". "

# Closure calls one entry may make when the interpreter has no step_limit of its own
# (a few seconds): an endless loop typed at the prompt ends with an error.
REPL_STEP_LIMIT = 10_000_000

HELP = """\
Type a Scheme expression; it is evaluated and its value printed (with `write`).
An entry may span lines: it is read until its parentheses balance.
,help               this text
,quit               leave (so do (exit) and Ctrl-D)
Ctrl-C              drop the entry being typed, or stop the running code (definitions stay)
Tab                 complete a bound name or a ,command; Up/Down recall whole entries"""


class ReplExit(BaseException):
    """Raised by (exit) and ,quit to end the REPL (a BaseException, so Scheme code
    cannot catch it and the machine unwinds through its own cleanup)."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.code = code


def entries(lines: Iterable[str], commands: bool = True) -> Iterator[str]:
    """Group piped lines into whole entries (balanced parentheses, closed strings).

    A line that starts with a comma where an entry would start is a command on its own,
    whatever follows it (so `,resume 2 (unclosed` never swallows the next lines)."""
    buf: list[str] = []
    for line in lines:
        if not buf and commands and line.lstrip().startswith(","):
            yield line
            continue
        buf.append(line)
        text = "".join(buf)
        if text.strip() and needs_more(text):
            continue
        buf = []
        if text.strip():
            yield text
    if "".join(buf).strip():
        yield "".join(buf)


def print_value(value: Any, out: TextIO) -> None:
    """Print a REPL result: nothing for the unspecified value, each of several values."""
    if value is UNSPECIFIED or value is None:
        return
    items = value.items if type(value) is Values else (value,)
    for v in items:
        out.write(write_string(v) + "\n")


def bound_names(interp: Interpreter) -> list[str]:
    """The names bound in the interpreter's top level (for completion)."""
    return [k.name for k in list(interp.env.table) if isinstance(k, Symbol)]


def install_exit(interp: Interpreter) -> None:
    """Define (exit [code]) to leave the REPL."""

    def exit_(code: Any = 0) -> None:
        raise ReplExit(code if isinstance(code, int) and not isinstance(code, bool) else 0)

    interp.define_primitive("exit", exit_)


def run_repl(
    interp: Interpreter | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    banner: bool | str = True,
    evaluate: Callable[[str], bool] | None = None,
    commands: Iterable[str] = ("help", "quit"),
    names: Callable[[], Iterable[str]] | None = None,
    history: str = ".scheme_history",
) -> int:
    """Run a REPL until end of input, (exit) or ,quit; returns the exit status.

    evaluate(text) handles one entry and returns False when it failed; the default
    evaluates Scheme (and ,help / ,quit). The status is 1 when piped input hit an error."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interp = interp or Interpreter(output=out)
    tty = stdin.isatty() and out.isatty()
    evaluate = evaluate or _scheme_evaluator(interp, out)
    if tty:
        from .lineedit import terminal_entries

        if banner:
            default = "Scheme (commerce-flows). ,help for help; Ctrl-D to leave."
            out.write((banner if isinstance(banner, str) else default) + "\n")
        source = terminal_entries(names or (lambda: bound_names(interp)), commands, history)
    else:
        source = entries(iter(stdin.readline, ""))
    failed = False
    try:
        for text in source:
            try:
                ok = evaluate(text)
            except KeyboardInterrupt:
                out.flush()
                out.write("interrupted\n")
                ok = False
            failed = failed or not ok
            out.flush()
    except ReplExit as e:
        out.flush()
        return e.code or (1 if failed and not tty else 0)
    return 1 if failed and not tty else 0


def _scheme_evaluator(interp: Interpreter, out: TextIO) -> Callable[[str], bool]:
    count = 0

    def evaluate(text: str) -> bool:
        nonlocal count
        count += 1
        stripped = text.strip()
        if stripped.startswith(","):
            name = stripped[1:].split(None, 1)[0] if stripped[1:].strip() else ""
            if name == "quit":
                raise ReplExit(0)
            if name == "help":
                out.write(HELP + "\n")
                return True
            out.write(f"unknown command ,{name} (,help lists them)\n")
            return False
        limit = interp.step_limit if interp.step_limit is not None else REPL_STEP_LIMIT
        meter = budget.start(interp.machine)  # reading the entry is charged too
        try:
            for datum, span in read_spanned(text, f"<repl:{count}>"):
                print_value(interp.eval_datum(datum, span, step_limit=limit), out)
        except SchemeError as e:
            out.flush()
            out.write(e.render() + "\n")
            return False
        except (RecursionError, MemoryError) as e:  # a last guard: one line, the REPL lives
            out.flush()
            what = "nested too deeply" if isinstance(e, RecursionError) else "out of memory"
            out.write(f"error: {what}\n")
            return False
        finally:
            budget.stop(meter)
        return True

    return evaluate


def scheme_repl(interp: Interpreter) -> int:
    """The `python -m scheme` REPL: run_repl with (exit) defined."""
    install_exit(interp)
    return run_repl(interp)
