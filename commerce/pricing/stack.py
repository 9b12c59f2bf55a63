"""Stacking: which applying promotions may be used together, and which set is best.

A legal stacking is a set of applying promotions with no excluded pair (the empty set too);
its discount is min(subtotal, sum of its promotions' discounts). The best stacking has the
largest discount; ties go to fewer codes, then to the lexicographically smallest sorted list
of codes. `best_stacking` finds it by branch and bound over the exclusion graph;
`brute_force_best` enumerates every subset and is kept as the reference the tests and the
benchmark compare against.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from unification import reify, unify

from ..errors import InvalidMoneyError, UnknownCodeError
from ..money import is_int
from ..relation import Goal, Term, is_ground
from .promo import Evaluation

Exclusions = Collection[frozenset[str]]


@dataclass(frozen=True, slots=True)
class Stacking:
    """A set of codes (sorted) and the discount it gives."""

    codes: tuple[str, ...]
    discount: int

    def rank(self) -> tuple[int, int, tuple[str, ...]]:
        """Smaller is better: larger discount, then fewer codes, then smaller code list."""
        return (-self.discount, len(self.codes), self.codes)


def _check(amounts: Mapping[str, int]) -> None:
    for code, amount in amounts.items():
        if not is_int(amount) or amount < 0:
            raise InvalidMoneyError(f"discount of {code} must be an int >= 0, got {amount!r}")


def _conflicts(codes: list[str], exclusions: Exclusions) -> list[int]:
    """For each code (by index), the bit mask of the codes it may not be used with."""
    index = {c: i for i, c in enumerate(codes)}
    masks = [0] * len(codes)
    for pair in exclusions:
        a, b = tuple(pair)
        if a in index and b in index:
            masks[index[a]] |= 1 << index[b]
            masks[index[b]] |= 1 << index[a]
    return masks


def is_legal(codes: Collection[str], amounts: Mapping[str, int], exclusions: Exclusions) -> bool:
    """True when every code applies and no two of them are an excluded pair."""
    return all(c in amounts for c in codes) and not any(
        frozenset(pair) in exclusions for pair in combinations(codes, 2)
    )


def stacking_of(codes: Collection[str], amounts: Mapping[str, int], subtotal: int) -> Stacking:
    """The stacking of `codes`: sorted codes and min(subtotal, sum of their discounts)."""
    for c in codes:
        if c not in amounts:
            raise UnknownCodeError(f"{c!r} is not an applying promotion")
    return Stacking(tuple(sorted(codes)), min(subtotal, sum(amounts[c] for c in codes)))


def legal_stackings(
    amounts: Mapping[str, int], exclusions: Exclusions, subtotal: int
) -> list[Stacking]:
    """Every legal stacking, best first."""
    _check(amounts)
    return sorted(enumerate_stackings(amounts, exclusions, subtotal, None), key=Stacking.rank)


def enumerate_stackings(
    amounts: Mapping[str, int], exclusions: Exclusions, subtotal: int, target: int | None = None
) -> Iterator[Stacking]:
    """Legal stackings, in no set order; with `target`, only those whose discount is `target`.

    With a target, a branch is cut as soon as its sum cannot reach the target, or has
    passed it below the subtotal cap: "which stacking gives D?" need not list them all.
    """
    _check(amounts)
    codes = sorted(amounts)
    values = [amounts[c] for c in codes]
    masks = _conflicts(codes, exclusions)
    rest = [sum(values[i:]) for i in range(len(codes) + 1)]
    if target is not None and (target > subtotal or target < 0):
        return
    stack: list[tuple[int, tuple[int, ...], int, int]] = [(0, (), 0, 0)]
    while stack:
        i, chosen, total, blocked = stack.pop()
        if target is not None:
            if total + rest[i] < target or (target < subtotal and total > target):
                continue
        if i == len(codes):
            discount = min(subtotal, total)
            if target is None or discount == target:
                yield Stacking(tuple(codes[j] for j in chosen), discount)
            continue
        stack.append((i + 1, chosen, total, blocked))
        if not blocked >> i & 1:
            stack.append((i + 1, (*chosen, i), total + values[i], blocked | masks[i]))


def best_stacking(amounts: Mapping[str, int], exclusions: Exclusions, subtotal: int) -> Stacking:
    """The best legal stacking, by branch and bound.

    Codes are tried largest discount first. The bound of a branch covers the codes it can
    still take with cliques of the exclusion graph (a stacking holds at most one code of a
    clique, so each clique adds at most its largest free discount). A branch is cut when its
    bound is below the best discount so far, or equal to it while the branch already holds
    as many codes. A set whose sum reaches the subtotal is not extended (more codes cannot
    add discount).
    """
    _check(amounts)
    codes = sorted(amounts, key=lambda c: (-amounts[c], c))
    values = [amounts[c] for c in codes]
    masks = _conflicts(codes, exclusions)
    cliques = _clique_cover(masks)
    n = len(codes)
    best = Stacking((), 0)
    best_rank = best.rank()

    def bound(total: int, blocked: int) -> int:
        free = 0
        for clique in cliques:  # members in index order: the first free one is the largest
            for j in clique:
                if not blocked >> j & 1:
                    free += values[j]
                    break
        return min(subtotal, total + free)

    # Explicit stack of (next index, chosen indexes, sum, blocked mask): no Python recursion.
    stack: list[tuple[int, tuple[int, ...], int, int]] = [(0, (), 0, 0)]
    while stack:
        i, chosen, total, blocked = stack.pop()
        discount = min(subtotal, total)
        if (-discount, len(chosen)) <= best_rank[:2]:
            candidate = Stacking(tuple(sorted(codes[j] for j in chosen)), discount)
            if candidate.rank() < best_rank:
                best, best_rank = candidate, candidate.rank()
        if total >= subtotal:
            continue
        while i < n and blocked >> i & 1:
            i += 1
        if i == n:
            continue
        ub = bound(total, blocked)
        if ub < best.discount or (ub == best.discount and len(chosen) + 1 > len(best.codes)):
            continue
        # Pushed last, popped first: the branch that takes code i is explored before the one
        # that leaves it out, so a good bound is found early. Indexes below i are decided
        # either way, so both branches mark i blocked.
        stack.append((i + 1, chosen, total, blocked | 1 << i))
        stack.append((i + 1, (*chosen, i), total + values[i], blocked | masks[i] | 1 << i))
    return best


def _clique_cover(masks: list[int]) -> list[list[int]]:
    """Split the codes (indexes, largest discount first) into cliques of the exclusion graph.

    Greedy: each code not yet covered starts a clique, which takes every later uncovered code
    that excludes all its members. Each clique's members stay in index order.
    """
    covered = 0
    cliques = []
    for i in range(len(masks)):
        if covered >> i & 1:
            continue
        clique, common = [i], masks[i]
        for j in range(i + 1, len(masks)):
            if common >> j & 1 and not covered >> j & 1:
                clique.append(j)
                common &= masks[j]
        covered |= sum(1 << j for j in clique)
        cliques.append(clique)
    return cliques


def brute_force_best(amounts: Mapping[str, int], exclusions: Exclusions, subtotal: int) -> Stacking:
    """The best legal stacking by trying every subset: the reference for `best_stacking`."""
    _check(amounts)
    codes = sorted(amounts)
    best = Stacking((), 0)
    for size in range(1, len(codes) + 1):
        for subset in combinations(codes, size):
            if is_legal(subset, amounts, exclusions):
                candidate = stacking_of(subset, amounts, subtotal)
                if candidate.rank() < best.rank():
                    best = candidate
    return best


# -- over an evaluation ------------------------------------------------------------------------


def stackings(ev: Evaluation) -> list[Stacking]:
    """Every legal stacking of the promotions that apply in `ev`, best first."""
    return legal_stackings(ev.amounts(), ev.rules.exclusions, ev.priced.subtotal)


def best(ev: Evaluation) -> Stacking:
    """The best stacking of the promotions that apply in `ev`."""
    return best_stacking(ev.amounts(), ev.rules.exclusions, ev.priced.subtotal)


def stacking_by_discounto(ev: Evaluation, codes: Term, discount: Term) -> Goal:
    """`codes` (a sorted tuple) is a legal stacking in `ev` whose discount is `discount`.

    Runs in every mode: with the codes ground it checks them and gives their discount; with
    the discount ground it searches only the subsets whose sums can reach it; otherwise it
    enumerates every legal stacking.
    """

    def goal(s: Any) -> Iterator[Any]:
        c, d = reify((codes, discount), s)
        amounts = ev.amounts()
        subtotal = ev.priced.subtotal
        if is_ground(c) and isinstance(c, tuple):
            if list(c) != sorted(set(c)) or not is_legal(c, amounts, ev.rules.exclusions):
                return
            found: Iterator[Stacking] = iter([stacking_of(c, amounts, subtotal)])
        else:
            target = d if is_int(d) else None
            found = enumerate_stackings(amounts, ev.rules.exclusions, subtotal, target)
        for st in found:
            extended = unify((codes, discount), (st.codes, st.discount), s)
            if extended is not False:
                yield extended

    return goal
