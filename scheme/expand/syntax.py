"""Identifiers, scopes and keywords: what the compiler resolves names against.

Hygiene works by renaming. When a macro expands, every identifier its template
introduces becomes a fresh `Alias` of the original symbol that remembers the scope where
the macro was defined. A binding form that binds an alias binds that alias only, so a
macro's temporaries never capture the user's variables; a free alias resolves in the
macro's own scope, so a user binding at the use site cannot capture the macro's `if` or
`list`. `strip` turns aliases back into symbols where data is quoted.

A `Scope` is the compile-time picture of one runtime frame `[parent, v1, v2, ...]`:
identifier -> slot index (slots start at 1), plus any local macros.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import SchemeSyntaxError, Span
from ..run import budget
from ..types import NIL, Pair, Symbol, Vector


class Alias:
    """An identifier a macro expansion introduced: `sym` renamed, resolved in `scope`.

    `scope` None means the top level (of `env`, the macro's library, when set); `fresh`
    aliases (compiler temporaries) are bound wherever they are used and never resolve to
    anything else.
    """

    __slots__ = ("sym", "scope", "fresh", "env")

    def __init__(self, sym: Any, scope: Scope | None, fresh: bool = False, env: Any = None) -> None:
        self.sym = sym
        self.scope = scope
        self.fresh = fresh
        self.env = env  # the top-level environment of the macro (None: the user's own)

    def base(self) -> Symbol:
        """The symbol underneath any number of renamings."""
        s: Any = self
        while type(s) is Alias:
            s = s.sym
        return s

    def scheme_name(self) -> str:
        return self.base().name

    def __repr__(self) -> str:
        return f"Alias({self.base().name})"


def fresh(name: str) -> Alias:
    """A new identifier nothing else can refer to (for compiler temporaries)."""
    return Alias(Symbol(name), None, fresh=True)


def is_identifier(x: Any) -> bool:
    """Symbol or alias."""
    return type(x) is Symbol or type(x) is Alias


def base_name(x: Any) -> Symbol:
    """The symbol an identifier stands for."""
    return x.base() if type(x) is Alias else x


def strip(x: Any) -> Any:
    """x with every alias replaced by its symbol (syntax->datum), without recursion."""
    if type(x) is Alias:
        return x.base()
    if type(x) is not Pair and type(x) is not Vector:
        return x
    if not _has_alias(x):
        return x
    # Rebuild bottom-up with an explicit stack.
    results: list[Any] = []
    stack: list[tuple[int, Any]] = [(0, x)]
    while stack:
        state, node = stack.pop()
        t = type(node)
        if state == 0:
            if t is Alias:
                results.append(node.base())
            elif t is Pair:
                stack.append((1, node))
                stack.append((0, node.cdr))
                stack.append((0, node.car))
            elif t is Vector:
                stack.append((2, node))
                for item in reversed(node.items):
                    stack.append((0, item))
            else:
                results.append(node)
        elif state == 1:
            cdr = results.pop()
            car = results.pop()
            p = Pair(car, cdr)
            p.span = node.span
            results.append(p)
        else:
            n = len(node.items)
            items = results[len(results) - n :] if n else []
            del results[len(results) - n :]
            v = Vector(items)
            v.span = node.span
            results.append(v)
    return results[0]


def _has_alias(x: Any) -> bool:
    stack = [x]
    seen: set[int] = set()  # datum labels can make quoted data circular
    while stack:
        n = stack.pop()
        t = type(n)
        if t is Alias:
            return True
        if t is Pair or t is Vector:
            if id(n) in seen:
                continue
            seen.add(id(n))
            if t is Pair:
                stack.append(n.car)
                stack.append(n.cdr)
            else:
                stack.extend(n.items)
    return False


class Scope:
    """One runtime frame's names (slot indexes from 1) and local macros."""

    __slots__ = ("names", "parent", "macros", "checked", "is_frame", "depth")

    def __init__(self, parent: Scope | None, is_frame: bool = True) -> None:
        self.names: dict[Any, int] = {}
        self.parent = parent
        # Resolving a name walks the scopes out to where it is bound: code nested d deep
        # costs about d per name, charged here, so 20,000 nested lambdas stop with a
        # WorkLimitError instead of compiling for a minute.
        self.depth = 0 if parent is None else parent.depth + 1
        if self.depth > 64:
            budget.charge(self.depth << 2)
        self.macros: dict[Any, Any] | None = None
        self.checked: set[Any] = set()
        self.is_frame = is_frame

    def add(self, ident: Any, checked: bool = False) -> int:
        """Bind ident in this frame and return its slot (re-binding reuses the slot)."""
        idx = self.names.get(ident)
        if idx is None:
            idx = len(self.names) + 1
            self.names[ident] = idx
        if checked:
            self.checked.add(ident)
        return idx

    def size(self) -> int:
        """Slots in the runtime frame, the parent link included."""
        return len(self.names) + 1

    def add_macro(self, ident: Any, macro: Any) -> None:
        if self.macros is None:
            self.macros = {}
        self.macros[ident] = macro


class SpecialForm:
    """A core keyword; `compile(compiler, form, scope, span)` turns its uses into nodes.

    `definition` marks forms a body scanner must treat as definitions.
    """

    __slots__ = ("name", "compile", "definition")

    def __init__(self, name: str, compile: Callable, definition: bool = False) -> None:
        self.name = name
        self.compile = compile
        self.definition = definition

    def __repr__(self) -> str:
        return f"#<syntax {self.name}>"


def syntax_error(who: str, message: str, form: Any, span: Span | None) -> SchemeSyntaxError:
    """The one message format: `let: bad syntax: <what was expected>, in (let x)`."""
    from ..printer import write_string

    text = write_string(strip(form))
    if len(text) > 120:
        text = text[:117] + "..."
    return SchemeSyntaxError(f"{who}: bad syntax: {message}, in {text}", span=span)


def require(ok: bool, who: str, message: str, form: Any, span: Span | None) -> None:
    """Raise the bad-syntax error for `who` unless ok."""
    if not ok:
        raise syntax_error(who, message, form, span)


def form_items(form: Any, who: str, span: Span | None) -> list[tuple[Any, Span | None]]:
    """The elements of a proper list form, each with the best span known for it."""
    out = []
    x = form
    while type(x) is Pair:
        out.append((x.car, x.span or span))
        x = x.cdr
    if x is not NIL:
        raise syntax_error(who, "a proper list was expected", form, span)
    return out


_QUOTE = Symbol("quote")


def check_code(x: Any, span: Span | None) -> None:
    """Refuse circular code before the compiler walks it forever (R7RS: source code must
    not be circular; a quoted datum may be). Linear in the size of x."""
    if type(x) is not Pair and type(x) is not Vector:
        return
    on_path: set[int] = set()
    stack: list[Any] = [x]
    leave = _LEAVE
    while stack:
        node = stack.pop()
        if node is leave:
            on_path.discard(stack.pop())
            continue
        if type(node) is Pair:
            if node.car is _QUOTE:
                continue
            kids: Any = (node.car, node.cdr)
        elif type(node) is Vector:
            kids = node.items
        else:
            continue
        key = id(node)
        if key in on_path:
            raise SchemeSyntaxError(
                "circular code cannot be compiled (quote circular data)", span=span
            )
        on_path.add(key)
        stack.append(key)
        stack.append(leave)
        for kid in kids:
            if type(kid) is Pair or type(kid) is Vector:
                stack.append(kid)


_LEAVE = object()


def compile_checked(compiler: Any, datum: Any, span: Span | None) -> Any:
    """compiler.compile_toplevel(datum) after check_code, with any slip of the compiler
    reported as a syntax error at span rather than a Python exception (a last guard: the
    fuzzer in tools/fuzz.py looks for inputs that reach it)."""
    check_code(datum, span)
    try:
        return compiler.compile_toplevel(datum, span)
    except (AttributeError, TypeError, ValueError, IndexError, KeyError) as e:
        from ..printer import write_string

        text = write_string(strip(datum))
        if len(text) > 80:
            text = text[:77] + "..."
        err = SchemeSyntaxError(f"cannot compile {text}: malformed form", span=span)
        raise err from e
    except RecursionError:
        raise SchemeSyntaxError("expression nested too deeply to compile", span=span) from None
