"""include and include-ci (R7RS 4.1.7, 5.6.1): the forms of other files, spliced in.

A library file's includes are read relative to its directory; names there must stay
inside it unless the embedder granted files. Anywhere else include reads files, so it
needs the files capability (python -m scheme grants it; Interpreter() and flows do not).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..capabilities import FILES
from ..errors import LibraryError, Span
from ..types import MString, Pair, list_from
from .compiler import SPECIAL_FORMS, Compiler, special
from .syntax import Scope, form_items, require, strip


def _granted_files(libraries: Any) -> bool:
    return libraries is not None and FILES in libraries.capabilities


def read_included(
    x: Any, origin: Path | None, span: Span | None, fold_case: bool, libraries: Any = None
) -> list:
    """(datum, span) of every form in the files (include "file" ...) names."""
    from ..interpreter import read_source_file

    who = strip(x.car).name
    names = form_items(x.cdr, who, span)
    require(bool(names), who, f'expected ({who} "file" ...)', x, span)
    out: list = []
    granted = _granted_files(libraries)
    for name, nspan in names:
        require(type(name) is MString, who, "file names must be strings", x, nspan)
        rel = Path(name.s)
        if origin is None:
            if not granted:
                raise LibraryError(
                    f"{who}: reading files is not granted here (python -m scheme grants it)",
                    span=nspan,
                )
            base = Path(nspan.source.name).parent if nspan is not None else Path()
            path = rel if rel.is_absolute() else base / rel
        else:
            if not granted and (rel.is_absolute() or ".." in rel.parts):
                raise LibraryError(
                    f"{who}: {name.s} is outside the library's directory {origin}", span=nspan
                )
            path = origin / rel
        out.extend(read_source_file(path, fold_case=fold_case, span=nspan))
    return out


def _include(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any, ci: bool) -> Any:
    forms = read_included(x, c.env.origin, span, ci, c.env.libraries)
    spliced = Pair(SPECIAL_FORMS["begin"], list_from([f for f, _ in forms]))
    spliced.span = span
    if top == "rewrite":
        return spliced
    if top is True:
        return c.compile(spliced, None, span, top=True)
    require(bool(forms), "include", "the included files hold no expression", x, span)
    return c.compile_seq(forms, scope, span)


@special("include", definition=True)
def compile_include(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Any:
    # (include "file" ...)
    return _include(c, x, scope, span, top, ci=False)


@special("include-ci", definition=True)
def compile_include_ci(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Any:
    # (include-ci "file" ...)
    return _include(c, x, scope, span, top, ci=True)
