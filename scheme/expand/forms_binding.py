"""Derived binding forms: the let family, do, let-values, define-values,
define-record-type, case-lambda, parameterize, delay and delay-force.

Where a form is defined by rewriting, the rewrite uses the special-form objects and the
procedures themselves (not their names) as operators, and fresh identifiers for its
temporaries, so no user binding can change what the rewrite means.
"""

from __future__ import annotations

from typing import Any

from ..primitives.registry import PRIMITIVES
from ..types import FALSE, NIL, UNSPECIFIED, Pair, Symbol
from .compiler import SPECIAL_FORMS, Compiler, special
from .nodes import App, Const, Let, LRef, LSet, NewFrame, Node, Seq
from .syntax import Scope, base_name, form_items, fresh, is_identifier, require


def L(*items: Any, span: Any = None, tail: Any = NIL) -> Any:
    """A list of items (the rewrites' way to build code)."""
    out = tail
    for x in reversed(items):
        out = Pair(x, out)
        out.span = span
    return out


def K(name: str) -> Any:
    """The special form `name` itself, for use as an operator in a rewrite."""
    return SPECIAL_FORMS[name]


def P(name: str) -> Any:
    """The procedure `name` itself, for use as an operator in a rewrite."""
    return PRIMITIVES[name]


def parse_bindings(
    c: Compiler, bindings: Any, who: str, form: Any, span: Any, allow_no_init: bool = False
) -> list[tuple[Any, Any, Any]]:
    """[(identifier, init form, span)] of ((name init) ...), with duplicates rejected."""
    out = []
    seen = set()
    for b, bspan in form_items(bindings, who, span):
        ok = (
            type(b) is Pair
            and is_identifier(b.car)
            and ((type(b.cdr) is Pair and b.cdr.cdr is NIL) or (allow_no_init and b.cdr is NIL))
        )
        require(ok, who, "each binding must be (name value)", form, bspan)
        require(b.car not in seen, who, f"duplicate name {base_name(b.car).name}", form, bspan)
        seen.add(b.car)
        out.append((b.car, b.cdr.car if b.cdr is not NIL else UNSPECIFIED, b.span or bspan))
    return out


def _body(x: Pair, rest: Any, who: str, span: Any) -> list:
    body = form_items(rest, who, span)
    require(len(body) > 0, who, "the body is empty", x, span)
    return body


