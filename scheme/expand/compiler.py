"""The compiler: data read from source -> nodes (nodes.py) the machine runs.

It expands macros, checks the shape of every special form (one message format, see
syntax.require) and resolves each variable to a frame slot or a global cell. Core forms
live here; derived forms (let family, cond, case, do, guard, ...) in derived.py register
themselves in the same table. The compiler recurses on the nesting of the source; code
nested deeper than Python's stack allows is compiled again on a thread with a large
stack (see `compile_toplevel`), so deep input never crashes the host.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from typing import Any

from ..errors import SchemeSyntaxError, Span
from ..run import budget
from ..types import (
    NIL,
    UNSPECIFIED,
    Cell,
    Environment,
    Pair,
    Symbol,
)
from .nodes import (
    App,
    Const,
    GDef,
    GRef,
    GSet,
    If,
    Lambda,
    LRef,
    LSet,
    NewFrame,
    Node,
    Seq,
)
from .syntax import (
    Alias,
    Scope,
    SpecialForm,
    base_name,
    form_items,
    is_identifier,
    require,
    strip,
    syntax_error,
)
from .syntax_rules import Macro, make_syntax_rules

SPECIAL_FORMS: dict[str, SpecialForm] = {}
# definition forms that are also expressions: they splice in the forms they stand for
_SPLICING = ("begin", "cond-expand", "include", "include-ci")


def special(name: str, definition: bool = False):
    """Register the decorated function as the compiler of special form `name`."""

    def deco(fn):
        SPECIAL_FORMS[name] = SpecialForm(name, fn, definition)
        return fn

    return deco


def install_special_forms(env: Environment) -> None:
    """Bind every special form keyword in env."""
    for name, sf in SPECIAL_FORMS.items():
        env.table[Symbol(name)] = sf


class Local:
    """A resolved local variable."""

    __slots__ = ("depth", "index", "checked")

    def __init__(self, depth: int, index: int, checked: bool) -> None:
        self.depth = depth
        self.index = index
        self.checked = checked


class Compiler:
    """Compiles data to nodes against one top-level environment."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    # -- entry point ---------------------------------------------------------------------
    def compile_toplevel(self, x: Any, span: Span | None = None) -> Node:
        """Compile one top-level form."""
        try:
            return self.compile(x, None, span, top=True)
        except RecursionError:
            return self._compile_on_big_stack(x, span)

    def _compile_on_big_stack(self, x: Any, span: Span | None) -> Node:
        result: list = []
        meter = budget.current()  # the evaluation's work budget goes with it

        def work() -> None:
            budget.adopt(meter)
            try:
                result.append(self.compile(x, None, span, top=True))
            except BaseException as e:  # handed back to the calling thread
                result.append(e)

        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size()
        try:
            threading.stack_size(1 << 30)
            sys.setrecursionlimit(max(old_limit, 2_000_000))
            t = threading.Thread(target=work)
            t.start()
            t.join()
        finally:
            threading.stack_size(old_size)
            sys.setrecursionlimit(old_limit)
        out = result[0]
        if isinstance(out, RecursionError):
            raise SchemeSyntaxError("expression nested too deeply to compile", span=span)
        if isinstance(out, BaseException):
            raise out
        return out

    # -- resolution ----------------------------------------------------------------------
    def resolve(self, ident: Any, scope: Scope | None, env: Environment | None = None) -> Any:
        """Local, Cell, SpecialForm or Macro for an identifier seen in scope.

        A macro's alias resolves at the top level of the macro's own environment, so a
        library's macro reaches the library's private definitions."""
        env = env if env is not None else self.env
        where = scope
        while True:
            s = where
            while s is not None:
                idx = s.names.get(ident)
                if idx is not None:
                    return Local(self._distance(scope, s), idx, ident in s.checked)
                if s.macros is not None:
                    m = s.macros.get(ident)
                    if m is not None:
                        return m
                s = s.parent
            if type(ident) is Alias:
                b = env.table.get(ident)  # a global the macro's expansion defined
                if b is not None:
                    return b
                if ident.fresh:
                    raise SchemeSyntaxError(f"internal error: unbound temporary {ident}")
                if ident.env is not None:
                    env = ident.env
                where = ident.scope
                ident = ident.sym
                continue
            b = env.table.get(ident)
            if b is None:
                return env.cell(ident)
            return b

    @staticmethod
    def _distance(scope: Scope | None, target: Scope) -> int:
        depth = 0
        s = scope
        while s is not None and s is not target:
            if s.is_frame:
                depth += 1
            s = s.parent
        if s is None:
            raise SchemeSyntaxError("a macro refers to a variable outside its scope")
        return depth

    def keyword(self, x: Any, scope: Scope | None) -> Any:
        """The SpecialForm or Macro x stands for, or None."""
        if type(x) is SpecialForm or type(x) is Macro:
            return x
        if is_identifier(x):
            b = self.resolve(x, scope)
            if type(b) is SpecialForm or type(b) is Macro:
                return b
        return None

    def is_aux(self, x: Any, name: str, scope: Scope | None) -> bool:
        """Is x the auxiliary keyword `name` (else, =>) and not a user's variable?"""
        if not is_identifier(x) or base_name(x).name != name:
            return False
        return type(self.resolve(x, scope)) is not Local

    # -- expressions ---------------------------------------------------------------------
    def compile(self, x: Any, scope: Scope | None, span: Span | None, top: bool = False) -> Node:
        """Compile expression x in scope (top: at top level, where define is allowed)."""
        while True:
            t = type(x)
            if t is Symbol or t is Alias:
                return self.compile_ref(x, scope, span)
            if t is not Pair:
                if x is NIL:
                    raise SchemeSyntaxError(
                        "() is not an expression (write '() for the empty list)", span=span
                    )
                return Const(x, span)
            span = x.span or span
            head = x.car
            kw = self.keyword(head, scope)
            if kw is None:
                return self.compile_application(x, scope, span)
            if type(kw) is Macro:
                x = kw.expand(x, span, self, scope)
                continue
            if kw.definition and not top and kw.name not in _SPLICING:
                raise syntax_error(
                    kw.name,
                    "a definition is not allowed here (only at top level or at "
                    "the start of a body)",
                    x,
                    span,
                )
            return kw.compile(self, x, scope, span, top)

    def compile_ref(self, ident: Any, scope: Scope | None, span: Span | None) -> Node:
        b = self.resolve(ident, scope)
        if type(b) is Local:
            return LRef(b.depth, b.index, base_name(ident).name, b.checked, span)
        if type(b) is Cell:
            return GRef(b, span)
        name = base_name(ident).name
        raise SchemeSyntaxError(
            f"{name}: bad syntax: a keyword cannot be used as a value", span=span
        )

    def compile_application(self, x: Pair, scope: Scope | None, span: Span | None) -> Node:
        items = form_items(x, "application", span)
        fn = self.compile(items[0][0], scope, span)
        args = [self.compile(a, scope, s) for a, s in items[1:]]
        app = App(fn, args, span)
        app.scope = scope
        return app

    def compile_seq(self, forms: list, scope: Scope | None, span: Span | None) -> Node:
        """(begin form ...) in expression position."""
        nodes = [self.compile(f, scope, s) for f, s in forms]
        if len(nodes) == 1:
            return nodes[0]
        return Seq(nodes, span)

    # -- bodies --------------------------------------------------------------------------
    def compile_body(self, forms: list, scope: Scope, span: Span | None, who: str) -> Node:
        """A lambda/let body: internal definitions (letrec* semantics), then expressions.

        `scope` is the body's own frame; each internal definition gets a slot in it.
        """
        todo = deque(forms)
        plan: list[tuple[str, Any, Any, Span | None]] = []
        while todo:
            form, fspan = todo.popleft()
            if type(form) is Pair:
                fspan = form.span or fspan
                kw = self.keyword(form.car, scope)
                if type(kw) is Macro:
                    todo.appendleft((kw.expand(form, fspan, self, scope), fspan))
                    continue
                if type(kw) is SpecialForm:
                    if kw.name == "begin":
                        todo.extendleft(reversed(form_items(form.cdr, "begin", fspan)))
                        continue
                    if kw.name == "define":
                        ident, value = parse_define(self, form, fspan)
                        scope.add(ident, checked=True)
                        plan.append(("def", ident, value, fspan))
                        continue
                    if kw.name == "define-syntax":
                        ident, macro = parse_define_syntax(self, form, scope, fspan)
                        scope.add_macro(ident, macro)
                        continue
                    if kw.definition:  # define-values, define-record-type: rewrite
                        todo.appendleft((kw.compile(self, form, scope, fspan, "rewrite"), fspan))
                        continue
            plan.append(("expr", form, None, fspan))
        if not plan:
            raise SchemeSyntaxError(f"{who}: bad syntax: the body is empty", span=span)
        nodes: list[Node] = []
        for kind, a, b, fspan in plan:
            if kind == "def":
                idx = scope.names[a]
                value = self.compile_named(b, scope, fspan, base_name(a).name)
                nodes.append(LSet(0, idx, value, base_name(a).name, True, fspan))
            else:
                nodes.append(self.compile(a, scope, fspan))
        if plan[-1][0] == "def":
            nodes.append(Const(UNSPECIFIED, span))
        return nodes[0] if len(nodes) == 1 else Seq(nodes, span)

    def compile_named(self, x: Any, scope: Scope | None, span: Span | None, name: str) -> Node:
        """Compile x; a lambda expression there is named `name` (for messages)."""
        if type(x) is Pair and self.keyword(x.car, scope) is SPECIAL_FORMS["lambda"]:
            return compile_lambda_form(self, x, scope, x.span or span, name)
        return self.compile(x, scope, span)

    def compile_lambda(
        self, formals: Any, body: list, scope: Scope | None, span: Span | None, name: str
    ) -> Lambda:
        """A Lambda node for formals and body forms."""
        new = Scope(scope)
        nreq = 0
        f = formals
        seen = set()
        while type(f) is Pair:
            p = f.car
            require(is_identifier(p), "lambda", "parameters must be identifiers", formals, span)
            require(
                p not in seen, "lambda", f"duplicate parameter {base_name(p).name}", formals, span
            )
            seen.add(p)
            new.add(p)
            nreq += 1
            f = f.cdr
        rest = False
        if f is not NIL:
            require(
                is_identifier(f),
                "lambda",
                "the rest parameter must be an identifier",
                formals,
                span,
            )
            require(
                f not in seen, "lambda", f"duplicate parameter {base_name(f).name}", formals, span
            )
            new.add(f)
            rest = True
        body_node = self.compile_body(body, new, span, "lambda")
        return Lambda(nreq, rest, new.size() - 1, body_node, name, span)


