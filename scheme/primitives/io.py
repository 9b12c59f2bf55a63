"""Input and output procedures (R7RS 6.13) over the ports of scheme/ports.py.

The current ports belong to an interpreter, not to this module: `make_port_parameters`
makes the three parameter objects (current-output-port, current-error-port and
current-input-port) for one interpreter, and `io_primitives` makes that interpreter's
procedures whose port argument defaults to a current port (display, read-char, ...),
each closed over the parameters so parameterize redirects them. Procedures that never
consult a current port (open-input-string, port?, close-port, ...) are registered once
with @primitive like every other primitive. The guest's default input port is empty: it
has no access to the host's stdin.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TextIO

from ..errors import SchemeError
from ..ports import (
    BytevectorInputPort,
    BytevectorOutputPort,
    Port,
    StringInputPort,
    StringOutputPort,
    TextStreamPort,
)
from ..printer import display_string, write_shared_string, write_string
from ..types import (
    EOF,
    TRUE,
    UNSPECIFIED,
    Boolean,
    Bytevector,
    Char,
    MString,
    Parameter,
    Primitive,
    boolean,
)
from .registry import arity_of, primitive, wrong_type
from .strings import check_range, check_string
from .vectors import check_byte, check_bytevector

OUTPUT, ERROR, INPUT = "current-output-port", "current-error-port", "current-input-port"

# name -> fn(current_params, *args): procedures whose port argument defaults to a current port.
_CURRENT_PORT_PROCEDURES: dict[str, Callable] = {}


def _uses_current_port(name: str) -> Callable[[Callable], Callable]:
    def deco(fn: Callable) -> Callable:
        _CURRENT_PORT_PROCEDURES[name] = fn
        return fn

    return deco


def make_port_parameters(output: TextIO, error: TextIO) -> dict[str, Parameter]:
    """One interpreter's current-output/error/input-port parameters."""
    return {
        OUTPUT: Parameter(TextStreamPort(output, "output"), None, OUTPUT),
        ERROR: Parameter(TextStreamPort(error, "error output"), None, ERROR),
        INPUT: Parameter(StringInputPort(""), None, INPUT),
    }


def io_primitives(params: dict[str, Parameter]) -> dict[str, Primitive]:
    """The port-defaulting I/O procedures of one interpreter, closed over its parameters."""
    out: dict[str, Primitive] = {}
    for name, fn in _CURRENT_PORT_PROCEDURES.items():
        lo, hi = arity_of(fn, skip=1)
        out[name] = Primitive(name, partial(fn, params), lo, hi)
    return out


def _output_port(who: str, params: dict, port: Any, textual: bool = True) -> Any:
    """port (or the current output port when None), checked to be an open output port."""
    if port is None:
        port = params[OUTPUT].value
    if not isinstance(port, Port) or not port.is_output or port.is_textual is not textual:
        kind = "a textual output port" if textual else "a binary output port"
        raise wrong_type(who, kind, port)
    if port.closed:
        raise SchemeError(f"{who}: cannot write to a closed port")
    return port


def _input_port(who: str, params: dict, port: Any, textual: bool = True) -> Any:
    """port (or the current input port when None), checked to be an open input port."""
    if port is None:
        port = params[INPUT].value
    if not isinstance(port, Port) or not port.is_input or port.is_textual is not textual:
        kind = "a textual input port" if textual else "a binary input port"
        raise wrong_type(who, kind, port)
    if port.closed:
        raise SchemeError(f"{who}: cannot read from a closed port")
    return port


def _count(who: str, k: Any) -> int:
    if type(k) is not int or k < 0:
        raise wrong_type(who, "a non-negative exact integer", k)
    return k


# --- textual output ---------------------------------------------------------------------


@_uses_current_port("display")
def display(params: dict, obj: Any, port: Any = None) -> Any:
    """display: strings and characters printed raw."""
    _output_port("display", params, port).write(display_string(obj))
    return UNSPECIFIED


@_uses_current_port("write")
def write(params: dict, obj: Any, port: Any = None) -> Any:
    """write: the external representation, with datum labels for cycles."""
    _output_port("write", params, port).write(write_string(obj))
    return UNSPECIFIED


@_uses_current_port("write-shared")
def write_shared(params: dict, obj: Any, port: Any = None) -> Any:
    """write-shared: datum labels for all shared structure."""
    _output_port("write-shared", params, port).write(write_shared_string(obj))
    return UNSPECIFIED


