"""The embedding API: an environment, a compiler and a machine behind one object.

    interp = Interpreter()
    interp.eval_string("(define (sq x) (* x x)) (sq 12)")      # -> 144
    interp.define_primitive("host-time", lambda: 42)           # give the guest a procedure
    interp.load_file("prog.scm")

The guest sees only what the standard environment and the embedding program define: no
files, clock, network, processes or Python, unless the embedder grants a capability
(`Interpreter(capabilities=...)`, see capabilities.py; `python -m scheme` grants them all).
`import` finds libraries in `library_path` and in the directory of each loaded file
(libraries.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TextIO

from . import embed
from .capabilities import check_capabilities, grant
from .errors import FileError, ReadError, Source, Span
from .expand import cond_expand, forms_binding, forms_control, includes  # noqa: F401 -- forms
from .expand.compiler import Compiler, install_special_forms
from .expand.libraries import LibraryRegistry
from .expand.syntax import compile_checked
from .primitives import load_all
from .primitives.io import io_primitives, make_port_parameters
from .primitives.registry import PRIMITIVES, arity_of
from .read.readcache import read_spanned_cached
from .read.reader import read_spanned
from .run import budget
from .run.machine import DEFAULT_MAX_DEPTH, Machine
from .run.reference import Reference
from .types import (
    FALSE,
    TRUE,
    UNSPECIFIED,
    Cell,
    Continuation,
    ControlPrimitive,
    Environment,
    Primitive,
    Symbol,
)

_PRELUDE_PATH = Path(__file__).with_name("prelude.scm")
_prelude_data: list | None = None


def _prelude() -> list:
    """The prelude's data, read once per process (compiling it is per environment)."""
    global _prelude_data
    if _prelude_data is None:
        _prelude_data = [
            d for d, _ in read_spanned_cached(_PRELUDE_PATH.read_text(), "prelude.scm")
        ]
    return _prelude_data


def _decode(data: bytes, name: str) -> str:
    """A file's bytes as text: UTF-8 (a leading byte-order mark is dropped), or a
    ReadError pointing at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        text = data.decode("utf-8-sig", errors="replace")
        before = data[: e.start].decode("utf-8-sig", errors="replace")
        line = before.count("\n") + 1
        col = len(before) - before.rfind("\n")
        raise ReadError(
            f"not UTF-8 text: byte 0x{data[e.start]:02x} (save the file as UTF-8)",
            span=Span(Source(name, text), line, col),
        ) from None


def read_source_file(
    path: str | Path, *, fold_case: bool = False, span: Span | None = None
) -> list[tuple[Any, Span | None]]:
    """(datum, span) for every form in a UTF-8 .scm file (FileError if it cannot be read)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise FileError(f"cannot read {p}: {e.strerror or e}", span=span) from None
    text = _decode(data, str(p))
    if fold_case:
        return read_spanned(text, str(p), fold_case=True)
    return read_spanned_cached(text, str(p))


