"""Records from define-record-type: the type, constructor, predicate, accessors and
modifiers are made at run time as ordinary primitives named after the user's names."""

from __future__ import annotations

from typing import Any

from ..errors import ArityError, WrongTypeError
from ..types import (
    FALSE,
    UNSPECIFIED,
    Primitive,
    Record,
    RecordType,
    Symbol,
    boolean,
    list_to_python,
)
from .registry import primitive, wrong_type


@primitive("%make-record-type")
def make_record_type(name: Symbol, fields: Any) -> RecordType:
    return RecordType(name.name, tuple(list_to_python(fields)))


def _field(who: str, rt: Any, field: Any) -> int:
    """The position of field in record type rt, or an error in Scheme terms."""
    if type(rt) is not RecordType:
        raise wrong_type(who, "a record type", rt, 1)
    if field not in rt.fields:
        raise WrongTypeError(f"{who}: {rt.name} has no field {getattr(field, 'name', field)}")
    return rt.fields.index(field)


def _check(rt: RecordType, who: str, x: Any) -> Record:
    if type(x) is not Record or x.rtype is not rt:
        raise wrong_type(who, f"a {rt.name} record", x)
    return x


@primitive("%record-constructor")
def record_constructor(rt: RecordType, fields: Any, who: Symbol) -> Primitive:
    names = list_to_python(fields)
    positions = [_field(who.name, rt, f) for f in names]
    n = len(rt.fields)

    def construct(*args: Any) -> Record:
        # *args never raises TypeError, so the machine's arity check cannot see a mistake
        if len(args) != len(positions):
            plural = "" if len(positions) == 1 else "s"
            raise ArityError(
                f"{who.name}: expected {len(positions)} argument{plural}, got {len(args)}"
            )
        values: list = [FALSE] * n
        for pos, value in zip(positions, args):
            values[pos] = value
        return Record(rt, values)

    return Primitive(who.name, construct, len(names), len(names))


@primitive("%record-predicate")
def record_predicate(rt: RecordType, who: Symbol) -> Primitive:
    return Primitive(who.name, lambda x: boolean(type(x) is Record and x.rtype is rt), 1, 1)


@primitive("%record-accessor")
def record_accessor(rt: RecordType, field: Symbol, name: Symbol) -> Primitive:
    who = name.name
    pos = _field(who, rt, field)

    def get(r: Any) -> Any:
        return _check(rt, who, r).values[pos]

    return Primitive(who, get, 1, 1)


@primitive("%record-modifier")
def record_modifier(rt: RecordType, field: Symbol, name: Symbol) -> Primitive:
    who = name.name
    pos = _field(who, rt, field)

    def put(r: Any, value: Any) -> Any:
        _check(rt, who, r).values[pos] = value
        return UNSPECIFIED

    return Primitive(who, put, 2, 2)
