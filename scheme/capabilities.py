"""What only an embedder can grant: the clock, files, the command line, exit and the
process environment (R7RS `(scheme time)`, `(scheme file)`, `(scheme load)`,
`(scheme process-context)`).

`Interpreter()` grants none of them, and neither does a flow: a flow must stay
deterministic and sandboxed. `python -m scheme FILE` grants them all
(`ALL_CAPABILITIES`). A granted capability's procedures are bound in the interaction
environment and exported by its standard library.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from .errors import FileError, ProgramExit
from .ports import BytevectorInputPort, BytevectorOutputPort, StringInputPort, TextStreamPort
from .primitives.registry import arity_of, wrong_type
from .run.dynamic import wind_steps
from .run.frames import T_CALL, ControlFrame
from .types import (
    FALSE,
    TRUE,
    UNSPECIFIED,
    ControlPrimitive,
    Environment,
    MString,
    Pair,
    Primitive,
    Symbol,
    list_from,
)

CLOCK = "clock"
FILES = "files"
COMMAND_LINE = "command-line"
EXIT = "exit"
ENVIRONMENT_VARIABLES = "environment-variables"
ALL_CAPABILITIES: frozenset[str] = frozenset(
    {CLOCK, FILES, COMMAND_LINE, EXIT, ENVIRONMENT_VARIABLES}
)


def check_capabilities(caps: Iterable[str]) -> frozenset[str]:
    """caps as a frozenset, or ValueError naming the unknown ones."""
    out = frozenset(caps)
    unknown = sorted(out - ALL_CAPABILITIES)
    if unknown:
        raise ValueError(
            f"unknown capabilities {unknown}; the capabilities are {sorted(ALL_CAPABILITIES)}"
        )
    return out


# -- file ports ---------------------------------------------------------------------------


class FileOutputPort(TextStreamPort):
    """A textual output port on a file the guest opened; closing it closes the file."""

    __slots__ = ()

    def close(self) -> None:
        if not self.closed:
            try:
                self.stream.close()
            except OSError:
                pass
        self.closed = True


class BinaryFileOutputPort(BytevectorOutputPort):
    """A binary output port on a file: bytes go to the file on flush and close."""

    __slots__ = ("file",)

    def __init__(self, file: Any) -> None:
        super().__init__()
        self.file = file

    def flush(self) -> None:
        self.file.write(self.data)
        self.data = bytearray()
        self.file.flush()

    def close(self) -> None:
        if not self.closed:
            self.flush()
            self.file.close()
        self.closed = True


def _path(who: str, name: Any) -> str:
    if type(name) is not MString:
        raise wrong_type(who, "a file name string", name)
    return name.s


def _file_error(who: str, path: str, e: OSError) -> FileError:
    return FileError(f"{who}: cannot open {path}: {e.strerror or e}", (MString(path),))


def open_input_file(name: Any) -> StringInputPort:
    path = _path("open-input-file", name)
    try:
        with open(path, encoding="utf-8") as f:
            return StringInputPort(f.read(), path)
    except OSError as e:
        raise _file_error("open-input-file", path, e) from None
    except UnicodeDecodeError:
        raise FileError(f"open-input-file: {path} is not UTF-8 text") from None


def open_binary_input_file(name: Any) -> BytevectorInputPort:
    path = _path("open-binary-input-file", name)
    try:
        with open(path, "rb") as f:
            return BytevectorInputPort(f.read())
    except OSError as e:
        raise _file_error("open-binary-input-file", path, e) from None


def open_output_file(name: Any) -> FileOutputPort:
    path = _path("open-output-file", name)
    try:
        return FileOutputPort(open(path, "w", encoding="utf-8"), path)
    except OSError as e:
        raise _file_error("open-output-file", path, e) from None


def open_binary_output_file(name: Any) -> BinaryFileOutputPort:
    path = _path("open-binary-output-file", name)
    try:
        return BinaryFileOutputPort(open(path, "wb"))
    except OSError as e:
        raise _file_error("open-binary-output-file", path, e) from None


def file_exists(name: Any) -> Any:
    return TRUE if os.path.exists(_path("file-exists?", name)) else FALSE


def delete_file(name: Any) -> Any:
    path = _path("delete-file", name)
    try:
        os.remove(path)
    except OSError as e:
        raise FileError(f"delete-file: cannot delete {path}: {e.strerror or e}") from None
    return UNSPECIFIED


# Written in Scheme so the procedures they call run on the machine (call/cc, tail calls).
FILE_PROCEDURES_SCM = """
(define (call-with-input-file name proc) (call-with-port (open-input-file name) proc))
(define (call-with-output-file name proc) (call-with-port (open-output-file name) proc))
(define (with-input-from-file name thunk)
  (let ((port (open-input-file name)))
    (call-with-values (lambda () (parameterize ((current-input-port port)) (thunk)))
      (lambda vals (close-port port) (apply values vals)))))
