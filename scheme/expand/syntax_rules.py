"""syntax-rules: pattern matching and template instantiation with renaming.

Patterns support literals, `_`, ellipsis (also a custom ellipsis identifier, and
patterns after the ellipsis), nested ellipsis, dotted tails and vectors; templates
support `(... ...)` escapes. Identifiers a template introduces are renamed to fresh
`Alias`es resolved in the macro's definition scope (see syntax.py).
"""

from __future__ import annotations

from typing import Any

from ..equality import is_equal
from ..errors import SchemeSyntaxError, Span
from ..run import budget
from ..types import NIL, UNBOUND, Cell, Pair, Symbol, Vector, list_from
from .syntax import Alias, Scope, base_name, is_identifier, strip, syntax_error

_ELLIPSIS = Symbol("...")
_UNDERSCORE = Symbol("_")


class _Seq:
    """The matches of a pattern under an ellipsis: one binding per repetition."""

    __slots__ = ("items",)

    def __init__(self, items: list) -> None:
        self.items = items


class Macro:
    """A syntax-rules transformer closed over the scope it was defined in."""

    __slots__ = ("name", "literals", "ellipsis", "rules", "scope", "env", "_use")

    def __init__(
        self, name: str, literals: set, ellipsis: Symbol | None, rules: list, scope: Scope | None
    ) -> None:
        self.name = name
        self.literals = literals
        self.ellipsis = ellipsis
        self.rules = rules
        self.scope = scope
        self.env: Any = None  # the top-level environment it was defined in (see resolve)
        self._use: tuple = (None, None)  # (compiler, scope) of the use being expanded

    def __repr__(self) -> str:
        return f"#<macro {self.name}>"

    # -- matching ------------------------------------------------------------------------
    def _is_ellipsis(self, x: Any) -> bool:
        return self.ellipsis is not None and is_identifier(x) and base_name(x) is self.ellipsis

    def _match(self, pat: Any, x: Any, b: dict) -> bool:
        if is_identifier(pat):
            name = base_name(pat)
            if pat in self.literals:
                if not is_identifier(x) or base_name(x) is not name:
                    return False
                c, scope = self._use
                return c is None or same_binding(c, pat, self.scope, self.env, x, scope)
            if name is _UNDERSCORE:
                return True
            b[pat] = x
            return True
        if type(pat) is Pair:
            items = []
            p = pat
            while type(p) is Pair:
                items.append(p.car)
                p = p.cdr
            return self._match_seq(items, p, x, b, is_vector=False)
        if type(pat) is Vector:
            if type(x) is not Vector:
                return False
            return self._match_seq(pat.items, NIL, x, b, is_vector=True)
        return is_equal(strip(pat), strip(x))

    def _match_seq(self, items: list, tail_pat: Any, x: Any, b: dict, is_vector: bool) -> bool:
        if is_vector:
            xs, x_tail = list(x.items), NIL
        else:
            xs = []
            while type(x) is Pair:
                xs.append(x.car)
                x = x.cdr
            x_tail = x
        ell = next((i for i in range(len(items) - 1) if self._is_ellipsis(items[i + 1])), None)
        if ell is None:
            if len(xs) < len(items) or (tail_pat is NIL and len(xs) != len(items)):
                return False
            for pat_i, x_i in zip(items, xs):
                if not self._match(pat_i, x_i, b):
                    return False
            rest = xs[len(items) :]
            if tail_pat is NIL:
                return x_tail is NIL
            rebuilt = x_tail
            for item in reversed(rest):
                rebuilt = Pair(item, rebuilt)
            return self._match(tail_pat, rebuilt, b)
        before, sub, after = items[:ell], items[ell], items[ell + 2 :]
        n_rep = len(xs) - len(before) - len(after)
        if n_rep < 0 or (tail_pat is NIL and x_tail is not NIL):
            return False
        for pat_i, x_i in zip(before, xs):
            if not self._match(pat_i, x_i, b):
                return False
        reps = []
        for x_i in xs[len(before) : len(before) + n_rep]:
            sub_b: dict = {}
            if not self._match(sub, x_i, sub_b):
                return False
            reps.append(sub_b)
        for var in self._pattern_vars(sub):
            b[var] = _Seq([r[var] for r in reps])
        for pat_i, x_i in zip(after, xs[len(before) + n_rep :]):
            if not self._match(pat_i, x_i, b):
                return False
        if tail_pat is NIL:
            return True
        return self._match(tail_pat, x_tail, b)

    def _pattern_vars(self, pat: Any) -> list:
        out = []
        stack = [pat]
        while stack:
            p = stack.pop()
            if is_identifier(p):
                name = base_name(p)
                if p not in self.literals and name not in (_UNDERSCORE, self.ellipsis):
                    out.append(p)
            elif type(p) is Pair:
                stack.append(p.car)
                stack.append(p.cdr)
            elif type(p) is Vector:
                stack.extend(p.items)
        return out

    # -- expansion -----------------------------------------------------------------------
    def expand(self, form: Any, span: Span | None, compiler: Any = None, scope: Any = None) -> Any:
        """The expansion of a use of this macro in scope (raises when no rule matches).

        With the compiler, literals match by binding; without it, by name."""
        budget.charge(budget.EXPANSION_COST)  # a self-expanding macro runs out of work
        self._use = (compiler, scope)
        for pattern, template in self.rules:
            b: dict = {}
            if self._match(pattern.cdr, form.cdr, b):
                return self._instantiate(template, b, {}, span, escaped=False)
        raise syntax_error(self.name, "no syntax-rules pattern matches this use", form, span)

    def _instantiate(self, t: Any, b: dict, renames: dict, span: Span | None, escaped: bool) -> Any:
        if is_identifier(t):
            if t in b:
                v = b[t]
                if type(v) is _Seq:
                    raise SchemeSyntaxError(
                        f"{self.name}: pattern variable {base_name(t).name} is used "
                        "without an ellipsis in the template",
                        span=span,
                    )
                return v
            alias = renames.get(t)
            if alias is None:
                alias = renames[t] = Alias(t, self.scope, env=self.env)
            return alias
        if type(t) is Pair:
            if not escaped and self._is_ellipsis(t.car) and type(t.cdr) is Pair:
                return self._instantiate(t.cdr.car, b, renames, span, escaped=True)
            out: list = []
            p = t
            while type(p) is Pair:
                elem = p.car
                p = p.cdr
                depth = 0
                while not escaped and type(p) is Pair and self._is_ellipsis(p.car):
                    depth += 1
                    p = p.cdr
                if depth == 0:
                    out.append(self._instantiate(elem, b, renames, span, escaped))
                else:
                    out.extend(self._repeat(elem, b, renames, span, depth))
            tail = NIL if p is NIL else self._instantiate(p, b, renames, span, escaped)
            budget.charge(len(out))
            for item in reversed(out):
                tail = Pair(item, tail)
                tail.span = span
            return tail
        if type(t) is Vector:
            lst = self._instantiate(list_from(t.items), b, renames, span, escaped)
            items = []
            while type(lst) is Pair:
                items.append(lst.car)
                lst = lst.cdr
            return Vector(items)
        return t

    def _repeat(self, elem: Any, b: dict, renames: dict, span: Span | None, depth: int) -> list:
        vars_ = [v for v in self._template_vars(elem, b) if type(b[v]) is _Seq]
        if not vars_:
            raise SchemeSyntaxError(
                f"{self.name}: an ellipsis in the template follows no pattern variable "
                "that was matched under an ellipsis",
                span=span,
            )
        lengths = {len(b[v].items) for v in vars_}
        if len(lengths) != 1:
            raise SchemeSyntaxError(
                f"{self.name}: pattern variables under one ellipsis matched different lengths",
                span=span,
            )
        out = []
        for i in range(lengths.pop()):
            sub = dict(b)
            for v in vars_:
                sub[v] = b[v].items[i]
            if depth == 1:
                out.append(self._instantiate(elem, sub, renames, span, escaped=False))
            else:
                out.extend(self._repeat(elem, sub, renames, span, depth - 1))
        return out

    def _template_vars(self, t: Any, b: dict) -> list:
        out = []
        stack = [t]
        while stack:
            p = stack.pop()
            if is_identifier(p):
                if p in b:
                    out.append(p)
            elif type(p) is Pair:
                stack.append(p.car)
                stack.append(p.cdr)
            elif type(p) is Vector:
                stack.extend(p.items)
        return out


