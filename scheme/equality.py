"""eq?, eqv? and equal?, the last without Python recursion and safe on cycles."""

from __future__ import annotations

import math
from typing import Any

from .types import Bytevector, Char, MString, Pair, Vector

# After this many node comparisons equal? starts remembering some of the pairs it has
# assumed equal (one in 64: in a cycle of any length some pair is sampled on two laps),
# so circular structures terminate without slowing down the common case.
_CYCLE_WATCH_AFTER = 50_000
_SAMPLE_MASK = 63


def is_eq(a: Any, b: Any) -> bool:
    """eq?: the same object (small exact integers and characters compare by value)."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is int:
        return a == b
    if ta is Char:
        return a.ch == b.ch
    return False


def is_eqv(a: Any, b: Any) -> bool:
    """eqv?: numbers of the same exactness and value, characters by value, else identity."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is float:
        if a == b:
            return math.copysign(1.0, a) == math.copysign(1.0, b)
        return math.isnan(a) and math.isnan(b)
    if ta is int or ta is Char:
        return a == b
    if ta is complex:
        return is_eqv(a.real, b.real) and is_eqv(a.imag, b.imag)
    if ta.__name__ == "Fraction":
        return a == b
    return False


def is_equal(a: Any, b: Any) -> bool:
    """equal?: structural equality of pairs, vectors, strings and bytevectors."""
    stack = [(a, b)]
    count = 0
    assumed: set[tuple[int, int]] | None = None
    while stack:
        x, y = stack.pop()
        while True:
            if x is y:
                break
            tx = type(x)
            if tx is not type(y):
                return False
            if tx is Pair:
                count += 1
                if count > _CYCLE_WATCH_AFTER and not count & _SAMPLE_MASK:
                    if assumed is None:
                        assumed = set()
                    key = (id(x), id(y))
                    if key in assumed:
                        break
                    assumed.add(key)
                cx, cy = x.car, y.car
                if cx is not cy:
                    if type(cx) is int and type(cy) is int:
                        if cx != cy:
                            return False
                    else:
                        stack.append((cx, cy))
                x, y = x.cdr, y.cdr
                continue
            if tx is MString:
                if x.s != y.s:
                    return False
                break
            if tx is Vector:
                xi, yi = x.items, y.items
                if len(xi) != len(yi):
                    return False
                count += 1
                if count > _CYCLE_WATCH_AFTER:
                    if assumed is None:
                        assumed = set()
                    key = (id(x), id(y))
                    if key in assumed:
                        break
                    assumed.add(key)
                stack.extend(zip(xi, yi))
                break
            if tx is Bytevector:
                if x.data != y.data:
                    return False
                break
            if not is_eqv(x, y):
                return False
            break
    return True