(define (with-output-to-file name thunk)
  (let ((port (open-output-file name)))
    (call-with-values (lambda () (parameterize ((current-output-port port)) (thunk)))
      (lambda vals (close-port port) (apply values vals)))))
(define (load name . env)
  (let ((port (open-input-file name))
        (env (if (pair? env) (car env) (interaction-environment))))
    (let loop ()
      (let ((x (read port)))
        (if (eof-object? x)
            (close-port port)
            (begin (eval x env) (loop)))))))
"""

# -- process context -----------------------------------------------------------------------


def exit_code(obj: Any) -> int:
    """The process status for (exit obj): #t or nothing is 0, #f is 1, an integer itself."""
    if obj is TRUE or obj is UNSPECIFIED:
        return 0
    if obj is FALSE:
        return 1
    if type(obj) is int:
        return obj & 0xFF
    return 0


class _ExitFrame(ControlFrame):
    """Runs the after thunks of every dynamic-wind the program is inside, then exits."""

    __slots__ = ("steps", "i", "code")

    def __init__(self, steps: list, i: int, code: int) -> None:
        self.steps = steps
        self.i = i
        self.code = code
        self.next = None

    def resume(self, machine: Any, _: Any) -> tuple:
        if self.i < len(self.steps):
            thunk, winds, handlers = self.steps[self.i]
            machine.winds = winds
            machine.handlers = handlers
            return (T_CALL, thunk, [], _ExitFrame(self.steps, self.i + 1, self.code))
        raise ProgramExit(self.code)


def _exit(m: Any, args: list, k: Any) -> tuple:
    code = exit_code(args[0] if args else UNSPECIFIED)
    frame = _ExitFrame(wind_steps(m.winds, None), 0, code)
    return frame.resume(m, None)


def _emergency_exit(m: Any, args: list, k: Any) -> tuple:
    # a control primitive: the machine lets ProgramExit through from these
    raise ProgramExit(exit_code(args[0] if args else UNSPECIFIED))


def get_environment_variable(name: Any) -> Any:
    value = os.environ.get(_path("get-environment-variable", name))
    return FALSE if value is None else MString(value)


def get_environment_variables() -> Any:
    pairs = [Pair(MString(k), MString(v)) for k, v in sorted(os.environ.items())]
    return list_from(pairs)


def grant(
    env: Environment,
    caps: frozenset[str],
    command_line: list[str],
    run_scheme: Callable[[str], None],
) -> None:
    """Bind the procedures of every capability in caps in env."""

    def define(name: str, fn: Callable) -> None:
        lo, hi = arity_of(fn)
        env.define(Symbol(name), Primitive(name, fn, lo, hi))

    if CLOCK in caps:
        define("current-second", lambda: time.time())
        define("current-jiffy", lambda: time.monotonic_ns() // 1000)
        define("jiffies-per-second", lambda: 1_000_000)
    if FILES in caps:
        define("open-input-file", open_input_file)
        define("open-binary-input-file", open_binary_input_file)
        define("open-output-file", open_output_file)
        define("open-binary-output-file", open_binary_output_file)
        define("file-exists?", file_exists)
        define("delete-file", delete_file)
        run_scheme(FILE_PROCEDURES_SCM)
    if COMMAND_LINE in caps:
        args = list_from([MString(a) for a in command_line])
        define("command-line", lambda: args)
    if EXIT in caps:
        env.define(Symbol("exit"), ControlPrimitive("exit", _exit, 0, 1))
        env.define(
            Symbol("emergency-exit"), ControlPrimitive("emergency-exit", _emergency_exit, 0, 1)
        )
    if ENVIRONMENT_VARIABLES in caps:
        define("get-environment-variable", get_environment_variable)
        define("get-environment-variables", get_environment_variables)
