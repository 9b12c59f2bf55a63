"""Scheme errors: one root, subclasses named for what went wrong, each with a source span.

A `Span` points into a `Source` (the text of a file or string). `SchemeError.render()` gives
`file:line:col: message`, the source line and a caret under the column, then a short
Scheme backtrace (the spans of the frames that were waiting for a value).
"""

from __future__ import annotations


class Source:
    """A named piece of Scheme text (a file, a REPL entry, a string given to eval)."""

    __slots__ = ("name", "text", "_lines")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._lines: list[str] | None = None

    def line(self, n: int) -> str:
        """Line n (1-based) without its newline, or '' when out of range."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        if 1 <= n <= len(self._lines):
            return self._lines[n - 1]
        return ""

    def __repr__(self) -> str:
        return f"Source({self.name!r})"


class Span:
    """Where a datum starts: source, 1-based line, 1-based column."""

    __slots__ = ("source", "line", "col")

    def __init__(self, source: Source, line: int, col: int) -> None:
        self.source = source
        self.line = line
        self.col = col

    def __str__(self) -> str:
        return f"{self.source.name}:{self.line}:{self.col}"

    def __repr__(self) -> str:
        return f"Span({self})"

    def caret(self) -> str:
        """The source line and a caret under the column ('' if the line is unknown)."""
        text = self.source.line(self.line)
        if not text:
            return ""
        pad = "".join(c if c == "\t" else " " for c in text[: self.col - 1])
        return f"  {text}\n  {pad}^"


class SchemeError(Exception):
    """Root of every error the interpreter reports."""

    def __init__(self, message: str, irritants: tuple = (), span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.irritants = tuple(irritants)
        self.span = span
        self.backtrace: list[Span] = []

    def __str__(self) -> str:
        if not self.irritants:
            return self.message
        from .printer import write_string

        return self.message + " " + " ".join(write_string(x) for x in self.irritants)

    def with_span(self, span: Span | None) -> SchemeError:
        """Set the span unless one is already known; returns self."""
        if self.span is None and span is not None:
            self.span = span
        return self

    def render(self, backtrace: bool = True) -> str:
        """`file:line:col: message`, the line with a caret, and the Scheme backtrace."""
        where = f"{self.span}: " if self.span is not None else ""
        out = [f"{where}{self}"]
        if self.span is not None:
            caret = self.span.caret()
            if caret:
                out.append(caret)
        if backtrace and self.backtrace:
            out.append("backtrace (innermost first):")
            out.extend(f"  {s}" for s in self.backtrace)
        return "\n".join(out)


class ReadError(SchemeError):
    """Malformed source text."""


class SchemeSyntaxError(SchemeError):
    """A special form or macro use with the wrong shape."""


class UnboundVariableError(SchemeError):
    """A variable referenced (or set!) before anything defined it."""


class ArityError(SchemeError):
    """A procedure called with the wrong number of arguments."""


class WrongTypeError(SchemeError):
    """A procedure given an argument of the wrong type or out of range."""


class SchemeRaise(SchemeError):
    """`raise` of a non-error object that no handler caught; `.payload` is the object."""

    def __init__(self, payload: object, continuable: bool = False) -> None:
        from .printer import write_string

        super().__init__(f"uncaught raise: {write_string(payload)}")
        self.payload = payload
        self.continuable = continuable


class AbortEvaluation(Exception):  # noqa: N818 -- it is a signal, not an error
    """Raised by host code inside a primitive to stop the machine at once.

    Scheme handlers (guard, with-exception-handler) never see it: the embedding program
    uses it for conditions the guest must not be able to swallow.
    """


class StepLimitError(SchemeError):
    """The evaluation used up its step budget (a runaway loop)."""


class DepthLimitError(SchemeError):
    """The continuation grew past its depth cap (runaway non-tail recursion)."""


class FileError(SchemeError):
    """A file could not be opened, read, written or deleted (R7RS `file-error?`)."""


class ProgramExit(AbortEvaluation):
    """`exit` or `emergency-exit` ran: the program is over; `.code` is its exit status."""

    def __init__(self, code: int) -> None:
        super().__init__(f"exit {code}")
        self.code = code


class LibraryError(SchemeError):
    """A library could not be found, loaded or imported (R7RS 5.6)."""


class WorkLimitError(StepLimitError):
    """The evaluation used up its work budget (run/budget.py): primitives, expansion, reading."""


class MemoryLimitError(StepLimitError):
    """An allocation would take the evaluation past its memory ceiling (run/budget.py)."""
