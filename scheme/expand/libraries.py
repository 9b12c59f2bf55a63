"""R7RS libraries (5.6) and import sets (5.2): where `import` finds what it imports.

A library is an `Environment` of its own plus an export table, name -> binding: the
`Cell` of a variable (shared, so importers see the library's own variable) or the
`SpecialForm` / `Macro` of a keyword. Importing copies bindings into the importer's
table; `only`, `except`, `prefix` and `rename` edit that table first. The standard
libraries, `(scheme base)` ..., are views on one standard environment built on first
use; a library the embedder has not granted (`(scheme time)`, `(scheme file)`, ...) is
not available. Other libraries are `define-library` forms, given at top level or found
as `DIR/a/b.sld` (or `.scm`) for `(a b)` on the search path, each loaded once.

A program's `import` adds to the interaction environment, as R7RS 5.7 describes for a
REPL: the names it imports (prefixed, renamed, ...) are bound, and every standard name
stays visible. A library's body, and `(environment set ...)`, see only what they import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import LibraryError, SchemeError, Span
from ..types import NIL, UNBOUND, UNSPECIFIED, Cell, Environment, Pair, Symbol
from .compiler import Compiler, special
from .library_names import CAPABILITY_LIBRARIES, STANDARD_LIBRARIES
from .nodes import Const, Node
from .syntax import form_items, is_identifier, require, strip, syntax_error

LibraryName = tuple  # of str (identifiers) and int (exact non-negative integers)


def show_name(name: LibraryName) -> str:
    """A library name as written: (scheme base)."""
    return "(" + " ".join(str(p) for p in name) + ")"


def parse_library_name(x: Any, who: str, span: Span | None) -> LibraryName:
    """(a b 1) as ("a", "b", 1); a syntax error for anything else."""
    x = strip(x)
    parts: list = []
    p = x
    while type(p) is Pair:
        part = p.car
        if type(part) is Symbol:
            parts.append(part.name)
        elif type(part) is int and part >= 0:
            parts.append(part)
        else:
            parts = []
            break
        p = p.cdr
    require(
        bool(parts) and p is NIL,
        who,
        "a library name is a list of identifiers and exact non-negative integers, "
        "like (scheme base)",
        x,
        span,
    )
    return tuple(parts)


class Library:
    """A loaded library: its name, its environment, and what it exports."""

    __slots__ = ("name", "env", "exports")

    def __init__(self, name: LibraryName, env: Environment, exports: dict) -> None:
        self.name = name
        self.env = env
        self.exports = exports


_MODIFIERS = ("only", "except", "prefix", "rename")


class LibraryRegistry:
    """One interpreter's libraries: the standard ones, the loaded ones, the search path."""

    def __init__(
        self,
        make_env: Callable[[str], Environment],
        execute: Callable[[Node], Any],
        path: list[Path],
        capabilities: frozenset[str],
    ) -> None:
        self._make_env = make_env
        self._execute = execute
        self.path = path
        self.capabilities = capabilities
        self._base: Environment | None = None
        self.loaded: dict[LibraryName, Library] = {}
        self._loading: list[LibraryName] = []
        self.program_dirs: list[Path] = []  # directories of the files loaded so far

    # -- finding libraries ---------------------------------------------------------------
    def _standard(self, name: LibraryName, span: Span | None) -> Library:
        caps = CAPABILITY_LIBRARIES.get(name)
        if caps is not None and not self.capabilities.intersection(caps):
            raise LibraryError(
                f"{show_name(name)} is not available: the embedder has not granted the "
                f"{' or '.join(caps)} capability (python -m scheme grants it)",
                span=span,
            )
        if self._base is None:
            self._base = self._make_env("standard libraries")
        table = self._base.table
        exports = {}
        for n in STANDARD_LIBRARIES[name]:
            b = table.get(Symbol(n))
            if b is not None and not (type(b) is Cell and b.value is UNBOUND):
                exports[Symbol(n)] = b
        lib = Library(name, self._base, exports)
        self.loaded[name] = lib
        return lib

    def find_file(self, name: LibraryName) -> Path | None:
        """The file on the search path that should define library `name`."""
        for d in [*self.path, *self.program_dirs]:
            for ext in (".sld", ".scm"):
                p = Path(d, *[str(part) for part in name]).with_suffix(ext)
                if p.is_file():
                    return p
        return None

    def is_available(self, name: LibraryName) -> bool:
        """Could `(import name)` succeed (cond-expand's `library` requirement)?"""
        if name in self.loaded:
            return True
        if name in STANDARD_LIBRARIES:
            caps = CAPABILITY_LIBRARIES.get(name)
            return caps is None or bool(self.capabilities.intersection(caps))
        return self.find_file(name) is not None

    def library(self, name: LibraryName, span: Span | None) -> Library:
        """The library called name, loading it on first use."""
        lib = self.loaded.get(name)
        if lib is not None:
            return lib
        if name in STANDARD_LIBRARIES:
            return self._standard(name, span)
        if name in self._loading:
            chain = " -> ".join(show_name(n) for n in [*self._loading, name])
            raise LibraryError(f"libraries import each other in a cycle: {chain}", span=span)
        path = self.find_file(name)
        if path is None:
            where = ", ".join(str(d) for d in [*self.path, *self.program_dirs])
            where = where or "no directories"
            raise LibraryError(
                f"library {show_name(name)} not found (looked for "
                f"{'/'.join(str(p) for p in name)}.sld or .scm in {where}; "
                "add a directory with -I DIR or Interpreter(library_path=[...]))",
                span=span,
            )
        self._loading.append(name)
        try:
            self._load_file(path)
        finally:
            self._loading.pop()
        lib = self.loaded.get(name)
        if lib is None:
            raise LibraryError(f"{path} does not define library {show_name(name)}", span=span)
        return lib

    def _load_file(self, path: Path) -> None:
        from ..interpreter import read_source_file

        for datum, span in read_source_file(path):
            head = datum.car if type(datum) is Pair else None
            if not (type(head) is Symbol and head.name == "define-library"):
                raise LibraryError(
                    f"{path} may hold only define-library forms (found something else)",
                    span=span,
                )
            self.define_library(datum, span, path.parent)

    # -- import sets ---------------------------------------------------------------------
    def import_set(self, spec: Any, span: Span | None) -> dict:
        """name -> binding for one import set (R7RS 5.2)."""
        spec = strip(spec)
        head = spec.car if type(spec) is Pair else None
        if (
            type(head) is Symbol
            and head.name in _MODIFIERS
            and type(spec.cdr) is Pair
            and type(spec.cdr.car) is Pair
        ):
            who = head.name
            items = form_items(spec.cdr.cdr, who, span)
            inner = self.import_set(spec.cdr.car, span)
            if who == "prefix":
                require(
                    len(items) == 1 and type(items[0][0]) is Symbol,
                    who,
                    "expected (prefix import-set prefix)",
                    spec,
                    span,
                )
                pfx = items[0][0].name
                return {Symbol(pfx + k.name): v for k, v in inner.items()}
            if who == "rename":
                out = dict(inner)
                for r, _ in items:
                    require(
                        type(r) is Pair
                        and type(r.car) is Symbol
                        and type(r.cdr) is Pair
                        and type(r.cdr.car) is Symbol
                        and r.cdr.cdr is NIL,
                        who,
                        "each renaming must be (old new)",
                        spec,
                        span,
                    )
                    self._require_exported(inner, r.car, spec, span)
                    out.pop(r.car, None)
                for r, _ in items:
                    out[r.cdr.car] = inner[r.car]
                return out
            names = [n for n, _ in items]
            for n in names:
                require(type(n) is Symbol, who, "expected identifiers", spec, span)
                self._require_exported(inner, n, spec, span)
            if who == "only":
                return {n: inner[n] for n in names}
            return {k: v for k, v in inner.items() if k not in names}
        name = parse_library_name(spec, "import", span)
        return dict(self.library(name, span).exports)

    @staticmethod
    def _require_exported(bindings: dict, n: Symbol, spec: Any, span: Span | None) -> None:
        if n not in bindings:
            from ..printer import write_string

            raise LibraryError(
                f"import: {n.name} is not in the import set {write_string(spec.cdr.car)}",
                span=span,
            )

    def import_into(self, env: Environment, spec: Any, span: Span | None) -> None:
        """Bind in env everything import set `spec` names."""
        for n, b in self.import_set(spec, span).items():
            if env.origin is not None or env.name.startswith("library "):
                old = env.imported.get(n)
                if old is not None and old is not b:
                    raise LibraryError(
                        f"import: {n.name} is imported twice with different bindings",
                        span=span,
                    )
            env.table[n] = b
            env.imported[n] = b

    def environment(self, specs: list, span: Span | None) -> Environment:
        """(environment set ...): a new environment holding only those imports."""
        env = Environment("environment")
        env.libraries = self
        for spec in specs:
            self.import_into(env, spec, span)
        return env

    # -- define-library ------------------------------------------------------------------
    def define_library(self, form: Any, span: Span | None, origin: Path | None) -> Library:
        """Evaluate a (define-library name declaration ...) form and register it."""
        require(
            type(form.cdr) is Pair,
            "define-library",
            "expected (define-library name declaration ...)",
            form,
            span,
        )
        name = parse_library_name(form.cdr.car, "define-library", span)
        if name in STANDARD_LIBRARIES:
            raise LibraryError(f"{show_name(name)} is a standard library", span=span)
        env = Environment(f"library {show_name(name)}")
        env.libraries = self
        env.origin = origin
        exports: list[tuple[Symbol, Symbol, Span | None]] = []
        compiler = Compiler(env)
        self._declarations(form_items(form.cdr.cdr, "define-library", span), env, compiler, exports)
        table = {}
        for inner, outer, espan in exports:
            b = env.table.get(inner)
            if b is None or (type(b) is Cell and b.value is UNBOUND):
                raise LibraryError(
                    f"library {show_name(name)} exports {inner.name} but does not define it",
                    span=espan,
                )
            table[outer] = b
        lib = Library(name, env, table)
        self.loaded[name] = lib
        return lib

    def _declarations(self, decls: list, env: Environment, c: Compiler, exports: list) -> None:
        from .cond_expand import chosen_clause
        from .includes import read_included

        for decl, dspan in decls:
            head = strip(decl.car) if type(decl) is Pair else None
            kind = head.name if type(head) is Symbol else None
            if kind == "export":
                for spec, s in form_items(decl.cdr, "export", dspan):
                    exports.append(_export_spec(strip(spec), decl, s))
            elif kind == "import":
                for spec, s in form_items(decl.cdr, "import", dspan):
                    self.import_into(env, spec, s)
            elif kind == "begin":
                for f, s in form_items(decl.cdr, "begin", dspan):
                    self._execute(c.compile_toplevel(f, getattr(f, "span", None) or s))
            elif kind in ("include", "include-ci"):
                for f, s in read_included(decl, env.origin, dspan, kind == "include-ci", self):
                    self._execute(c.compile_toplevel(f, s))
            elif kind == "include-library-declarations":
                included = read_included(decl, env.origin, dspan, False, self)
                self._declarations(included, env, c, exports)
            elif kind == "cond-expand":
                body = chosen_clause(decl, self, dspan)
                self._declarations(body, env, c, exports)
            else:
                raise syntax_error(
                    "define-library",
                    "a declaration is (export ...), (import ...), (begin ...), (include ...), "
                    "(include-ci ...), (include-library-declarations ...) or (cond-expand ...)",
                    decl,
                    dspan,
                )


