"""Indexed fact relations on top of `kanren.Relation`, and small helpers for running them.

`kanren.Relation` (miniKanren 1.0.5) keeps a per-column index, but its goal looks the index
up with the arguments *before* they are walked through the substitution. In a conjunction
such as `lall(cart_lineo(c, sku, v, q), unit_priceo(cat, sku, v, u))` the second goal
then sees `sku` as a variable and scans every fact: 20 lines over a 100,000-product
catalog become two million unifications. `FactRelation` walks the arguments first, picks
the smallest matching index bucket, and fails at once when a ground argument has no bucket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kanren import Relation, run
from unification import isvar, reify, unify

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
            walked = reify(args, s)
            pool: set[tuple[Any, ...]] | None = None
            for column, value in enumerate(walked):
                if isvar(value):
                    continue
                try:
                    bucket = self.index.get((column, value))
                except TypeError:  # an unhashable term (e.g. a list) cannot use the index
                    continue
                if bucket is None:
                    return
                if pool is None or len(bucket) < len(pool):
                    pool = bucket
            for row in self.facts if pool is None else pool:
                extended = unify(row, walked, s)
                if extended is not False:
                    yield extended

        return goal

    def __len__(self) -> int:
        return len(self.facts)


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