@_uses_current_port("write-simple")
def write_simple(params: dict, obj: Any, port: Any = None) -> Any:
    """write-simple; a cycle is labelled rather than printed forever."""
    _output_port("write-simple", params, port).write(write_string(obj))
    return UNSPECIFIED


@_uses_current_port("newline")
def newline(params: dict, port: Any = None) -> Any:
    """newline"""
    _output_port("newline", params, port).write("\n")
    return UNSPECIFIED


@_uses_current_port("write-char")
def write_char(params: dict, c: Any, port: Any = None) -> Any:
    """write-char"""
    if type(c) is not Char:
        raise wrong_type("write-char", "a character", c, 1)
    _output_port("write-char", params, port).write(c.ch)
    return UNSPECIFIED


@_uses_current_port("write-string")
def write_string_(params: dict, s: Any, port: Any = None, start: Any = 0, end: Any = None) -> Any:
    """write-string"""
    text = check_string("write-string", s, 1)
    p = _output_port("write-string", params, port)
    i, j = check_range("write-string", start, end, len(text))
    p.write(text[i:j])
    return UNSPECIFIED


@_uses_current_port("flush-output-port")
def flush_output_port(params: dict, port: Any = None) -> Any:
    """flush-output-port"""
    # any output port, textual or binary
    textual = not (isinstance(port, Port) and not port.is_textual)
    _output_port("flush-output-port", params, port, textual).flush()
    return UNSPECIFIED


# --- textual input ----------------------------------------------------------------------


@_uses_current_port("read-char")
def read_char(params: dict, port: Any = None) -> Any:
    """read-char"""
    ch = _input_port("read-char", params, port).read_char()
    return EOF if ch is None else Char(ch)


@_uses_current_port("peek-char")
def peek_char(params: dict, port: Any = None) -> Any:
    """peek-char"""
    ch = _input_port("peek-char", params, port).peek_char()
    return EOF if ch is None else Char(ch)


@_uses_current_port("read-line")
def read_line(params: dict, port: Any = None) -> Any:
    """read-line: the next line without its end-of-line, or the eof object."""
    line = _input_port("read-line", params, port).read_line()
    return EOF if line is None else MString(line)


@_uses_current_port("read-string")
def read_string(params: dict, k: Any, port: Any = None) -> Any:
    """read-string: up to k characters, or the eof object when none are left."""
    n = _count("read-string", k)
    text = _input_port("read-string", params, port).read_string(n)
    return EOF if text is None else MString(text)


@_uses_current_port("char-ready?")
def char_ready(params: dict, port: Any = None) -> Boolean:
    """char-ready? (a string port is always ready)"""
    _input_port("char-ready?", params, port)
    return TRUE


@_uses_current_port("read")
def read(params: dict, port: Any = None) -> Any:
    """read: the next datum from a string port, or the eof object."""
    from ..read.reader import read_datum

    p = _input_port("read", params, port)
    datum, end = read_datum(p.text, p.pos, p.name)
    p.pos = end
    return datum


# --- binary input and output ------------------------------------------------------------


@_uses_current_port("write-u8")
def write_u8(params: dict, byte: Any, port: Any = None) -> Any:
    """write-u8"""
    b = check_byte("write-u8", byte, 1)
    _output_port("write-u8", params, port, textual=False).write_bytes(bytes((b,)))
    return UNSPECIFIED


@_uses_current_port("write-bytevector")
def write_bytevector(
    params: dict, bv: Any, port: Any = None, start: Any = 0, end: Any = None
) -> Any:
    """write-bytevector"""
    data = check_bytevector("write-bytevector", bv, 1)
    p = _output_port("write-bytevector", params, port, textual=False)
    i, j = check_range("write-bytevector", start, end, len(data))
    p.write_bytes(data[i:j])
    return UNSPECIFIED


@_uses_current_port("read-u8")
def read_u8(params: dict, port: Any = None) -> Any:
    """read-u8"""
    data = _input_port("read-u8", params, port, textual=False).read_bytes(1)
    return EOF if data is None else data[0]


@_uses_current_port("peek-u8")
def peek_u8(params: dict, port: Any = None) -> Any:
    """peek-u8"""
    b = _input_port("peek-u8", params, port, textual=False).peek_byte()
    return EOF if b is None else b