# -- core special forms -------------------------------------------------------------------


@special("quote")
def compile_quote(c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any) -> Node:
    # (quote datum)
    require(type(x.cdr) is Pair and x.cdr.cdr is NIL, "quote", "expected (quote datum)", x, span)
    return Const(strip(x.cdr.car), span)


@special("if")
def compile_if(c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any) -> Node:
    # (if test then [else])
    items = form_items(x, "if", span)
    require(len(items) in (3, 4), "if", "expected (if test then [else])", x, span)
    test = c.compile(items[1][0], scope, items[1][1])
    then = c.compile(items[2][0], scope, items[2][1])
    els = c.compile(items[3][0], scope, items[3][1]) if len(items) == 4 else Const(UNSPECIFIED)
    return If(test, then, els, span)


@special("define", definition=True)
def compile_define(c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any) -> Node:
    # (define name value) | (define (name . formals) body ...)
    ident, value = parse_define(c, x, span)
    cell = global_cell(c, ident)
    return GDef(cell, c.compile_named(value, None, span, base_name(ident).name), span)


def global_cell(c: Compiler, ident: Any) -> Cell:
    """The cell a top-level define of ident assigns.

    A name the define's own macro introduced (an Alias) gets a cell of its own, keyed by
    the alias: the macro's temporary `tmp` must not overwrite the user's global `tmp`.
    Uses of the same alias in that expansion resolve to it (see `resolve`).
    """
    if type(ident) is not Alias:
        if ident in c.env.imported:
            # defining an imported name makes a variable of this environment's own: the
            # library's variable, shared by every importer, must not change
            del c.env.imported[ident]
            cell = c.env.table[ident] = Cell(ident)
            return cell
        return c.env.cell(ident)
    cell = c.env.table.get(ident)
    if type(cell) is not Cell:
        cell = c.env.table[ident] = Cell(base_name(ident))
    return cell