def same_binding(c: Any, a: Any, a_scope: Any, a_env: Any, b: Any, b_scope: Any) -> bool:
    """Do identifier a (seen in a_scope of a_env) and b (in b_scope of the compiler c) mean the
    same thing? Both bound to one binding, or both free with the same name (R7RS
    4.3.2: how syntax-rules matches literals)."""
    ka = _binding_key(c, a, a_scope, a_env)
    kb = _binding_key(c, b, b_scope, c.env)
    if ka == kb:
        return True
    return type(ka) is Symbol and ka is kb


def _binding_key(c: Any, ident: Any, scope: Scope | None, env: Any) -> Any:
    env = env if env is not None else c.env
    where = scope
    while True:
        s = where
        while s is not None:
            if ident in s.names:
                return (id(s), s.names[ident])
            if s.macros is not None and ident in s.macros:
                return ("macro", id(s.macros[ident]))
            s = s.parent
        if type(ident) is Alias and not ident.fresh and ident not in env.table:
            if ident.env is not None:
                env = ident.env
            where = ident.scope
            ident = ident.sym
            continue
        b = env.table.get(ident)
        if b is None or (type(b) is Cell and b.value is UNBOUND):
            return base_name(ident)  # free: compared by name
        return ("global", id(b))


def make_syntax_rules(
    spec: Any, name: str, scope: Scope | None, span: Span | None, ellipsis_shadowed: bool = False
) -> Macro:
    """A Macro from `(syntax-rules [ellipsis] (literal ...) (pattern template) ...)`.

    There is no ellipsis when the default `...` is shadowed by a variable, nor when the
    ellipsis identifier is also a literal (then it matches itself)."""
    who = "syntax-rules"
    rest = spec.cdr if type(spec) is Pair else NIL
    ellipsis: Symbol | None = None if ellipsis_shadowed else _ELLIPSIS
    if type(rest) is Pair and is_identifier(rest.car):
        ellipsis = base_name(rest.car)
        rest = rest.cdr
    if type(rest) is not Pair:
        raise syntax_error(who, "expected (syntax-rules (literal ...) rule ...)", spec, span)
    literals = set()
    lits = rest.car
    while type(lits) is Pair:
        if not is_identifier(lits.car):
            raise syntax_error(who, "literals must be identifiers", spec, span)
        literals.add(lits.car)  # the identifier itself: a renamed k is not the user's k
        lits = lits.cdr
    if lits is not NIL:
        raise syntax_error(who, "expected a list of literals", spec, span)
    if ellipsis is not None and any(base_name(lit) is ellipsis for lit in literals):
        ellipsis = None
    rules = []
    r = rest.cdr
    while type(r) is Pair:
        rule = r.car
        if not (
            type(rule) is Pair
            and type(rule.car) is Pair
            and type(rule.cdr) is Pair
            and rule.cdr.cdr is NIL
        ):
            raise syntax_error(who, "each rule must be (pattern template)", spec, span)
        rules.append((rule.car, rule.cdr.car))
        r = r.cdr
    return Macro(name, literals, ellipsis, rules, scope)