class Interpreter:
    """A Scheme top level: evaluate strings and files, define host procedures."""

    def __init__(
        self,
        output: TextIO | None = None,
        error: TextIO | None = None,
        *,
        max_depth: int = DEFAULT_MAX_DEPTH,
        step_limit: int | None = None,
        work_limit: int | None = None,
        memory_limit: int | None = None,
        library_path: Iterable[str | Path] = (),
        capabilities: Iterable[str] = (),
        command_line: Iterable[str] = (),
        reference: bool = False,
    ) -> None:
        """`library_path`: directories `import` searches (then each loaded file's own);
        `capabilities`: what the guest may reach (capabilities.ALL_CAPABILITIES; none by
        default); `command_line`: what (command-line) returns when that is granted;
        `reference=True` runs everything (the prelude too) on the plain reference
        evaluator (run/reference.py) instead of the fast machine: for tests and for checking.
        `step_limit` counts closure calls; `work_limit` (units of work done by primitives,
        the reader and the macro expander) and `memory_limit` (bytes) bound every
        evaluation whatever step_limit says (None: run/budget.py's defaults)."""
        load_all()
        self.output = output if output is not None else sys.stdout
        self.error_output = error if error is not None else sys.stderr
        self.step_limit = step_limit
        self.capabilities = check_capabilities(capabilities)
        self.command_line = [str(a) for a in command_line]
        self._base_env: Environment | None = None
        self.machine: Any = Reference(max_depth) if reference else Machine(max_depth)
        self.machine.work_limit = work_limit  # read by budget.start
        self.machine.memory_limit = memory_limit
        self.libraries = LibraryRegistry(
            self._unlocked(self._standard_env),
            self._unlocked(self.machine.execute),
            [Path(d) for d in library_path],
            self.capabilities,
        )
        self.env = self._standard_env("interaction-environment")
        self.compiler = Compiler(self.env)
        self.machine.env = self.env
        self.machine.compiler = self.compiler
        self.machine.standard_env = self._standard_env

    def _unlocked(self, fn: Callable) -> Callable:
        """fn, run with the machine's globals unlocked: loading a library defines its
        own top-level variables, even when a flow's code (which may not) imports it."""

        def run(*args: Any) -> Any:
            m = self.machine
            saved, m.globals_locked = m.globals_locked, None
            try:
                return fn(*args)
            finally:
                m.globals_locked = saved

        return run

    def _standard_env(self, name: str) -> Environment:
        """A fresh standard environment: the prelude is compiled once per interpreter, and
        each call copies its bindings (what `(environment)` and libraries get)."""
        base = self._base_env
        if base is None:
            base = self._base_env = self._make_standard_env()
        return self._program_copy(base, name)

    def _make_standard_env(self) -> Environment:
        name = "standard"
        env = Environment(name)
        env.libraries = self.libraries
        install_special_forms(env)
        for pname, proc in PRIMITIVES.items():
            env.define(Symbol(pname), proc)
        params = make_port_parameters(self.output, self.error_output)
        for pname, param in params.items():
            env.define(Symbol(pname), param)
        for pname, proc in io_primitives(params).items():
            env.define(Symbol(pname), proc)
        compiler = Compiler(env)
        for datum in _prelude():
            self.machine.execute(compiler.compile_toplevel(datum, getattr(datum, "span", None)))
        if self.capabilities:

            def run_scheme(text: str) -> None:
                for datum, span in read_spanned(text, "capabilities"):
                    self.machine.execute(compiler.compile_toplevel(datum, span))

            grant(env, self.capabilities, self.command_line, run_scheme)
        # The program gets its own cells: the prelude's map keeps calling the standard
        # car, cons and apply even after the program defines procedures of those names.
        # The internal `%` procedures (record and promise makers, the prelude's helpers)
        # stay behind: the rewrites and the prelude hold them, guest code cannot reach them.
        return env

    @staticmethod
    def _program_copy(base: Environment, name: str) -> Environment:
        out = Environment(name)
        out.libraries = base.libraries
        table = out.table
        for k, v in base.table.items():
            if type(v) is Cell:
                if type(k) is not Symbol or not k.name.startswith("%"):
                    table[k] = Cell(v.name, v.value)
            else:
                table[k] = v
        return out

    # -- evaluation ----------------------------------------------------------------------
    def eval_datum(
        self, datum: Any, span: Span | None = None, *, step_limit: int | None = None
    ) -> Any:
        """Compile and run one datum as a top-level form; returns its value."""
        meter = budget.start(self.machine)  # expansion is charged to the evaluation too
        try:
            node = compile_checked(self.compiler, datum, span or getattr(datum, "span", None))
            limit = step_limit if step_limit is not None else self.step_limit
            return self.machine.execute(node, step_limit=limit)
        finally:
            budget.stop(meter)

    def eval_string(
        self, text: str, name: str = "<string>", *, step_limit: int | None = None
    ) -> Any:
        """Read and evaluate every form in text; returns the last value.

        The step and work budgets cover the whole text (its reading too), not each form."""
        meter = budget.start(self.machine)
        try:
            return self._run_all(read_spanned(text, name), step_limit)
        finally:
            budget.stop(meter)

    def _run_all(self, forms: list, step_limit: int | None) -> Any:
        limit = step_limit if step_limit is not None else self.step_limit
        value: Any = None
        meter = budget.start(self.machine)
        try:
            for datum, span in forms:
                value = self.eval_datum(datum, span, step_limit=limit)
                if limit is not None:
                    limit = max(limit - self.machine.last_steps, 0)
        finally:
            budget.stop(meter)
        return value

    def load_file(self, path: str | Path, *, step_limit: int | None = None) -> Any:
        """Evaluate every form in a .scm file; returns the last value."""
        p = Path(path)
        forms = read_source_file(p)
        here = p.resolve().parent
        if here not in self.libraries.program_dirs:
            self.libraries.program_dirs.append(here)
        return self._run_all(forms, step_limit)

    # -- the host side -------------------------------------------------------------------
    def define(self, name: str, value: Any) -> None:
        """Bind a Scheme variable in the top-level environment."""
        self.env.define(Symbol(name), value)

    def lookup(self, name: str) -> Any:
        """The value of a top-level variable (UnboundVariableError if it has none)."""
        return self.env.lookup(Symbol(name))

    def define_primitive(self, name: str, fn: Callable[..., Any]) -> Primitive:
        """Make a Python function callable from Scheme as `name`.

        Arguments and results pass unconverted, except that a Python bool result becomes
        #t or #f and None the unspecified value (a host function's False must be false).
        """
        lo, hi = arity_of(fn)

        def call(*args: Any) -> Any:
            result = fn(*args)
            if result is None:
                return UNSPECIFIED
            if result is True or result is False:
                return TRUE if result else FALSE
            return result

        proc = Primitive(name, call, lo, hi)
        self.define(name, proc)
        return proc

    # -- embedding: calls, suspensions, continuations (see embed.py) ----------------------
    def call(self, proc: Any, *args: Any, step_limit: int | None = None) -> Any:
        """Apply a Scheme procedure to args; its value, or the payload of the Suspend
        that stopped the machine."""
        limit = step_limit if step_limit is not None else self.step_limit
        return embed.call(self.machine, proc, list(args), limit)

    def resume(self, cont: Continuation, value: Any, *, step_limit: int | None = None) -> Any:
        """Resume a captured continuation (a SuspensionPoint's, or a call/cc one) with value;
        like call, returns the value it ends with or a Suspend's payload."""
        limit = step_limit if step_limit is not None else self.step_limit
        return self.machine.resume(cont, value, step_limit=limit)

    def define_suspending(self, name: str, fn: Callable[..., Any]) -> ControlPrimitive:
        """Make fn(point, *args) callable from Scheme as `name`. It gets a SuspensionPoint
        and returns a value, or Suspend(payload) to stop the machine: the call or resume
        running it returns payload, and point.continuation resumes where it stopped."""
        return self.define_control(name, embed.suspending(fn))

    def globals_locked(self, reason: str) -> AbstractContextManager[None]:
        """A context in which set! and define of global variables raise `reason`."""
        return embed.globals_locked(self.machine, reason)

    def define_control(self, name: str, fn: Callable[..., tuple]) -> ControlPrimitive:
        """Define a control primitive fn(machine, args, k) -> transfer (see run/machine.py)."""
        lo, hi = arity_of(fn)
        if not lo <= 3 <= (hi if hi is not None else 3):
            raise TypeError("a control primitive takes (machine, args, k)")
        proc = ControlPrimitive(name, fn, 0, None)
        self.define(name, proc)
        return proc