def parse_define(c: Compiler, x: Pair, span: Span | None) -> tuple[Any, Any]:
    """(identifier, value form) of a define; the procedure shorthand becomes a lambda."""
    require(type(x.cdr) is Pair, "define", "expected (define name value)", x, span)
    target = x.cdr.car
    if type(target) is Pair:
        require(
            is_identifier(target.car),
            "define",
            "expected (define (name . formals) body ...)",
            x,
            span,
        )
        lam = Pair(SPECIAL_FORMS["lambda"], Pair(target.cdr, x.cdr.cdr))
        lam.span = span
        return target.car, lam
    require(is_identifier(target), "define", "the name must be an identifier", x, span)
    rest = x.cdr.cdr
    require(
        type(rest) is Pair and rest.cdr is NIL, "define", "expected (define name value)", x, span
    )
    return target, rest.car


@special("set!")
def compile_set(c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any) -> Node:
    # (set! name value)
    items = form_items(x, "set!", span)
    require(
        len(items) == 3 and is_identifier(items[1][0]),
        "set!",
        "expected (set! name value)",
        x,
        span,
    )
    ident = items[1][0]
    value = c.compile(items[2][0], scope, items[2][1])
    b = c.resolve(ident, scope)
    name = base_name(ident).name
    if type(b) is Local:
        return LSet(b.depth, b.index, value, name, False, span)
    if type(b) is Cell:
        if c.env.imported.get(ident) is b:
            raise syntax_error("set!", f"{name} is imported and cannot be assigned", x, span)
        return GSet(b, value, span)
    raise syntax_error("set!", f"{name} is a keyword, not a variable", x, span)


