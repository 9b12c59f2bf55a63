"""Indexed fact relations on top of `kanren.Relation`, and small helpers for running them.

`kanren.Relation` (miniKanren 1.0.5) keeps a per-column index, but its goal looks the index
up with the arguments *before* they are walked through the substitution. In a conjunction
such as `lall(cart_lineo(c, sku, v, q), unit_priceo(cat, sku, v, u))` the second goal
then sees `sku` as a variable and scans every fact: 20 lines over a 100,000-product
catalog become two million unifications. `FactRelation` walks the arguments first, picks
the smallest matching index bucket, and fails at once when a ground argument has no bucket.
Facts hold atoms only, so a pattern of atoms and variables is matched directly rather than
through the general (multiple-dispatch) unifier.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from kanren import Relation, run
from unification import isvar, reify, unify
from unification.utils import transitive_get

Goal = Callable[[Any], Iterator[Any]]
Term = Any  # a logic variable or a ground value


class FactRelation(Relation):
    """A kanren `Relation` whose goals use the index after walking their arguments."""

    def __init__(self, name: str, rows: Iterable[tuple[Any, ...]] = ()) -> None:
        super().__init__(name)
        for row in rows:
            self.add_fact(*row)

    def __call__(self, *args: Any) -> Goal:
        def goal(s: Any) -> Iterator[Any]:
            walked = [_walk(a, s) for a in args]
            pool: set[tuple[Any, ...]] | None = None
            flat = True
            for column, value in enumerate(walked):
                if isvar(value):
                    continue
                if isinstance(value, tuple | list | dict | set):
                    flat = False  # a compound term: leave it to the general unifier
                    continue
                try:
                    bucket = self.index.get((column, value))
                except TypeError:  # an unhashable atom cannot use the index
                    flat = False
                    continue
                if bucket is None:
                    return
                if pool is None or len(bucket) < len(pool):
                    pool = bucket
            rows = self.facts if pool is None else pool
            if flat:
                yield from _match_flat(rows, walked, s)
            else:
                pattern = tuple(walked)
                for row in rows:
                    extended = unify(row, pattern, s)
                    if extended is not False:
                        yield extended

        return goal

    def __len__(self) -> int:
        return len(self.facts)


def _walk(term: Any, s: Any) -> Any:
    """`term` with a bound variable replaced by its value (compound terms reified)."""
    if isvar(term):
        term = transitive_get(term, s)
    if isinstance(term, tuple | list) and not isvar(term):
        term = reify(term, s)
    return term


def _match_flat(rows: Iterable[tuple[Any, ...]], pattern: list[Any], s: Any) -> Iterator[Any]:
    """Unify each row with a pattern of atoms and unbound variables, without the dispatcher.

    A variable that appears twice must meet equal values; an atom must equal its column
    (as `unify` compares atoms). Facts hold atoms only, so this is all of unification here,
    at a fraction of the general unifier's cost.
    """
    holes = [(i, t) for i, t in enumerate(pattern) if isvar(t)]
    fixed = [(i, t) for i, t in enumerate(pattern) if not isvar(t)]
    for row in rows:
        if len(row) != len(pattern) or any(row[i] != t for i, t in fixed):
            continue
        bound: dict[Any, Any] = {}
        for i, var in holes:
            if var in bound:
                if bound[var] != row[i]:
                    break
            else:
                bound[var] = row[i]
        else:
            extended = dict(s)
            extended.update(bound)
            yield extended


def answers(term: Any, *goals: Goal) -> list[Any]:
    """Every answer of `run(0, term, *goals)`, sorted so that callers never see kanren's order."""
    return sorted(set(run(0, term, *goals)), key=_sort_key)


def _sort_key(value: Any) -> Any:
    # None sorts before any string (a product without a variant first); tuples element-wise.
    if isinstance(value, tuple):
        return tuple(_sort_key(v) for v in value)
    if value is None:
        return (0, "")
    return (1, value)


def is_ground(value: Any) -> bool:
    """True when `value` (already walked) holds no logic variable."""
    if isvar(value):
        return False
    if isinstance(value, tuple | list):
        return all(is_ground(v) for v in value)
    return True


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many facts.

    Building a large catalog allocates millions of tuples, sets and dict entries and no
    cycles; each allocation burst would trigger a full collection pass over them all.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