@special("let")
def compile_let(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (let ((name init) ...) body ...) | (let loop ((name init) ...) body ...)
    require(type(x.cdr) is Pair, "let", "expected (let ((name value) ...) body ...)", x, span)
    if is_identifier(x.cdr.car):
        return _named_let(c, x, scope, span)
    bindings = parse_bindings(c, x.cdr.car, "let", x, span)
    inits = [c.compile_named(init, scope, s, base_name(n).name) for n, init, s in bindings]
    new = Scope(scope)
    for name, _, _ in bindings:
        new.add(name)
    body = c.compile_body(_body(x, x.cdr.cdr, "let", span), new, span, "let")
    return Let(inits, new.size() - 1, body, span)


def _named_let(c: Compiler, x: Pair, scope: Scope | None, span: Any) -> Node:
    # (let loop ((name init) ...) body ...) = ((letrec ((loop (lambda (name ...) body ...)))
    #                                           loop) init ...)
    loop = x.cdr.car
    require(
        type(x.cdr.cdr) is Pair, "let", "expected (let name ((var init) ...) body ...)", x, span
    )
    bindings = parse_bindings(c, x.cdr.cdr.car, "let", x, span)
    inits = [c.compile(init, scope, s) for _, init, s in bindings]
    frame = Scope(scope)
    idx = frame.add(loop)
    formals = L(*[n for n, _, _ in bindings])
    lam = c.compile_lambda(
        formals, _body(x, x.cdr.cdr.cdr, "let", span), frame, span, base_name(loop).name
    )
    name = base_name(loop).name
    fn = NewFrame(
        1, Seq([LSet(0, idx, lam, name, True, span), LRef(0, idx, name, False, span)], span), span
    )
    return App(fn, inits, span)


@special("let*")
def compile_let_star(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (let* ((name init) ...) body ...): each init sees the names before it
    require(type(x.cdr) is Pair, "let*", "expected (let* ((name value) ...) body ...)", x, span)
    items = form_items(x.cdr.car, "let*", span)
    body = x.cdr.cdr
    _body(x, body, "let*", span)
    if not items:
        return c.compile(L(K("let"), NIL, tail=body, span=span), scope, span)
    for b, bspan in items:  # checked here, so errors name let* and show the user's form
        ok = type(b) is Pair and is_identifier(b.car) and type(b.cdr) is Pair and b.cdr.cdr is NIL
        require(ok, "let*", "each binding must be (name value)", x, bspan)
    form = None
    for b, _ in reversed(items):
        inner = (
            L(K("let"), L(b), tail=body, span=span)
            if form is None
            else L(K("let"), L(b), form, span=span)
        )
        form = inner
    return c.compile(form, scope, span)


def _compile_letrec(c: Compiler, x: Pair, scope: Scope | None, span: Any, who: str) -> Node:
    # (letrec* ((name init) ...) body ...): a frame of undefined names, assigned in order
    require(type(x.cdr) is Pair, who, f"expected ({who} ((name value) ...) body ...)", x, span)
    bindings = parse_bindings(c, x.cdr.car, who, x, span)
    new = Scope(scope)
    for name, _, _ in bindings:
        new.add(name, checked=True)
    sets: list[Node] = []
    if who == "letrec" and len(bindings) > 1:
        # letrec: every init returns before any variable is assigned. The values wait in
        # a let's argument list, which each continuation holds as its own, so re-entering
        # one init neither sees the variables assigned nor the other inits' later values
        # (letrec* assigns each in turn).
        inits = [c.compile_named(i, new, s, base_name(n).name) for n, i, s in bindings]
        assigns: list[Node] = []
        for k, (name, _, s) in enumerate(bindings):
            n = base_name(name).name
            assigns.append(LSet(1, new.names[name], LRef(0, k + 1, n, False, s), n, True, s))
        sets.append(Let(inits, len(bindings), Seq(assigns, span), span))
    else:
        for name, init, s in bindings:
            n = base_name(name).name
            sets.append(LSet(0, new.names[name], c.compile_named(init, new, s, n), n, True, s))
    sets.append(c.compile_body(_body(x, x.cdr.cdr, who, span), new, span, who))
    return NewFrame(new.size() - 1, Seq(sets, span) if len(sets) > 1 else sets[0], span)


@special("letrec")
def compile_letrec(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    return _compile_letrec(c, x, scope, span, "letrec")


@special("letrec*")
def compile_letrec_star(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    return _compile_letrec(c, x, scope, span, "letrec*")


@special("do")
def compile_do(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (do ((var init [step]) ...) (test result ...) command ...)
    items = form_items(x, "do", span)
    require(
        len(items) >= 3 and type(items[2][0]) is Pair,
        "do",
        "expected (do ((var init step) ...) (test result ...) command ...)",
        x,
        span,
    )
    specs = []
    for spec, sspan in form_items(items[1][0], "do", span):
        parts = form_items(spec, "do", sspan) if type(spec) is Pair else []
        require(
            len(parts) in (2, 3) and is_identifier(parts[0][0]),
            "do",
            "each variable must be (var init [step])",
            x,
            sspan,
        )
        var = parts[0][0]
        specs.append((var, parts[1][0], parts[2][0] if len(parts) == 3 else var))
    test_clause = items[2][0]
    loop = fresh("do-loop")
    results = test_clause.cdr if test_clause.cdr is not NIL else L(UNSPECIFIED)
    commands = [f for f, _ in items[3:]]
    again = L(loop, *[step for _, _, step in specs])
    form = L(
        K("let"),
        loop,
        L(*[L(v, init) for v, init, _ in specs]),
        L(K("if"), test_clause.car, L(K("begin"), tail=results), L(K("begin"), *commands, again)),
        span=span,
    )
    return c.compile(form, scope, span)


@special("case-lambda")
def compile_case_lambda(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (case-lambda (formals body ...) ...)
    clauses = []
    for clause, cspan in form_items(x.cdr, "case-lambda", span):
        require(
            type(clause) is Pair, "case-lambda", "each clause must be (formals body ...)", x, cspan
        )
        body = form_items(clause.cdr, "case-lambda", cspan)
        require(len(body) > 0, "case-lambda", "a clause body is empty", x, cspan)
        clauses.append(c.compile_lambda(clause.car, body, scope, cspan, "case-lambda"))
    return App(Const(P("%make-case-lambda")), clauses, span)


def _formals_temps(formals: Any) -> tuple[Any, list[tuple[Any, Any]]]:
    """Fresh temporaries shaped like formals, and (name, temp) pairs."""
    pairs = []
    temps: list = []
    f = formals
    while type(f) is Pair:
        t = fresh(base_name(f.car).name if is_identifier(f.car) else "v")
        temps.append(t)
        pairs.append((f.car, t))
        f = f.cdr
    tail: Any = NIL
    if f is not NIL:
        tail = fresh(base_name(f).name if is_identifier(f) else "rest")
        pairs.append((f, tail))
    return L(*temps, tail=tail), pairs


@special("let-values")
def compile_let_values(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (let-values (((formals) expr) ...) body ...)
    require(
        type(x.cdr) is Pair,
        "let-values",
        "expected (let-values ((formals expr) ...) body ...)",
        x,
        span,
    )
    body = x.cdr.cdr
    _body(x, body, "let-values", span)
    specs = []
    for b, bspan in form_items(x.cdr.car, "let-values", span):
        require(
            type(b) is Pair and type(b.cdr) is Pair and b.cdr.cdr is NIL,
            "let-values",
            "each binding must be (formals expr)",
            x,
            bspan,
        )
        specs.append((b.car, b.cdr.car))
    all_pairs: list = []
    chain = []
    for formals, expr in specs:
        temps, pairs = _formals_temps(formals)
        all_pairs.extend(pairs)
        chain.append((temps, expr))
    form = L(K("let"), L(*[L(name, t) for name, t in all_pairs]), tail=body, span=span)
    for temps, expr in reversed(chain):
        form = L(
            P("call-with-values"), L(K("lambda"), NIL, expr), L(K("lambda"), temps, form), span=span
        )
    return c.compile(form, scope, span)


@special("let*-values")
def compile_let_star_values(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (let*-values (((formals) expr) ...) body ...): each expr sees the names before it
    require(
        type(x.cdr) is Pair,
        "let*-values",
        "expected (let*-values ((formals expr) ...) body ...)",
        x,
        span,
    )
    items = form_items(x.cdr.car, "let*-values", span)
    body = x.cdr.cdr
    _body(x, body, "let*-values", span)
    form = L(K("let"), NIL, tail=body, span=span)
    for b, _ in reversed(items):
        form = L(K("let-values"), L(b), form, span=span)
    return c.compile(form, scope, span)


@special("define-values", definition=True)
def compile_define_values(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Any:
    # (define-values formals expr)
    items = form_items(x, "define-values", span)
    require(len(items) == 3, "define-values", "expected (define-values formals expr)", x, span)
    temps, pairs = _formals_temps(items[1][0])
    for name, _ in pairs:
        require(is_identifier(name), "define-values", "names must be identifiers", x, span)
    defines = [L(K("define"), name, FALSE) for name, _ in pairs]
    sets = [L(K("set!"), name, t) for name, t in pairs]
    assign = L(
        P("call-with-values"),
        L(K("lambda"), NIL, items[2][0]),
        L(K("lambda"), temps, *sets, UNSPECIFIED),
    )
    form = L(K("begin"), *defines, assign, span=span)
    return form if top == "rewrite" else c.compile(form, scope, span, top=top)


@special("define-record-type", definition=True)
def compile_define_record_type(
    c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any
) -> Any:
    # (define-record-type <name> (ctor field ...) pred? (field accessor [modifier]) ...)
    who = "define-record-type"
    items = form_items(x, who, span)
    require(
        len(items) >= 3,
        who,
        "expected (define-record-type name (ctor field ...) pred? (field accessor [modifier]) ...)",
        x,
        span,
    )
    type_name, ctor, pred = items[1][0], items[2][0], items[3][0] if len(items) > 3 else FALSE
    if type(type_name) is Pair:  # (name extra ...) forms of other systems: take the name
        type_name = type_name.car
    require(is_identifier(type_name), who, "the type name must be an identifier", x, span)
    fields = []
    for spec, sspan in items[4:]:
        parts = form_items(spec, who, sspan) if type(spec) is Pair else [(spec, sspan)]
        require(
            all(is_identifier(p) for p, _ in parts) and 1 <= len(parts) <= 3,
            who,
            "each field must be (field accessor [modifier])",
            x,
            sspan,
        )
        fields.append([p for p, _ in parts])
    field_names = [base_name(f[0]) for f in fields]
    require(len(set(field_names)) == len(field_names), who, "duplicate field name", x, span)
    # Every name the form defines is defined once: an accessor named like the type would
    # rebind it before the modifiers that follow are made from it.
    defined = [
        type_name,
        *(ctor.car if type(ctor) is Pair else ctor, pred),
        *(n for f in fields for n in f[1:]),
    ]
    seen: set = set()
    for ident in defined:
        if is_identifier(ident):
            require(ident not in seen, who, f"{base_name(ident).name} is defined twice", x, span)
            seen.add(ident)
    label = base_name(type_name).name
    if label.startswith("<") and label.endswith(">") and len(label) > 2:
        label = label[1:-1]
    quote = K("quote")
    out = [
        L(
            K("define"),
            type_name,
            L(P("%make-record-type"), L(quote, Symbol(label)), L(quote, L(*field_names))),
        )
    ]
    if type(ctor) is Pair:
        cparts = form_items(ctor, who, span)
        require(
            all(is_identifier(p) for p, _ in cparts),
            who,
            "the constructor must be (name field ...) with identifiers",
            x,
            span,
        )
        args = [base_name(a) for a, _ in cparts[1:]]
        require(len(set(args)) == len(args), who, "duplicate constructor field", x, span)
        for a in args:
            require(a in field_names, who, f"constructor field {a.name} is not a field", x, span)
        out.append(
            L(
                K("define"),
                ctor.car,
                L(
                    P("%record-constructor"),
                    type_name,
                    L(quote, L(*args)),
                    L(quote, base_name(ctor.car)),
                ),
            )
        )
    else:
        require(
            is_identifier(ctor) or ctor is FALSE,
            who,
            "the constructor must be a name, (name field ...) or #f",
            x,
            span,
        )
    if is_identifier(ctor):
        out.append(
            L(
                K("define"),
                ctor,
                L(
                    P("%record-constructor"),
                    type_name,
                    L(quote, L(*field_names)),
                    L(quote, base_name(ctor)),
                ),
            )
        )
    require(is_identifier(pred) or pred is FALSE, who, "the predicate must be a name", x, span)
    if is_identifier(pred):
        out.append(
            L(K("define"), pred, L(P("%record-predicate"), type_name, L(quote, base_name(pred))))
        )
    for f in fields:
        if len(f) >= 2:
            out.append(
                L(
                    K("define"),
                    f[1],
                    L(
                        P("%record-accessor"),
                        type_name,
                        L(quote, base_name(f[0])),
                        L(quote, base_name(f[1])),
                    ),
                )
            )
        if len(f) == 3:
            out.append(
                L(
                    K("define"),
                    f[2],
                    L(
                        P("%record-modifier"),
                        type_name,
                        L(quote, base_name(f[0])),
                        L(quote, base_name(f[2])),
                    ),
                )
            )
    form = L(K("begin"), *out, span=span)
    return form if top == "rewrite" else c.compile(form, scope, span, top=top)


@special("parameterize")
def compile_parameterize(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (parameterize ((param value) ...) body ...)
    require(
        type(x.cdr) is Pair,
        "parameterize",
        "expected (parameterize ((param value) ...) body ...)",
        x,
        span,
    )
    params, values = [], []
    for b, bspan in form_items(x.cdr.car, "parameterize", span):
        require(
            type(b) is Pair and type(b.cdr) is Pair and b.cdr.cdr is NIL,
            "parameterize",
            "each binding must be (param value)",
            x,
            bspan,
        )
        params.append(b.car)
        values.append(b.cdr.car)
    body = x.cdr.cdr
    _body(x, body, "parameterize", span)
    form = L(
        P("%parameterize"),
        L(P("list"), *params),
        L(P("list"), *values),
        L(K("lambda"), NIL, tail=body),
        span=span,
    )
    return c.compile(form, scope, span)


@special("delay")
def compile_delay(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (delay expr) = (delay-force (make-promise expr)), with a done promise
    items = form_items(x, "delay", span)
    require(len(items) == 2, "delay", "expected (delay expr)", x, span)
    form = L(
        P("%make-lazy-promise"),
        L(K("lambda"), NIL, L(P("%make-done-promise"), items[1][0])),
        span=span,
    )
    return c.compile(form, scope, span)


@special("delay-force")
def compile_delay_force(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (delay-force expr): expr must yield a promise when forced
    items = form_items(x, "delay-force", span)
    require(len(items) == 2, "delay-force", "expected (delay-force expr)", x, span)
    form = L(P("%make-lazy-promise"), L(K("lambda"), NIL, items[1][0]), span=span)
    return c.compile(form, scope, span)