def _export_spec(spec: Any, decl: Any, span: Span | None) -> tuple:
    if type(spec) is Symbol:
        return spec, spec, span
    ok = (
        type(spec) is Pair
        and spec.car is Symbol("rename")
        and type(spec.cdr) is Pair
        and type(spec.cdr.cdr) is Pair
        and is_identifier(spec.cdr.car)
        and is_identifier(spec.cdr.cdr.car)
        and spec.cdr.cdr.cdr is NIL
    )
    require(ok, "export", "each export is a name or (rename name exported-name)", decl, span)
    return spec.cdr.car, spec.cdr.cdr.car, span


def registry_of(c: Compiler, who: str, x: Any, span: Span | None) -> LibraryRegistry:
    reg = c.env.libraries
    if reg is None:
        raise syntax_error(who, "this environment has no libraries", x, span)
    return reg


@special("import", definition=True)
def compile_import(c: Compiler, x: Pair, scope: Any, span: Span | None, top: Any) -> Node:
    # (import import-set ...)
    if top is not True:
        raise syntax_error("import", "import is allowed only at top level", x, span)
    reg = registry_of(c, "import", x, span)
    for spec, s in form_items(x.cdr, "import", span):
        try:
            reg.import_into(c.env, spec, s)
        except SchemeError as e:
            raise e.with_span(s) from None
    return Const(UNSPECIFIED, span)


@special("define-library", definition=True)
def compile_define_library(c: Compiler, x: Pair, scope: Any, span: Span | None, top: Any) -> Node:
    # (define-library name declaration ...)
    if top is not True:
        raise syntax_error("define-library", "allowed only at top level", x, span)
    reg = registry_of(c, "define-library", x, span)
    origin = None
    if span is not None and Path(span.source.name).is_file():
        origin = Path(span.source.name).parent
    reg.define_library(x, span, origin)
    return Const(UNSPECIFIED, span)