@special("lambda")
def compile_lambda_special(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any
) -> Node:
    # (lambda formals body ...)
    return compile_lambda_form(c, x, scope, span, "anonymous")


def compile_lambda_form(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, name: str
) -> Lambda:
    require(type(x.cdr) is Pair, "lambda", "expected (lambda formals body ...)", x, span)
    body = form_items(x.cdr.cdr, "lambda", span)
    require(len(body) > 0, "lambda", "the body is empty", x, span)
    return c.compile_lambda(x.cdr.car, body, scope, span, name)


@special("begin", definition=True)
def compile_begin(c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any) -> Node:
    # (begin form ...)
    forms = form_items(x.cdr, "begin", span)
    if top is True:
        if not forms:
            return Const(UNSPECIFIED, span)
        # a macro's global helpers may refer to each other before their definitions
        for f, _ in forms:
            if (
                type(f) is Pair
                and c.keyword(f.car, None) is SPECIAL_FORMS["define"]
                and type(f.cdr) is Pair
            ):
                target = f.cdr.car.car if type(f.cdr.car) is Pair else f.cdr.car
                if type(target) is Alias:
                    global_cell(c, target)
        nodes = [c.compile(f, None, s, top=True) for f, s in forms]
        return nodes[0] if len(nodes) == 1 else Seq(nodes, span)
    require(len(forms) > 0, "begin", "expected at least one expression", x, span)
    return c.compile_seq(forms, scope, span)


