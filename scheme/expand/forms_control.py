"""Derived conditionals and control forms: and, or, when, unless, cond, case, guard,
quasiquote. See forms_binding.py for how rewrites stay hygienic."""

from __future__ import annotations

from typing import Any

from ..types import FALSE, NIL, TRUE, UNSPECIFIED, Pair, Vector
from .compiler import Compiler, special
from .forms_binding import K, L, P
from .nodes import App, Const, If, Let, LRef, Node, Or
from .syntax import Scope, base_name, form_items, fresh, is_identifier, require, strip, syntax_error


@special("and")
def compile_and(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (and e ...)
    items = form_items(x.cdr, "and", span)
    if not items:
        return Const(TRUE, span)
    node = c.compile(items[-1][0], scope, items[-1][1])
    for e, s in reversed(items[:-1]):
        node = If(c.compile(e, scope, s), node, Const(FALSE), s)
    return node


@special("or")
def compile_or(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (or e ...)
    items = form_items(x.cdr, "or", span)
    if not items:
        return Const(FALSE, span)
    if len(items) == 1:
        return c.compile(items[0][0], scope, items[0][1])
    return Or([c.compile(e, scope, s) for e, s in items], span)


def _when(c: Compiler, x: Pair, scope: Scope | None, span: Any, who: str, negate: bool) -> Node:
    items = form_items(x, who, span)
    require(len(items) >= 3, who, f"expected ({who} test body ...)", x, span)
    test = c.compile(items[1][0], scope, items[1][1])
    body = c.compile_seq(items[2:], scope, span)
    if negate:
        return If(test, Const(UNSPECIFIED), body, span)
    return If(test, body, Const(UNSPECIFIED), span)


@special("when")
def compile_when(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (when test body ...)
    return _when(c, x, scope, span, "when", negate=False)


@special("unless")
def compile_unless(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (unless test body ...)
    return _when(c, x, scope, span, "unless", negate=True)


@special("cond")
def compile_cond(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (cond (test body ...) ... [(else body ...)]), also (test => receiver) and (test)
    clauses = form_items(x.cdr, "cond", span)
    for i, (cl, cspan) in enumerate(clauses):
        require(type(cl) is Pair, "cond", "each clause must be (test body ...)", x, cspan)
        if c.is_aux(cl.car, "else", scope):
            require(i == len(clauses) - 1, "cond", "else must be the last clause", x, cspan)
    node: Node = Const(UNSPECIFIED, span)
    for i in range(len(clauses) - 1, -1, -1):
        cl, cspan = clauses[i]
        cspan = cl.span or cspan
        body = form_items(cl.cdr, "cond", cspan)
        if c.is_aux(cl.car, "else", scope):
            require(len(body) > 0, "cond", "else needs a body", x, cspan)
            node = c.compile_seq(body, scope, cspan)
            continue
        if body and c.is_aux(body[0][0], "=>", scope):
            require(len(body) == 2, "cond", "expected (test => receiver)", x, cspan)
            # (let ((t test)) (if t (receiver t) (cond rest ...)))
            t = fresh("cond-value")
            rest = L(K("cond"), *[cl2 for cl2, _ in clauses[i + 1 :]], span=span)
            form = L(
                K("let"),
                L(L(t, cl.car)),
                L(K("if"), t, L(body[1][0], t, span=cspan), rest),
                span=cspan,
            )
            node = c.compile(form, scope, cspan)
            continue
        test = c.compile(cl.car, scope, cspan)
        if not body:
            node = Or([test, node], cspan)
        else:
            node = If(test, c.compile_seq(body, scope, cspan), node, cspan)
    return node


@special("case")
def compile_case(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (case key ((datum ...) body ...) ... [(else body ...)]), bodies may be (=> receiver)
    items = form_items(x, "case", span)
    require(len(items) >= 2, "case", "expected (case key clause ...)", x, span)
    key = c.compile(items[1][0], scope, items[1][1])
    new = Scope(scope)
    kidx = new.add(fresh("case-key"))
    member = P("%case-member")
    clauses = items[2:]
    node: Node = Const(UNSPECIFIED, span)
    for i in range(len(clauses) - 1, -1, -1):
        cl, cspan = clauses[i]
        require(type(cl) is Pair, "case", "each clause must be ((datum ...) body ...)", x, cspan)
        cspan = cl.span or cspan
        body = form_items(cl.cdr, "case", cspan)
        require(len(body) > 0, "case", "a clause needs a body", x, cspan)
        if body and c.is_aux(body[0][0], "=>", new):
            require(len(body) == 2, "case", "expected (datums => receiver)", x, cspan)
            recv = c.compile(body[1][0], new, cspan)
            then: Node = App(recv, [LRef(0, kidx, "key", False, cspan)], cspan)
        else:
            then = c.compile_seq(body, new, cspan)
        if c.is_aux(cl.car, "else", scope):
            require(i == len(clauses) - 1, "case", "else must be the last clause", x, cspan)
            node = then
            continue
        datums = []
        d = cl.car
        while type(d) is Pair:
            datums.append(strip(d.car))
            d = d.cdr
        require(d is NIL, "case", "the datums must be a list", x, cspan)
        test = App(Const(member), [LRef(0, kidx, "key", False, cspan), Const(tuple(datums))], cspan)
        node = If(test, then, node, cspan)
    return Let([key], new.size() - 1, node, span)


@special("guard")
def compile_guard(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (guard (var clause ...) body ...), R7RS 4.2.7's reference expansion: clauses run in
    # the guard's dynamic environment; with no matching clause the condition is raised
    # again (raise-continuable) in the dynamic environment of the original raise.
    require(
        type(x.cdr) is Pair and type(x.cdr.car) is Pair and is_identifier(x.cdr.car.car),
        "guard",
        "expected (guard (var clause ...) body ...)",
        x,
        span,
    )
    var = x.cdr.car.car
    clauses = form_items(x.cdr.car.cdr, "guard", span)
    body = form_items(x.cdr.cdr, "guard", span)
    require(len(body) > 0, "guard", "the body is empty", x, span)
    guard_k, condition, handler_k, args = (
        fresh("guard-k"),
        fresh("condition"),
        fresh("handler-k"),
        fresh("args"),
    )
    has_else = (
        bool(clauses)
        and type(clauses[-1][0]) is Pair
        and c.is_aux(clauses[-1][0].car, "else", scope)
    )
    reraise = L(handler_k, L(K("lambda"), NIL, L(P("%reraise"), condition)))
    cond_clauses = [cl for cl, _ in clauses]
    if not has_else:
        cond_clauses.append(L(K("else"), reraise))
    lam = K("lambda")
    form = L(
        L(
            P("call/cc"),
            L(
                lam,
                L(guard_k),
                L(
                    P("with-exception-handler"),
                    L(
                        lam,
                        L(condition),
                        L(
                            L(
                                P("call/cc"),
                                L(
                                    lam,
                                    L(handler_k),
                                    L(
                                        guard_k,
                                        L(
                                            lam,
                                            NIL,
                                            L(
                                                K("let"),
                                                L(L(var, condition)),
                                                L(K("cond"), *cond_clauses),
                                            ),
                                        ),
                                    ),
                                ),
                            )
                        ),
                    ),
                    L(
                        lam,
                        NIL,
                        L(
                            P("call-with-values"),
                            L(lam, NIL, *[b for b, _ in body]),
                            L(lam, args, L(guard_k, L(lam, NIL, L(P("apply"), P("values"), args)))),
                        ),
                    ),
                ),
            ),
        ),
        span=span,
    )
    return c.compile(form, scope, span)


@special("else")
def compile_else(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    raise syntax_error("else", "only valid as the last clause of cond, case or guard", x, span)


@special("=>")
def compile_arrow(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    raise syntax_error("=>", "only valid inside a cond or case clause", x, span)


@special("_")
def compile_underscore(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    raise syntax_error("_", "only valid in a syntax-rules pattern", x, span)


@special("...")
def compile_ellipsis(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    raise syntax_error("...", "only valid in a syntax-rules pattern or template", x, span)


@special("unquote")
def compile_unquote(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    raise syntax_error("unquote", "only valid inside quasiquote", x, span)


@special("unquote-splicing")
def compile_unquote_splicing(
    c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any
) -> Node:
    raise syntax_error("unquote-splicing", "only valid inside quasiquote", x, span)


@special("quasiquote")
def compile_quasiquote(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Node:
    # (quasiquote template), with unquote / unquote-splicing at any nesting level
    require(
        type(x.cdr) is Pair and x.cdr.cdr is NIL,
        "quasiquote",
        "expected (quasiquote template)",
        x,
        span,
    )
    require(
        not _tagged(c, x.cdr.car, "unquote-splicing", scope),
        "quasiquote",
        ",@ splices into a list or vector; it cannot stand for the whole template",
        x,
        span,
    )
    return c.compile(_qq(c, x.cdr.car, 1, scope, span), scope, span)


def _tagged(c: Compiler, x: Any, name: str, scope: Scope | None) -> bool:
    return (
        type(x) is Pair
        and is_identifier(x.car)
        and base_name(x.car).name == name
        and type(x.cdr) is Pair
        and x.cdr.cdr is NIL
        and c.is_aux(x.car, name, scope)
    )


def _has_unquote(x: Any) -> bool:
    stack = [x]
    while stack:
        n = stack.pop()
        if type(n) is Pair:
            if is_identifier(n.car) and base_name(n.car).name in (
                "unquote",
                "unquote-splicing",
                "quasiquote",
            ):
                return True
            stack.append(n.car)
            stack.append(n.cdr)
        elif type(n) is Vector:
            stack.extend(n.items)
    return False


def _qq(c: Compiler, t: Any, depth: int, scope: Scope | None, span: Any) -> Any:
    """Code that builds template t (depth = quasiquote nesting level)."""
    quote = K("quote")
    if not _has_unquote(t):
        return L(quote, t)
    if type(t) is Vector:
        return L(P("list->vector"), _qq(c, L(*t.items), depth, scope, span))
    if type(t) is not Pair:
        return L(quote, t)
    if _tagged(c, t, "unquote", scope):
        if depth == 1:
            return t.cdr.car
        return L(P("list"), L(quote, t.car), _qq(c, t.cdr.car, depth - 1, scope, span))
    if _tagged(c, t, "quasiquote", scope):
        return L(P("list"), L(quote, t.car), _qq(c, t.cdr.car, depth + 1, scope, span))
    # A list: walk the spine iteratively, then build from the right.
    elems = []
    p = t
    while type(p) is Pair and not _tagged(c, p, "unquote", scope):
        elems.append(p.car)
        p = p.cdr
    code = _qq(c, p, depth, scope, span) if p is not NIL else L(quote, NIL)
    for e in reversed(elems):
        if _tagged(c, e, "unquote-splicing", scope):
            if depth == 1:
                code = L(P("append"), e.cdr.car, code)
            else:
                inner = L(P("list"), L(quote, e.car), _qq(c, e.cdr.car, depth - 1, scope, span))
                code = L(P("cons"), inner, code)
        else:
            code = L(P("cons"), _qq(c, e, depth, scope, span), code)
    return code
