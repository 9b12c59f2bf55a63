"""Scheme data: each Scheme type has its own Python type.

Numbers are Python `int`, `fractions.Fraction` (always normalised: a whole fraction becomes
an `int`) and `float` (inexact only). Everything else is a class here: interned `Symbol`,
`Pair` with the single empty list `NIL`, mutable `MString`, `Char`, the two `Boolean`s
(never equal to 0 or 1, never colliding with them as dict keys), `Vector`, `Bytevector`,
`Values`, records, promises, parameters, environments and the procedures.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from typing import Any

from .errors import SchemeError, Span, WrongTypeError


class _SymbolRef(weakref.ref):
    """The intern table's reference to a symbol; the entry goes when the symbol dies."""

    __slots__ = ("key",)


def _drop_symbol(ref: _SymbolRef) -> None:
    if Symbol._table.get(ref.key) is ref:
        del Symbol._table[ref.key]


class Symbol:
    """An interned symbol: `Symbol("x") is Symbol("x")`.

    The intern table holds its symbols weakly: a symbol nothing refers to any more (one
    a fuzzer or a long-gone interpreter made) is freed, so interning cannot grow without
    bound; while any reference lives, every Symbol("x") is that same object."""

    __slots__ = ("name", "__weakref__")
    _table: dict[str, _SymbolRef] = {}

    def __new__(cls, name: str) -> Symbol:
        ref = cls._table.get(name)
        if ref is not None:
            sym = ref()
            if sym is not None:
                return sym
        sym = object.__new__(cls)
        sym.name = name
        r = _SymbolRef(sym, _drop_symbol)
        r.key = name
        cls._table[name] = r
        return sym

    def __reduce__(self) -> tuple:
        return (Symbol, (self.name,))

    def __repr__(self) -> str:
        return f"Symbol({self.name!r})"

    def __str__(self) -> str:
        return self.name


class Nil:
    """The empty list. There is exactly one: `NIL`."""

    __slots__ = ()
    _instance: Nil | None = None

    def __new__(cls) -> Nil:
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __reduce__(self) -> tuple:
        return (Nil, ())

    def __repr__(self) -> str:
        return "NIL"

    def __iter__(self) -> Iterator:
        return iter(())


NIL = Nil()


class Pair:
    """A cons cell. `span` is where the reader found it (None when built at run time)."""

    __slots__ = ("car", "cdr", "span")

    def __init__(self, car: Any, cdr: Any) -> None:
        self.car = car
        self.cdr = cdr
        self.span: Span | None = None

    def __iter__(self) -> Iterator:
        """The elements of a proper list; an improper tail raises WrongTypeError."""
        x: Any = self
        while type(x) is Pair:
            yield x.car
            x = x.cdr
        if x is not NIL:
            raise WrongTypeError("expected a proper list", (self,))

    def __repr__(self) -> str:
        from .printer import write_string

        return f"<Pair {write_string(self)}>"


class Boolean:
    """#t or #f: `TRUE` and `FALSE`. Not an int, so never equal to 0 or 1."""

    __slots__ = ("value",)

    def __new__(cls, value: bool) -> Boolean:
        return TRUE if value else FALSE

    def __bool__(self) -> bool:
        return self.value

    def __reduce__(self) -> tuple:
        return (Boolean, (self.value,))

    def __repr__(self) -> str:
        return "#t" if self.value else "#f"


TRUE = object.__new__(Boolean)
TRUE.value = True
FALSE = object.__new__(Boolean)
FALSE.value = False


def boolean(x: object) -> Boolean:
    """A Python truth value as a Scheme boolean."""
    return TRUE if x else FALSE


class Char:
    """A character. Interned: `Char("a") is Char("a")`."""

    __slots__ = ("ch",)
    _table: dict[str, Char] = {}

    def __new__(cls, ch: str) -> Char:
        c = cls._table.get(ch)
        if c is None:
            c = object.__new__(cls)
            c.ch = ch
            if len(cls._table) < 4096:
                cls._table[ch] = c
        return c

    def __eq__(self, other: object) -> bool:
        return type(other) is Char and other.ch == self.ch

    def __hash__(self) -> int:
        return hash(("char", self.ch))

    def __reduce__(self) -> tuple:
        return (Char, (self.ch,))

    def __repr__(self) -> str:
        from .printer import write_string

        return write_string(self)


