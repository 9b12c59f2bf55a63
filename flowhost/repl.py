"""`flowhost repl`: Scheme in the flow environment, plus ,commands for flows.

Entries come from scheme.repl (the line editor on a terminal, grouped lines from a pipe).
A line starting with a comma is a command, and its arguments are read from that line
alone: a bad value is refused with nothing written. Anything else is Scheme: at the top
level of the flow environment, or, while a replay stands at a request, in the stopped
flow's scope (as pdb does). Every command error is one line and the session carries on;
Ctrl-C stops running code (`interrupted`); typed input runs under a step budget.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from scheme import (
    ReplExit,
    SchemeError,
    bound_names,
    print_value,
    read_spanned,
    run_repl,
    write_string,
)

from .data import parse_value
from .debug import Replay, StaleReplayError, Stop, outcome_text
from .errors import FlowError, FlowStateError
from .files import write_atomically
from .host import FlowHost
from .views import list_table, result_text, show_text

# Closure calls one entry typed at the REPL may make (an endless loop stops with an error).
DEFAULT_STEP_LIMIT = 10_000_000

HELP = """\
,flows              the flows in the store (and the flow definitions loaded)
,show ID            one flow: arguments, every step, current state
,replay ID          replay flow ID from its log; stop at its first request
,step               answer the current request from the log; stop at the next one
,continue           step on to where the flow is suspended now
,locals             the variables in scope at the current request
,eval EXPR          evaluate EXPR in that scope (plain input does the same during a replay)
,end                leave the replay: plain input runs at the top level again
                   (a define typed during a replay defines at the top level)
