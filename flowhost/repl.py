"""`flowhost repl`: Scheme in the flow environment, plus ,commands for flows.

Entries are read until the parentheses balance (scheme.repl does that, with history in
a terminal). A line starting with a comma is a command; anything else is evaluated and
printed with `write`. Errors print with their caret and the loop carries on.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from scheme.errors import SchemeError
from scheme.printer import write_string
from scheme.reader import read_all
from scheme.repl import print_value, run_repl

from .data import parse_value
from .debug import Replay, Stop, outcome_text
from .errors import FlowError, FlowStateError
from .host import FlowHost
from .views import list_table, result_text, show_text

HELP = """\
,flows              the flows in the store (and the flow definitions loaded)
,show ID            one flow: arguments, every step, current state
,replay ID          replay flow ID from its log in a scratch copy; stop at its first request
,step               answer the current request from the log; stop at the next one
,continue           step on to where the flow is suspended now
,locals             the variables in scope at the current request
,eval EXPR          evaluate EXPR in that scope
,resume ID VALUE    resume flow ID for real with VALUE (a Scheme datum)
,fork ID N          start a copy of flow ID answering its first N requests from its log
,export FILE        write the store to FILE (JSON)
,import FILE        replace the store with FILE's flows
,help               this list
,quit               leave (so does end of input)
Anything else is Scheme, evaluated in the flow environment."""


class _Quit(Exception):
    pass


class FlowRepl:
    """The REPL's state: the host and the current replay, if any."""

    def __init__(
        self, host: FlowHost, stdin: TextIO | None = None, out: TextIO | None = None
    ) -> None:
        self.host = host
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stdout
        self.replay: Replay | None = None
        self.count = 0
        self.commands: dict[str, Callable[[str], None]] = {
            "flows": self.cmd_flows,
            "show": self.cmd_show,
            "replay": self.cmd_replay,
            "step": self.cmd_step,
            "continue": self.cmd_continue,
            "locals": self.cmd_locals,
            "eval": self.cmd_eval,
            "resume": self.cmd_resume,
            "fork": self.cmd_fork,
            "export": self.cmd_export,
            "import": self.cmd_import,
            "help": self.cmd_help,
            "quit": self.cmd_quit,
        }

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self) -> int:
        """Read and handle entries until ,quit or the end of input."""
        try:
            run_repl(self.host.interp, self.stdin, self.out, banner=False, evaluate=self.handle)
        except _Quit:
            pass
        return 0

    def handle(self, text: str) -> None:
        """One entry: a ,command or Scheme."""
        self.count += 1
        try:
            stripped = text.strip()
            if stripped.startswith(","):
                name, _, rest = stripped[1:].partition(" ")
                command = self.commands.get(name)
                if command is None:
                    self.say(f"unknown command ,{name} (,help lists them)")
                    return
                command(rest.strip())
                return
            for datum in read_all(text, f"<repl:{self.count}>"):
                print_value(self.host.interp.eval_datum(datum), self.out)
        except (SchemeError, FlowError) as e:
            self.say(e.render())

    # -- commands ------------------------------------------------------------------------
    def _int(self, text: str, what: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise FlowStateError(f"{what} must be a number, got {text!r}") from None

    def cmd_flows(self, rest: str) -> None:
        self.say(list_table(list(self.host.store.records())))
        self.say(f"defined: {', '.join(self.host.flows()) or '(none)'}")

    def cmd_show(self, rest: str) -> None:
        flow_id = self._int(rest, ",show ID")
        self.say(show_text(self.host.record(flow_id), self.host.steps(flow_id)))

    def cmd_replay(self, rest: str) -> None:
        flow_id = self._int(rest, ",replay ID")
        self.replay = Replay(self.host, flow_id)
        rec = self.replay.record
        self.say(
            f"replaying flow {flow_id} ({rec.flow}) from its log of "
            f"{len(self.replay.steps)} steps; the store is not touched"
        )
        self._report(self.replay.begin())

    def _need_replay(self) -> Replay:
        if self.replay is None:
            raise FlowStateError("no replay: start one with ,replay ID")
        return self.replay

    def _report(self, result: Stop | Any) -> None:
        if isinstance(result, Stop):
            where = f" ({result.where})" if result.where else ""
            self.say(f"stopped at {result.describe().replace(':', where + ':', 1)}")
        else:
            self.say(outcome_text(result))

    def cmd_step(self, rest: str) -> None:
        self._report(self._need_replay().step())

    def cmd_continue(self, rest: str) -> None:
        self._report(self._need_replay().finish())

    def cmd_locals(self, rest: str) -> None:
        variables = self._need_replay().local_variables()
        if not variables:
            self.say("(no local variables)")
        for name, value in variables:
            self.say(f"{name} = {write_string(value)}")

    def cmd_eval(self, rest: str) -> None:
        if not rest:
            raise FlowStateError(",eval needs an expression")
        print_value(self._need_replay().evaluate(rest), self.out)

    def cmd_resume(self, rest: str) -> None:
        flow_id_text, _, value = rest.partition(" ")
        if not value.strip():
            raise FlowStateError(",resume needs ID and VALUE")
        parsed = parse_value(value.strip())
        self.say(result_text(self.host.resume(self._int(flow_id_text, ",resume ID"), parsed)))

    def cmd_fork(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2:
            raise FlowStateError(",fork needs ID and N")
        result = self.host.fork(self._int(parts[0], ",fork ID"), self._int(parts[1], "N"))
        self.say(f"forked: {result_text(result)}")

    def cmd_export(self, rest: str) -> None:
        path = Path(self._path(rest, ",export FILE"))
        path.write_text(json.dumps(self.host.export(), indent=1) + "\n")
        self.say(f"exported {len(self.host.store.ids())} flows to {path}")

    def cmd_import(self, rest: str) -> None:
        path = Path(self._path(rest, ",import FILE"))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise FlowStateError(f"{path}: {e}") from None
        self.host.import_(data)
        self.replay = None
        self.say(f"imported {len(self.host.store.ids())} flows from {path}")

    def _path(self, rest: str, what: str) -> str:
        parts = shlex.split(rest)
        if len(parts) != 1:
            raise FlowStateError(f"{what}: give one file name")
        return parts[0]

    def cmd_help(self, rest: str) -> None:
        self.say(HELP)

    def cmd_quit(self, rest: str) -> None:
        raise _Quit
