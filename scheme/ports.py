"""Ports: string and bytevector ports, and a textual output port over a host stream.

Unless the embedder grants the files capability (capabilities.py, which adds file ports
on top of these), the guest never touches files, the network or the host's stdin: its
input ports read from strings or bytevectors it made itself, and its output goes to string
or bytevector ports or to the text streams the host gave the interpreter
(`TextStreamPort`, e.g. sys.stdout).
A port only holds its state; the Scheme procedures over ports (type and open checks,
current-port defaults) are in scheme/primitives/io.py.
"""

from __future__ import annotations

import re
from typing import TextIO

from .errors import SchemeError

_END_OF_LINE = re.compile(r"\r\n|\r|\n")


class Port:
    """Base of all ports; `closed` is set by close-port."""

    __slots__ = ("closed",)
    is_input = False
    is_output = False
    is_textual = True
    kind = "port"

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        """Close the port (further reads or writes are errors)."""
        self.closed = True

    def __repr__(self) -> str:
        return f"#<{self.kind}{' (closed)' if self.closed else ''}>"


class StringInputPort(Port):
    """A textual input port reading `text` from position `pos`."""

    __slots__ = ("text", "pos", "name")
    is_input = True
    kind = "string-input-port"

    def __init__(self, text: str, name: str = "string port") -> None:
        super().__init__()
        self.text = text
        self.pos = 0
        self.name = name

    def read_char(self) -> str | None:
        """The next character, consumed; None at the end."""
        pos = self.pos
        if pos >= len(self.text):
            return None
        self.pos = pos + 1
        return self.text[pos]

    def peek_char(self) -> str | None:
        """The next character, not consumed; None at the end."""
        pos = self.pos
        return self.text[pos] if pos < len(self.text) else None

    def read_line(self) -> str | None:
        """The text up to the next end of line (LF, CR or CR LF, not included); None at the end."""
        pos, text = self.pos, self.text
        if pos >= len(text):
            return None
        m = _END_OF_LINE.search(text, pos)
        if m is None:
            self.pos = len(text)
            return text[pos:]
        self.pos = m.end()
        return text[pos : m.start()]

    def read_string(self, k: int) -> str | None:
        """Up to k characters; None when k > 0 and nothing is left."""
        pos = self.pos
        if k > 0 and pos >= len(self.text):
            return None
        self.pos = min(pos + k, len(self.text))
        return self.text[pos : self.pos]


class StringOutputPort(Port):
    """A textual output port collecting text for get-output-string."""

    __slots__ = ("chunks",)
    is_output = True
    kind = "string-output-port"

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def write(self, text: str) -> None:
        """Append text."""
        self.chunks.append(text)

    def flush(self) -> None:
        """Nothing to flush."""

    def getvalue(self) -> str:
        """Everything written so far."""
        if len(self.chunks) > 1:
            self.chunks = ["".join(self.chunks)]
        return self.chunks[0] if self.chunks else ""


class TextStreamPort(Port):
    """A textual output port writing to a host text stream (closing it only flushes)."""

    __slots__ = ("stream", "name")
    is_output = True
    kind = "output-port"

    def __init__(self, stream: TextIO, name: str = "output") -> None:
        super().__init__()
        self.stream = stream
        self.name = name

    def write(self, text: str) -> None:
        """Write text to the stream."""
        try:
            self.stream.write(text)
        except (OSError, ValueError) as e:
            raise SchemeError(f"cannot write to {self.name}: {e}") from e

    def flush(self) -> None:
        """Flush the stream."""
        try:
            self.stream.flush()
        except (OSError, ValueError) as e:
            raise SchemeError(f"cannot flush {self.name}: {e}") from e

    def close(self) -> None:
        """Flush what was written and stay open: the host owns the stream and the port
        (guest code closing the interpreter's output must not silence it for good)."""
        try:
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def __repr__(self) -> str:
        return f"#<output-port {self.name}{' (closed)' if self.closed else ''}>"


class BytevectorInputPort(Port):
    """A binary input port reading `data` from position `pos`."""

    __slots__ = ("data", "pos")
    is_input = True
    is_textual = False
    kind = "bytevector-input-port"

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = bytes(data)
        self.pos = 0

    def read_bytes(self, k: int) -> bytes | None:
        """Up to k bytes; None when k > 0 and nothing is left."""
        pos = self.pos
        if k > 0 and pos >= len(self.data):
            return None
        self.pos = min(pos + k, len(self.data))
        return self.data[pos : self.pos]

    def peek_byte(self) -> int | None:
        """The next byte, not consumed; None at the end."""
        return self.data[self.pos] if self.pos < len(self.data) else None


class BytevectorOutputPort(Port):
    """A binary output port collecting bytes for get-output-bytevector."""

    __slots__ = ("data",)
    is_output = True
    is_textual = False
    kind = "bytevector-output-port"

    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()

    def write_bytes(self, data: bytes | bytearray) -> None:
        """Append bytes."""
        self.data += data

    def flush(self) -> None:
        """Nothing to flush."""


def is_port(x: object) -> bool:
    """True for every port."""
    return isinstance(x, Port)


__all__ = [
    "Port",
    "StringInputPort",
    "StringOutputPort",
    "TextStreamPort",
    "BytevectorInputPort",
    "BytevectorOutputPort",
    "is_port",
]