,resume ID VALUE    resume flow ID for real with VALUE (a Scheme datum)
,fork ID N          start a copy of flow ID answering its first N requests from its log
,export FILE        write the store to FILE (JSON)
,import FILE        replace the store with FILE's flows
,help               this list
,quit               leave (so do (exit), Ctrl-D and the end of input)
A replay never writes the store: flow/start, flow/resume, flow/cancel, flow-reset! and
flow-store-import! are refused while one is open (,resume, ,fork and ,import are real).
A replay follows the store when its flow moves on, and says so when it is stale.
Anything else is Scheme, evaluated in the flow environment; Ctrl-C stops it."""


class FlowRepl:
    """The REPL's state: the host and the current replay, if any."""

    def __init__(
        self,
        host: FlowHost,
        stdin: TextIO | None = None,
        out: TextIO | None = None,
        step_limit: int | None = DEFAULT_STEP_LIMIT,
    ) -> None:
        self.host = host
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stdout
        self.step_limit = step_limit
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
            "end": self.cmd_end,
            "resume": self.cmd_resume,
            "fork": self.cmd_fork,
            "export": self.cmd_export,
            "import": self.cmd_import,
            "help": self.cmd_help,
            "quit": self.cmd_quit,
        }
        self._install_exit()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self) -> int:
        """Read and handle entries until ,quit or the end of input; the exit status."""
        return run_repl(
            self.host.interp,
            self.stdin,
            self.out,
            banner="flowhost repl: Scheme in the flow environment; ,help lists the commands; "
            "Ctrl-D to leave.",
            evaluate=self.handle,
            commands=self.commands,
            names=lambda: bound_names(self.host.interp),
            history=".flowhost_history",
        )

    def _install_exit(self) -> None:
        machine = self.host.interp.machine

        def exit_(code: Any = 0) -> None:
            if machine.globals_locked is not None:  # flow code is running
                raise SchemeError("exit: flow code cannot leave the REPL")
            raise ReplExit(code if type(code) is int else 0)

        self.host.interp.define_primitive("exit", exit_)

    def handle(self, text: str) -> bool:
        """One entry: a ,command or Scheme. False when it failed."""
        self.count += 1
        stripped = text.strip()
        if stripped.startswith(","):
            return self._command(stripped)
        try:
            if self.replay is not None and self.replay.stop is not None:
                try:
                    self._follow_store()
                except StaleReplayError as e:
                    self.replay = None  # the input runs at the top level instead
                    self.say(e.message)
            if self.replay is not None and self.replay.stop is not None:
                for value in self.replay.evaluate(
                    text, f"<repl:{self.count}>", step_limit=self.step_limit
                ):
                    print_value(value, self.out)
                return True
            for datum, span in read_spanned(text, f"<repl:{self.count}>"):
                value = self.host.interp.eval_datum(datum, span, step_limit=self.step_limit)
                print_value(value, self.out)
        except (SchemeError, FlowError) as e:
            self.say(e.render())
            return False
        return True

    def _command(self, line: str) -> bool:
        first, _, more = line.partition("\n")
        name, _, rest = first[1:].strip().partition(" ")
        command = self.commands.get(name)
        if command is None:
            self.say(f"unknown command ,{name} (,help lists them)")
            return False
        if more.strip():
            self.say(f",{name}: its arguments must be on its own line; nothing was done")
            return False
        try:
            command(rest.strip())
        except StaleReplayError as e:
            self.replay = None
            self.say(e.message)
            return False
        except (SchemeError, FlowError) as e:
            self.say(_one_line(e.message if isinstance(e, FlowError) else str(e)))
            return False
        except OSError as e:
            self.say(f",{name}: {e.filename or rest}: {e.strerror or e}")
            return False
        except (ValueError, TypeError, RecursionError) as e:  # a last guard: one line
            self.say(f",{name}: {_one_line(str(e)) or type(e).__name__}")
            return False
        return True

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
        replay = Replay(self.host, flow_id)
        self.replay = replay
        rec = replay.record
        self.say(
            f"replaying flow {flow_id} ({rec.flow}) from its log of "
            f"{len(replay.steps)} steps; the store is not touched"
        )
        self._report(replay.begin())

    def _need_replay(self) -> Replay:
        if self.replay is None:
            raise FlowStateError("no replay: start one with ,replay ID")
        self._follow_store()
        return self.replay

    def _follow_store(self) -> None:
        assert self.replay is not None
        note = self.replay.refresh()
        if note:
            self.say(note)

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
        replay = self._need_replay()
        try:
            values = replay.evaluate(rest, f"<repl:{self.count}>", step_limit=self.step_limit)
        except SchemeError as e:
            self.say(e.render())  # with the caret under what was typed
            return
        for value in values:
            print_value(value, self.out)

    def cmd_end(self, rest: str) -> None:
        if self.replay is None:
            raise FlowStateError("no replay to end")
        self.say(f"replay of flow {self.replay.record.id} ended")
        self.replay = None

    def cmd_resume(self, rest: str) -> None:
        flow_id_text, _, value = rest.partition(" ")
        if not value.strip():
            raise FlowStateError(",resume needs ID and VALUE")
        flow_id = self._int(flow_id_text, ",resume ID")
        parsed = parse_value(value.strip())
        self.say(result_text(self.host.resume(flow_id, parsed)))

    def cmd_fork(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2:
            raise FlowStateError(",fork needs ID and N")
        result = self.host.fork(self._int(parts[0], ",fork ID"), self._int(parts[1], "N"))
        self.say(f"forked: {result_text(result)}")

    def cmd_export(self, rest: str) -> None:
        given = self._path(rest, ",export FILE")
        write_atomically(Path(given), json.dumps(self.host.export(), indent=1) + "\n", given)
        self.say(f"exported {len(self.host.store.ids())} flows to {given}")

    def cmd_import(self, rest: str) -> None:
        given = self._path(rest, ",import FILE")
        try:
            data = json.loads(Path(given).read_text(encoding="utf-8"))
        except OSError as e:
            raise FlowStateError(f",import: {given}: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise FlowStateError(f",import: {given}: not UTF-8 text") from None
        except json.JSONDecodeError as e:
            raise FlowStateError(
                f",import: {given}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}"
            ) from None
        except RecursionError:
            raise FlowStateError(f",import: {given}: JSON nested too deeply") from None
        self.host.import_(data)
        self.replay = None
        self.say(f"imported {len(self.host.store.ids())} flows from {given}")

    def _path(self, rest: str, what: str) -> str:
        try:
            parts = shlex.split(rest)
        except ValueError as e:
            raise FlowStateError(f"{what}: {e}") from None
        if len(parts) != 1:
            raise FlowStateError(f"{what}: give one file name")
        return parts[0]

    def cmd_help(self, rest: str) -> None:
        self.say(HELP)

    def cmd_quit(self, rest: str) -> None:
        raise ReplExit(0)


def _one_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