class MString:
    """A mutable Scheme string (distinct from symbols and from Python str).

    `.s` is its text as a Python str. string-set! and string-fill! switch it to a list of
    characters, so each change costs O(1) per character instead of rebuilding the str;
    `.s` joins the list again only when it is read after a change.
    """

    __slots__ = ("_s", "_buf", "span")

    def __init__(self, s: str) -> None:
        self._s: str | None = s
        self._buf: list[str] | None = None
        self.span: Span | None = None

    @property
    def s(self) -> str:
        text = self._s
        if text is None:
            text = self._s = "".join(self._buf)  # type: ignore[arg-type]
        return text

    @s.setter
    def s(self, text: str) -> None:
        self._s = text
        self._buf = None

    def length(self) -> int:
        """The number of characters."""
        return len(self._buf) if self._buf is not None else len(self._s)  # type: ignore[arg-type]

    def char_at(self, i: int) -> str:
        """Character i (the caller checked the index)."""
        return self._buf[i] if self._buf is not None else self._s[i]  # type: ignore[index]

    def fill(self, i: int, j: int, ch: str) -> None:
        """Characters i..j-1 become ch, in place."""
        buf = self._buf
        if buf is None:
            buf = self._buf = list(self._s)  # type: ignore[arg-type]
        if j - i == 1:
            buf[i] = ch
        else:
            buf[i:j] = ch * (j - i)
        self._s = None

    def __repr__(self) -> str:
        return f"MString({self.s!r})"


class Vector:
    """A Scheme vector; `items` is a Python list."""

    __slots__ = ("items", "span")

    def __init__(self, items: list) -> None:
        self.items = items
        self.span: Span | None = None

    def __repr__(self) -> str:
        from .printer import write_string

        return write_string(self)


class Bytevector:
    """A Scheme bytevector; `data` is a bytearray."""

    __slots__ = ("data", "span")

    def __init__(self, data: bytearray) -> None:
        self.data = data
        self.span: Span | None = None

    def __repr__(self) -> str:
        from .printer import write_string

        return write_string(self)


class Values:
    """Zero or several values returned at once (one value is just the value)."""

    __slots__ = ("items",)

    def __init__(self, items: tuple) -> None:
        self.items = items

    def __repr__(self) -> str:
        return f"Values{self.items!r}"


class _Singleton:
    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return self.label


UNSPECIFIED = _Singleton("#<unspecified>")
EOF = _Singleton("#<eof>")
# The value of a letrec/internal-define variable before its initialiser ran.
UNDEFINED = _Singleton("#<undefined>")


class RecordType:
    """A type made by define-record-type."""

    __slots__ = ("name", "fields")

    def __init__(self, name: str, fields: tuple[Symbol, ...]) -> None:
        self.name = name
        self.fields = fields

    def __repr__(self) -> str:
        return f"#<record-type {self.name}>"


class Record:
    """An instance of a RecordType; `values` holds the fields in declaration order."""

    __slots__ = ("rtype", "values")

    def __init__(self, rtype: RecordType, values: list) -> None:
        self.rtype = rtype
        self.values = values

    def __repr__(self) -> str:
        from .printer import write_string

        return write_string(self)


class Promise:
    """A promise from delay, delay-force or make-promise.

    `box` is a two-element list [done?, value-or-thunk]; promises that were chained by
    delay-force share one box (R7RS's reference implementation).
    """

    __slots__ = ("box",)

    def __init__(self, done: bool, value: Any) -> None:
        self.box = [done, value]


class Environment:
    """A top-level environment: identifier -> Cell (a variable) or syntax (a keyword)."""

    __slots__ = ("table", "name", "libraries", "imported", "origin")

    def __init__(self, name: str = "top-level") -> None:
        self.table: dict[Any, Any] = {}
        self.name = name
        self.libraries: Any = None  # the LibraryRegistry `import` uses (libraries.py)
        self.imported: dict[Any, Any] = {}  # name -> the binding an import installed
        self.origin: Any = None  # a library file's directory (where include looks)

    def cell(self, name: Symbol) -> Cell:
        """The variable cell for name, created unbound when absent (or shadowing syntax)."""
        c = self.table.get(name)
        if type(c) is not Cell:
            c = Cell(name)
            self.table[name] = c
        return c

    def define(self, name: Symbol, value: Any) -> None:
        """Bind name to value (a variable) in this environment."""
        self.cell(name).value = value

    def lookup(self, name: Symbol) -> Any:
        """The value of variable name; UnboundVariableError when it has none."""
        from .errors import UnboundVariableError

        c = self.table.get(name)
        if type(c) is not Cell or c.value is UNBOUND:
            raise UnboundVariableError(f"unbound variable: {name.name}")
        return c.value

    def copy(self, name: str) -> Environment:
        """A new environment with the same bindings (cells are copied, not shared)."""
        env = Environment(name)
        env.libraries = self.libraries
        for k, v in self.table.items():
            env.table[k] = Cell(v.name, v.value) if type(v) is Cell else v
        return env

    def __repr__(self) -> str:
        return f"#<environment {self.name}>"


UNBOUND = _Singleton("#<unbound>")


class Cell:
    """A top-level variable. Compiled code holds the cell, so lookups are one attribute."""

    __slots__ = ("name", "value")

    def __init__(self, name: Symbol, value: Any = UNBOUND) -> None:
        self.name = name
        self.value = value

    def __repr__(self) -> str:
        return f"Cell({self.name.name})"


# --- procedures -------------------------------------------------------------------------


class Procedure:
    """Base class of everything `procedure?` accepts."""

    __slots__ = ()


