"""Indexed fact relations on top of `kanren.Relation`, and small helpers for running them.

`kanren.Relation` (miniKanren 1.0.5) keeps a per-column index, but its goal looks the index
up with the arguments *before* they are walked through the substitution. In a conjunction
such as `lall(cart_lineo(c, sku, v, q), unit_priceo(cat, sku, v, u))` the second goal
then sees `sku` as a variable and scans every fact: 20 lines over a 100,000-product
catalog become two million unifications. `FactRelation` walks the arguments first, picks
the smallest matching index bucket, and fails at once when a ground argument has no bucket.
Facts hold atoms only, so a pattern of atoms and variables is matched directly rather than
through the general (multiple-dispatch) unifier.

A column's index is built the first time a goal meets a ground value in it (a relation of
a few hundred thousand facts costs one set until asked), `ANY` stands for a column a goal
does not care about (matched, never bound: an answer costs nothing for it), and `answers`
walks a variable bound to an atom instead of calling the general reifier.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from kanren import Relation, lall, var
from unification import isvar, reify, unify
from unification.utils import transitive_get

Goal = Callable[[Any], Iterator[Any]]
Term = Any  # a logic variable or a ground value


class _Any:
    """The type of `ANY`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()
"""A column a `FactRelation` goal does not care about: it matches every value and binds
nothing (miniKanren's `_`), so an answer costs no binding for it."""


class FactRelation(Relation):
    """A kanren `Relation` whose goals use the index after walking their arguments.

    The facts are a set of tuples; the index of a column (value -> the facts holding it)
    is built the first time a goal meets a ground value in that column, so a relation of a
    few hundred thousand rows costs one set to build, and a column no question binds is
    never indexed."""

    def __init__(self, name: str, rows: Iterable[tuple[Any, ...]] = ()) -> None:
        super().__init__(name)
        self.facts = set(map(tuple, rows))
        self._indexed: set[int] = set()  # the columns whose buckets are in self.index

    def add_fact(self, *inputs: Any) -> None:
        """Add one fact (kept in the index of every column indexed so far)."""
        fact = tuple(inputs)
        self.facts.add(fact)
        for column in self._indexed:
            if column < len(fact):
                self.index.setdefault((column, fact[column]), set()).add(fact)

    def bucket(self, column: int, value: Any) -> set[tuple[Any, ...]] | None:
        """The facts whose `column` is `value` (None when there are none); TypeError when
        `value` cannot be hashed."""
        if column not in self._indexed:
            self._index_column(column)
        return self.index.get((column, value))

    def _index_column(self, column: int) -> None:
        index = self.index
        with paused_gc():
            for fact in self.facts:
                if column < len(fact):
                    key = (column, fact[column])
                    found = index.get(key)
                    if found is None:
                        index[key] = {fact}
                    else:
                        found.add(fact)
        self._indexed.add(column)

    def __call__(self, *args: Any) -> Goal:
        def goal(s: Any) -> Iterator[Any]:
            walked = [walk(a, s) for a in args]
            pool: set[tuple[Any, ...]] | None = None
            flat = True
            for column, value in enumerate(walked):
                if value is ANY or isvar(value):
                    continue
                if isinstance(value, tuple | list | dict | set):
                    flat = False  # a compound term: leave it to the general unifier
                    continue
                try:
                    bucket = self.bucket(column, value)
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
                pattern = tuple(var() if t is ANY else t for t in walked)
                for row in rows:
                    extended = unify(row, pattern, s)
                    if extended is not False:
                        yield extended

        return goal

    def __len__(self) -> int:
        return len(self.facts)


def walk(term: Any, s: Any) -> Any:
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
    width = len(pattern)
    holes = [(i, t) for i, t in enumerate(pattern) if isvar(t)]
    fixed = [i for i, t in enumerate(pattern) if not (t is ANY or isvar(t))]
    pick = itemgetter(*fixed) if fixed else None
    want = pick(pattern) if pick else None
    repeated = len({t for _, t in holes}) < len(holes)
    for row in rows:
        if len(row) != width or (pick is not None and pick(row) != want):
            continue
        extended = dict(s)
        if repeated:
            bound: dict[Any, Any] = {}
            for i, var in holes:
                if var in bound:
                    if bound[var] != row[i]:
                        break
                else:
                    bound[var] = row[i]
            else:
                extended.update(bound)
                yield extended
            continue
        for i, var in holes:
            extended[var] = row[i]
        yield extended


def answers(term: Any, *goals: Goal) -> list[Any]:
    """Every answer of `run(0, term, *goals)`, sorted so that callers never see kanren's order.

    As `run` does, the goals run in conjunction (`lall`) from the empty substitution and
    `term` is reified in each answer; a variable bound to an atom is walked, not sent
    through the general reifier (its dispatcher is most of the cost of an answer)."""
    with paused_gc():  # many answers, no cycles: a collection pass would scan the facts
        found = set(_reified(term, lall(*goals)({})))
    if all(type(v) is str for v in found):
        return sorted(found)  # the order _sort_key gives, without a key per answer
    return sorted(found, key=_sort_key)


_ATOMS = (str, int, bool, type(None))


def _reified(term: Any, states: Iterator[Any]) -> Iterator[Any]:
    if not isvar(term):
        for s in states:
            yield reify(term, s)
        return
    for s in states:
        value = transitive_get(term, s)
        yield value if type(value) in _ATOMS else reify(value, s)


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