@_uses_current_port("u8-ready?")
def u8_ready(params: dict, port: Any = None) -> Boolean:
    """u8-ready? (a bytevector port is always ready)"""
    _input_port("u8-ready?", params, port, textual=False)
    return TRUE


@_uses_current_port("read-bytevector")
def read_bytevector(params: dict, k: Any, port: Any = None) -> Any:
    """read-bytevector: up to k bytes, or the eof object when none are left."""
    n = _count("read-bytevector", k)
    data = _input_port("read-bytevector", params, port, textual=False).read_bytes(n)
    return EOF if data is None else Bytevector(bytearray(data))


@_uses_current_port("read-bytevector!")
def read_bytevector_into(
    params: dict, bv: Any, port: Any = None, start: Any = 0, end: Any = None
) -> Any:
    """read-bytevector!: fills bv[start:end]; the count read, or the eof object."""
    dest = check_bytevector("read-bytevector!", bv, 1)
    p = _input_port("read-bytevector!", params, port, textual=False)
    i, j = check_range("read-bytevector!", start, end, len(dest))
    data = p.read_bytes(j - i)
    if data is None:
        return EOF
    dest[i : i + len(data)] = data
    return len(data)


# --- making, inspecting and closing ports -----------------------------------------------


@primitive("open-input-string")
def open_input_string(s: Any) -> StringInputPort:
    """open-input-string"""
    return StringInputPort(check_string("open-input-string", s))


@primitive("open-output-string")
def open_output_string() -> StringOutputPort:
    """open-output-string"""
    return StringOutputPort()


@primitive("get-output-string")
def get_output_string(port: Any) -> MString:
    """get-output-string"""
    if type(port) is not StringOutputPort:
        raise wrong_type("get-output-string", "a port made by open-output-string", port)
    return MString(port.getvalue())


@primitive("open-input-bytevector")
def open_input_bytevector(bv: Any) -> BytevectorInputPort:
    """open-input-bytevector"""
    return BytevectorInputPort(check_bytevector("open-input-bytevector", bv))


@primitive("open-output-bytevector")
def open_output_bytevector() -> BytevectorOutputPort:
    """open-output-bytevector"""
    return BytevectorOutputPort()


@primitive("get-output-bytevector")
def get_output_bytevector(port: Any) -> Bytevector:
    """get-output-bytevector"""
    if type(port) is not BytevectorOutputPort:
        raise wrong_type("get-output-bytevector", "a port made by open-output-bytevector", port)
    return Bytevector(bytearray(port.data))


@primitive("eof-object")
def eof_object() -> Any:
    """eof-object"""
    return EOF


@primitive("eof-object?")
def is_eof_object(x: Any) -> Boolean:
    """eof-object?"""
    return boolean(x is EOF)


def _port_predicate(name: str, test: Callable[[Port], bool]) -> None:
    def predicate(x: Any) -> Boolean:
        return boolean(isinstance(x, Port) and test(x))

    predicate.__doc__ = name
    primitive(name)(predicate)


_port_predicate("port?", lambda p: True)
_port_predicate("input-port?", lambda p: p.is_input)
_port_predicate("output-port?", lambda p: p.is_output)
_port_predicate("textual-port?", lambda p: p.is_textual)
_port_predicate("binary-port?", lambda p: not p.is_textual)


def _port(who: str, port: Any, direction: str = "") -> Port:
    """port, which must be a port (an input or output one when direction says so)."""
    if not isinstance(port, Port) or (
        direction and not (port.is_input if direction == "input" else port.is_output)
    ):
        raise wrong_type(who, f"an {direction} port" if direction else "a port", port)
    return port


@primitive("input-port-open?")
def is_input_port_open(port: Any) -> Boolean:
    """input-port-open?"""
    return boolean(not _port("input-port-open?", port, "input").closed)


@primitive("output-port-open?")
def is_output_port_open(port: Any) -> Boolean:
    """output-port-open?"""
    return boolean(not _port("output-port-open?", port, "output").closed)


@primitive("close-port")
def close_port(port: Any) -> Any:
    """close-port (closing a closed port does nothing)"""
    _port("close-port", port).close()
    return UNSPECIFIED


@primitive("close-input-port")
def close_input_port(port: Any) -> Any:
    """close-input-port"""
    _port("close-input-port", port, "input").close()
    return UNSPECIFIED


@primitive("close-output-port")
def close_output_port(port: Any) -> Any:
    """close-output-port"""
    _port("close-output-port", port, "output").close()
    return UNSPECIFIED