class Primitive(Procedure):
    """A procedure written in Python that returns its value directly.

    `expects` (predicate, description) is used only to explain a Python TypeError raised
    inside `fn`: the first argument failing the predicate is named in the message.
    """

    __slots__ = ("name", "fn", "min_args", "max_args", "expects")

    def __init__(
        self,
        name: str,
        fn: Callable,
        min_args: int,
        max_args: int | None,
        expects: tuple[Callable[[Any], bool], str] | None = None,
    ) -> None:
        self.name = name
        self.fn = fn
        self.min_args = min_args
        self.max_args = max_args
        self.expects = expects

    def __repr__(self) -> str:
        return f"#<procedure {self.name}>"


class ControlPrimitive(Procedure):
    """A procedure that needs the machine: it gets (machine, args, k) and returns a transfer.

    See `run/machine.py` for the transfers (return a value, call a procedure, evaluate a node,
    stop the machine).
    """

    __slots__ = ("name", "fn", "min_args", "max_args")

    def __init__(self, name: str, fn: Callable, min_args: int, max_args: int | None) -> None:
        self.name = name
        self.fn = fn
        self.min_args = min_args
        self.max_args = max_args

    def __repr__(self) -> str:
        return f"#<procedure {self.name}>"


class Closure(Procedure):
    """A lambda closed over its environment frame."""

    __slots__ = ("lam", "env")

    def __init__(self, lam: Any, env: Any) -> None:
        self.lam = lam
        self.env = env

    @property
    def name(self) -> str:
        return self.lam.name

    def __repr__(self) -> str:
        return f"#<procedure {self.lam.name}>"


class CaseLambda(Procedure):
    """A procedure made by case-lambda: the first clause whose arity fits is used."""

    __slots__ = ("clauses", "name")

    def __init__(self, clauses: tuple[Closure, ...], name: str) -> None:
        self.clauses = clauses
        self.name = name

    def __repr__(self) -> str:
        return f"#<procedure {self.name}>"


class Continuation(Procedure):
    """A captured continuation: frames, dynamic-wind list, handler stack and depth."""

    __slots__ = ("k", "winds", "handlers", "depth")

    def __init__(self, k: Any, winds: Any, handlers: Any, depth: int) -> None:
        self.k = k
        self.winds = winds
        self.handlers = handlers
        self.depth = depth

    def __repr__(self) -> str:
        return "#<continuation>"


class Parameter(Procedure):
    """A parameter object from make-parameter; calling it with no arguments reads it."""

    __slots__ = ("value", "converter", "name")

    def __init__(self, value: Any, converter: Any, name: str = "parameter") -> None:
        self.value = value
        self.converter = converter
        self.name = name

    def __repr__(self) -> str:
        return f"#<parameter {self.name}>"


def is_procedure(x: object) -> bool:
    """True for everything that can be applied."""
    return isinstance(x, Procedure)


# --- numbers ----------------------------------------------------------------------------


def is_number(x: object) -> bool:
    """Scheme number? (exact integer, exact rational, inexact real or inexact complex)."""
    t = type(x)
    return t is int or t is float or t is Fraction or t is complex


def normalize(x: Any) -> Any:
    """A whole Fraction becomes an int; other numbers are returned unchanged."""
    if type(x) is Fraction and x.denominator == 1:
        return x.numerator
    return x


# --- lists ------------------------------------------------------------------------------


def list_from(items: Iterable, tail: Any = NIL) -> Any:
    """A Scheme list of items (optionally ending in tail instead of '())."""
    seq = items if isinstance(items, (list, tuple)) else list(items)
    out = tail
    for x in reversed(seq):
        out = Pair(x, out)
    return out


def list_to_python(x: Any, who: str = "list") -> list:
    """The elements of a proper Scheme list as a Python list."""
    out = []
    start = x
    while type(x) is Pair:
        out.append(x.car)
        x = x.cdr
    if x is not NIL:
        raise WrongTypeError(f"{who}: expected a proper list", (start,))
    return out


def is_list(x: Any) -> bool:
    """Proper (finite, '()-terminated) list? Cycles are detected."""
    slow = x
    while True:
        if x is NIL:
            return True
        if type(x) is not Pair:
            return False
        x = x.cdr
        if x is NIL:
            return True
        if type(x) is not Pair:
            return False
        x = x.cdr
        slow = slow.cdr
        if x is slow:
            return False


__all__ = [
    "Symbol",
    "Nil",
    "NIL",
    "Pair",
    "Boolean",
    "TRUE",
    "FALSE",
    "boolean",
    "Char",
    "MString",
    "Vector",
    "Bytevector",
    "Values",
    "UNSPECIFIED",
    "EOF",
    "UNDEFINED",
    "UNBOUND",
    "RecordType",
    "Record",
    "Promise",
    "Environment",
    "Cell",
    "Procedure",
    "Primitive",
    "ControlPrimitive",
    "Closure",
    "CaseLambda",
    "Continuation",
    "Parameter",
    "is_procedure",
    "is_number",
    "normalize",
    "list_from",
    "list_to_python",
    "is_list",
    "SchemeError",
]
