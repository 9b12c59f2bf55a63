"""A small R7RS Scheme whose continuations live on the heap.

The pipeline: `reader` (Lark, grammar.lark) turns text into data with source spans;
`compiler` expands macros, checks special forms and resolves every variable to a frame
slot or global cell, producing `nodes`; `machine` runs nodes with its continuation as a
chain of frame objects, so call/cc is first class and re-entrant, tail calls are proper
in every tail position, and no Scheme program can reach Python's recursion limit.
Procedures are registered in `primitives` (Python) and `prelude.scm` (Scheme).
`Interpreter` ties them together for embedding; `python -m scheme` runs files or a REPL.
`libraries` resolves `import` and `define-library` (the standard `(scheme ...)` names are
views on the standard environment); `capabilities` holds what only an embedder may grant
(clock, files, command line, exit, environment variables). `fastread` reads plain data
without Lark and falls back to the grammar for everything else.
"""

from .capabilities import ALL_CAPABILITIES
from .errors import (
    ArityError,
    DepthLimitError,
    FileError,
    LibraryError,
    ProgramExit,
    ReadError,
    SchemeError,
    SchemeRaise,
    SchemeSyntaxError,
    Span,
    StepLimitError,
    UnboundVariableError,
    WrongTypeError,
)
from .interpreter import Interpreter
from .printer import display_string, write_string
from .reader import read_all, read_datum
from .types import (
    EOF,
    FALSE,
    NIL,
    TRUE,
    UNSPECIFIED,
    Char,
    MString,
    Pair,
    Symbol,
    Values,
    Vector,
    list_from,
    list_to_python,
)

__all__ = [
    "ALL_CAPABILITIES",
    "ArityError",
    "Char",
    "DepthLimitError",
    "EOF",
    "FALSE",
    "FileError",
    "Interpreter",
    "LibraryError",
    "MString",
    "NIL",
    "Pair",
    "ProgramExit",
    "ReadError",
    "SchemeError",
    "SchemeRaise",
    "SchemeSyntaxError",
    "Span",
    "StepLimitError",
    "Symbol",
    "TRUE",
    "UNSPECIFIED",
    "UnboundVariableError",
    "Values",
    "Vector",
    "WrongTypeError",
    "display_string",
    "list_from",
    "list_to_python",
    "read_all",
    "read_datum",
    "write_string",
]
