"""cond-expand (R7RS 4.2.1, 5.6.1): code chosen by the features this Scheme has.

A requirement is a feature identifier, `(library name)`, or `and` / `or` / `not` of
requirements. The form works at top level and in bodies (the chosen forms are spliced
in, like begin), as an expression, and as a define-library declaration.
"""

from __future__ import annotations

from typing import Any

from ..errors import Span
from ..types import UNSPECIFIED, Pair, Symbol, list_from
from .compiler import SPECIAL_FORMS, Compiler, special
from .nodes import Const
from .syntax import Scope, form_items, require, strip, syntax_error

FEATURES = ("r7rs", "exact-closed", "ratios", "full-unicode", "commerce-flows")


def feature_symbols() -> list[Symbol]:
    """What (features) returns."""
    return [Symbol(f) for f in FEATURES]


def requirement_holds(req: Any, libraries: Any, span: Span | None) -> bool:
    """Does the feature requirement req hold here?"""
    if type(req) is Symbol:
        return req.name in FEATURES
    head = req.car if type(req) is Pair else None
    kind = head.name if type(head) is Symbol else None
    items = [x for x, _ in form_items(req.cdr, "cond-expand", span)] if kind else []
    if kind == "and":
        return all(requirement_holds(r, libraries, span) for r in items)
    if kind == "or":
        return any(requirement_holds(r, libraries, span) for r in items)
    if kind == "not" and len(items) == 1:
        return not requirement_holds(items[0], libraries, span)
    if kind == "library" and len(items) == 1:
        from .libraries import parse_library_name

        name = parse_library_name(items[0], "cond-expand", span)
        return libraries is not None and libraries.is_available(name)
    raise syntax_error(
        "cond-expand",
        "a requirement is a feature, (library name), (and ...), (or ...) or (not ...)",
        req,
        span,
    )


def chosen_clause(x: Any, libraries: Any, span: Span | None) -> list:
    """The forms of the first clause of (cond-expand clause ...) whose requirement holds."""
    clauses = form_items(x.cdr, "cond-expand", span)
    require(
        bool(clauses), "cond-expand", "expected (cond-expand (requirement form ...) ...)", x, span
    )
    for i, (clause, cspan) in enumerate(clauses):
        require(
            type(clause) is Pair,
            "cond-expand",
            "each clause is (requirement form ...)",
            x,
            cspan,
        )
        req = strip(clause.car)
        if req is Symbol("else"):
            require(i == len(clauses) - 1, "cond-expand", "else must be the last clause", x, span)
            return form_items(clause.cdr, "cond-expand", cspan)
        if requirement_holds(req, libraries, cspan):
            return form_items(clause.cdr, "cond-expand", cspan)
    return []


@special("cond-expand", definition=True)
def compile_cond_expand(c: Compiler, x: Pair, scope: Scope | None, span: Any, top: Any) -> Any:
    # (cond-expand (requirement form ...) ... [(else form ...)])
    forms = chosen_clause(x, c.env.libraries, span)
    spliced = Pair(SPECIAL_FORMS["begin"], list_from([f for f, _ in forms]))
    spliced.span = span
    if top == "rewrite":  # in a body: the begin is spliced into it
        return spliced
    if top is True:
        return c.compile(spliced, None, span, top=True)
    if not forms:
        return Const(UNSPECIFIED, span)
    return c.compile_seq(forms, scope, span)
