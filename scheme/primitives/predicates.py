"""Equivalence (R7RS 6.1), booleans (6.3) and procedure?.

eq?, eqv? and equal? are thin faces over scheme/equality.py, which the rest of the
interpreter (case, memv, assoc, hash tables) shares.
"""

from __future__ import annotations

from typing import Any

from ..equality import is_eq, is_equal, is_eqv
from ..types import FALSE, TRUE, Boolean, boolean, is_procedure
from .registry import primitive, wrong_type


@primitive("eq?")
def eq(a: Any, b: Any) -> Boolean:
    """eq?"""
    return TRUE if a is b else boolean(is_eq(a, b))


@primitive("eqv?")
def eqv(a: Any, b: Any) -> Boolean:
    """eqv?"""
    return TRUE if a is b else boolean(is_eqv(a, b))


@primitive("equal?")
def equal(a: Any, b: Any) -> Boolean:
    """equal? (terminates on circular structure)"""
    return TRUE if a is b else boolean(is_equal(a, b))


@primitive("not")
def not_(x: Any) -> Boolean:
    """not: #t only for #f."""
    return TRUE if x is FALSE else FALSE


@primitive("boolean?")
def is_boolean(x: Any) -> Boolean:
    """boolean?"""
    return boolean(type(x) is Boolean)


@primitive("boolean=?")
def boolean_eq(a: Any, *rest: Any) -> Boolean:
    """boolean=?"""
    for i, x in enumerate((a, *rest), 1):
        if type(x) is not Boolean:
            raise wrong_type("boolean=?", "a boolean", x, i)
    return boolean(all(x is a for x in rest))


@primitive("procedure?")
def is_procedure_p(x: Any) -> Boolean:
    """procedure?"""
    return boolean(is_procedure(x))