@special("define-syntax", definition=True)
def compile_define_syntax(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any
) -> Node:
    # (define-syntax name (syntax-rules ...)) at top level: takes effect at compile time
    ident, macro = parse_define_syntax(c, x, scope, span)
    c.env.table[base_name(ident)] = macro
    c.env.imported.pop(base_name(ident), None)
    return Const(UNSPECIFIED, span)


def parse_define_syntax(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None
) -> tuple[Any, Any]:
    items = form_items(x, "define-syntax", span)
    require(
        len(items) == 3 and is_identifier(items[1][0]),
        "define-syntax",
        "expected (define-syntax name (syntax-rules ...))",
        x,
        span,
    )
    return items[1][0], make_transformer(
        c, items[2][0], base_name(items[1][0]).name, scope, items[2][1]
    )


def make_transformer(
    c: Compiler,
    spec: Any,
    name: str,
    scope: Scope | None,
    span: Span | None,
    who: str = "define-syntax",
) -> Any:
    """A macro from a transformer spec: (syntax-rules ...) or another keyword's name."""
    if type(spec) is Pair and c.keyword(spec.car, scope) is SPECIAL_FORMS["syntax-rules"]:
        # a `...` the user bound as a variable is no ellipsis (R7RS 4.3.2)
        shadowed = type(c.resolve(Symbol("..."), scope)) is Local
        macro = make_syntax_rules(spec, name, scope, span, ellipsis_shadowed=shadowed)
        macro.env = c.env
        return macro
    kw = c.keyword(spec, scope)
    if kw is not None:
        return kw
    raise syntax_error(who, "expected a (syntax-rules ...) transformer", spec, span)


@special("syntax-rules")
def compile_syntax_rules(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any
) -> Node:
    raise syntax_error(
        "syntax-rules",
        "only valid as the transformer of define-syntax, let-syntax or letrec-syntax",
        x,
        span,
    )


def _compile_let_syntax(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, who: str, rec: bool
) -> Node:
    # (let-syntax ((name transformer) ...) body ...)
    require(
        type(x.cdr) is Pair, who, f"expected ({who} ((name transformer) ...) body ...)", x, span
    )
    # The body is a body (R7RS 4.3.1): its definitions are local to it, so it gets a frame.
    new = Scope(scope)
    pending = []
    for binding, bspan in form_items(x.cdr.car, who, span):
        require(
            type(binding) is Pair
            and is_identifier(binding.car)
            and type(binding.cdr) is Pair
            and binding.cdr.cdr is NIL,
            who,
            "each binding must be (name transformer)",
            x,
            span,
        )
        pending.append((binding.car, binding.cdr.car, bspan))
    for ident, spec, bspan in pending:
        macro = make_transformer(c, spec, base_name(ident).name, new if rec else scope, bspan, who)
        new.add_macro(ident, macro)
    body = form_items(x.cdr.cdr, who, span)
    require(len(body) > 0, who, "the body is empty", x, span)
    node = c.compile_body(body, new, span, who)
    return NewFrame(new.size() - 1, node, span)


@special("let-syntax")
def compile_let_syntax(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any
) -> Node:
    return _compile_let_syntax(c, x, scope, span, "let-syntax", rec=False)


@special("letrec-syntax")
def compile_letrec_syntax(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any
) -> Node:
    return _compile_let_syntax(c, x, scope, span, "letrec-syntax", rec=True)


@special("syntax-error")
def compile_syntax_error(
    c: Compiler, x: Pair, scope: Scope | None, span: Span | None, top: Any
) -> Node:
    # (syntax-error "message" args ...)
    from ..printer import display_string, write_string

    items = form_items(x, "syntax-error", span)
    msg = display_string(strip(items[1][0])) if len(items) > 1 else "syntax error"
    rest = " ".join(write_string(strip(a)) for a, _ in items[2:])
    raise SchemeSyntaxError(msg + (" " + rest if rest else ""), span=span)
