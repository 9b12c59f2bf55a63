"""Ledger events: what happened to an order, as frozen past-tense records.

Every event has a stable `type` name (its JSON tag), an `at` timestamp the caller supplies
(there is no hidden clock), and an idempotency key (`key(stream)`) under which the ledger
records it at most once. The key says which fact the event is, not when it was seen:

| event | type | fields besides `at` | key |
| --- | --- | --- | --- |
| OrderCreated | order-created | order, currency, quote figures, codes, lines | (created, order) |
| StockReserved | stock-reserved | lines (sku, variant, qty) | (reserved, order) |
| PaymentRecorded | payment-recorded | ref, amount | (payment, ref) -- global |
| WrongCurrencyPayment | payment-wrong-currency | ref, amount, currency | (wrong-currency, ref) |
| OrderFulfilled | order-fulfilled | | (fulfilled, order) |
| RefundRequested | refund-requested | refund, amount | (refund-requested, order, refund) |
| RefundApproved | refund-approved | refund | (refund-approved, order, refund) |
| RefundSettled | refund-settled | refund, amount | (refund-settled, order, refund) |
| RefundRejected | refund-rejected | refund | (refund-rejected, order, refund) |
| OrderExpired | order-expired | | (expired, order) |
| OrderCancelled | order-cancelled | | (cancelled, order) |
| StockReleased | stock-released | | (released, order) |

An order not paid within the shop's payment timeout expires (OrderExpired); one cancelled
before it was fulfilled gets OrderCancelled. Either way its reservation is given back
(StockReleased). A payment recorded after either needs a refund.

A WrongCurrencyPayment is a charge the provider reported in another currency than the
order's: it is kept as what it is -- it pays nothing, never fulfils, and reconciliation
lists it as needing action (`recon.wrong_currency_payments`). A payment ref is the
provider's and names one charge, so its key is global: the same ref
cannot pay two orders. Refund ids are the host's and are scoped by order. Two events are
the same fact (`same_fact`) when their type and every field but `at` agree: a webhook
redelivered later is the same payment.

JSON form: `{"type": "payment-recorded", "at": 1767225600, "ref": "pay_1", "amount": 2510}`;
lines are objects, codes a list, a missing variant `null`. `event_from_json` is strict: an
unknown type, a missing or unknown key or a wrong type raises EventFormatError naming it.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar

from ..errors import CommerceError, EventFormatError, InvalidEventError
from ..money import is_int, require_amount, require_money, require_qty, require_text


def _positive(value: object, what: str) -> int:
    return require_amount(value, what)


def _time(value: object, what: str) -> int:
    if not is_int(value):
        raise InvalidEventError(f"{what} must be an int timestamp, got {value!r}")
    assert isinstance(value, int)
    return value


def _variant(value: object, what: str) -> str | None:
    return None if value is None else require_text(value, what)


@cache
def _names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass, `at` first for events (looked up once per class)."""
    return tuple(f.name for f in fields(cls))


_quote = json.encoder.encode_basestring_ascii  # what json.dumps does to each string
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))  # one, made once


def _key(*parts: str) -> str:
    # A JSON array cannot collide whatever characters the ids hold. Built from the parts
    # as json.dumps(parts, separators=(",", ":")) would, without making an encoder.
    try:
        return "[" + ",".join([_quote(p) for p in parts]) + "]"
    except TypeError:  # not strings: let json say what they are
        return json.dumps(parts, separators=(",", ":"))


def created_key(order: str) -> str:
    """The idempotency key of an order's OrderCreated: a stream exists when it is recorded."""
    return _key("created", order)


def payment_key(ref: str) -> str:
    """The idempotency key of the payment with provider ref `ref` (the same on every order)."""
    return _key("payment", require_text(ref, "payment ref"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemLine:
    """A reserved line: sku, variant (None: the product itself), qty."""

    sku: str
    variant: str | None = None
    qty: int

    def __post_init__(self) -> None:
        require_text(self.sku, "line sku")
        _variant(self.variant, f"variant of {self.sku}")
        require_qty(self.qty, f"qty of {self.sku}")

    def to_json(self) -> dict[str, Any]:
        """The line as a JSON object."""
        return {"sku": self.sku, "variant": self.variant, "qty": self.qty}


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """A line of the quote snapshot: extended = unit x qty, and its tax."""

    sku: str
    variant: str | None = None
    qty: int
    unit: int
    extended: int
    tax: int

    def __post_init__(self) -> None:
        ItemLine(sku=self.sku, variant=self.variant, qty=self.qty)
        require_money(self.unit, f"unit of {self.sku}")
        require_money(self.extended, f"extended of {self.sku}")
        require_money(self.tax, f"tax of {self.sku}")
        if self.extended != self.unit * self.qty:
            raise InvalidEventError(
                f"line {self.sku}: extended {self.extended} is not unit {self.unit} x qty "
                f"{self.qty}"
            )

    def to_json(self) -> dict[str, Any]:
        """The line as a JSON object."""
        out = {"sku": self.sku, "variant": self.variant, "qty": self.qty, "unit": self.unit}
        return out | {"extended": self.extended, "tax": self.tax}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(ABC):
    """Base of the ledger events: `at` is when it happened, as the caller's int timestamp."""

    type: ClassVar[str] = "event"
    at: int

    @abstractmethod
    def key(self, stream: str) -> str:
        """The idempotency key under which the ledger records this event once."""

    def same_fact(self, other: Event) -> bool:
        """True when `other` is this event seen again: same type, same fields but `at`."""
        return type(self) is type(other) and all(
            getattr(self, name) == getattr(other, name) for name in _names(type(self))[1:]
        )

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object, `type` first."""
        out: dict[str, Any] = {"type": self.type}
        for name in _names(type(self)):
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = [v.to_json() if hasattr(v, "to_json") else v for v in value]
            out[name] = value
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCreated(Event):
    """An order was placed on a quote; the snapshot's figures are what the books expect."""

    type: ClassVar[str] = "order-created"
    order: str
    currency: str
    subtotal: int
    discount: int
    tax: int
    total: int
    codes: tuple[str, ...] = ()
    lines: tuple[OrderLine, ...]

    def __post_init__(self) -> None:
        _time(self.at, "order-created: at")
        require_text(self.order, "order-created: order")
        require_text(self.currency, "order-created: currency")
        for name in ("subtotal", "discount", "tax", "total"):
            require_money(getattr(self, name), f"order-created: {name}")
        if not isinstance(self.codes, tuple) or not isinstance(self.lines, tuple):
            raise InvalidEventError("order-created: codes and lines must be tuples")
        for code in self.codes:
            require_text(code, "order-created: code")
        if list(self.codes) != sorted(set(self.codes)):
            raise InvalidEventError(f"order-created: codes must be sorted, once each: {self.codes}")
        if not self.lines or not all(isinstance(ln, OrderLine) for ln in self.lines):
            raise InvalidEventError("order-created: lines must be one or more OrderLine")
        self._check_figures()

    def _check_figures(self) -> None:
        where = f"order-created {self.order}"
        if self.subtotal != sum(ln.extended for ln in self.lines):
            raise InvalidEventError(f"{where}: subtotal {self.subtotal} is not the lines' sum")
        if self.tax != sum(ln.tax for ln in self.lines):
            raise InvalidEventError(f"{where}: tax {self.tax} is not the lines' tax")
        if self.discount > self.subtotal:
            raise InvalidEventError(f"{where}: discount {self.discount} exceeds the subtotal")
        if self.total != self.subtotal - self.discount + self.tax:
            raise InvalidEventError(
                f"{where}: total {self.total} is not subtotal {self.subtotal} - discount "
                f"{self.discount} + tax {self.tax}"
            )

    def items(self) -> tuple[ItemLine, ...]:
        """The ordered lines as (sku, variant, qty), what a reservation holds."""
        return tuple(ItemLine(sku=ln.sku, variant=ln.variant, qty=ln.qty) for ln in self.lines)

    def key(self, stream: str) -> str:
        return created_key(stream)


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReserved(Event):
    """The order's lines were reserved from stock."""

    type: ClassVar[str] = "stock-reserved"
    lines: tuple[ItemLine, ...]

    def __post_init__(self) -> None:
        _time(self.at, "stock-reserved: at")
        if (
            not isinstance(self.lines, tuple)
            or not self.lines
            or not all(isinstance(ln, ItemLine) for ln in self.lines)
        ):
            raise InvalidEventError("stock-reserved: lines must be a tuple of one or more ItemLine")

    def key(self, stream: str) -> str:
        return _key("reserved", stream)


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRecorded(Event):
    """The provider reported a charge `ref` of `amount` for the order."""

    type: ClassVar[str] = "payment-recorded"
    ref: str
    amount: int

    def __post_init__(self) -> None:
        _time(self.at, "payment-recorded: at")
        require_text(self.ref, "payment-recorded: ref")
        _positive(self.amount, "payment-recorded: amount")

    def key(self, stream: str) -> str:
        return payment_key(self.ref)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrongCurrencyPayment(Event):
    """The provider reported a charge `ref` of `amount` in `currency`, not the order's: it
    pays nothing (the books do not move) and needs a person (refund or re-charge)."""

    type: ClassVar[str] = "payment-wrong-currency"
    ref: str
    amount: int
    currency: str

    def __post_init__(self) -> None:
        _time(self.at, "payment-wrong-currency: at")
        require_text(self.ref, "payment-wrong-currency: ref")
        _positive(self.amount, "payment-wrong-currency: amount")
        require_text(self.currency, "payment-wrong-currency: currency")

    def key(self, stream: str) -> str:
        return _key("wrong-currency", self.ref)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFulfilled(Event):
    """The order was fulfilled (shipped, handed over)."""

    type: ClassVar[str] = "order-fulfilled"

    def __post_init__(self) -> None:
        _time(self.at, "order-fulfilled: at")

    def key(self, stream: str) -> str:
        return _key("fulfilled", stream)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRequested(Event):
    """A refund `refund` of `amount` was asked for; the books do not move yet."""

    type: ClassVar[str] = "refund-requested"
    refund: str
    amount: int

    def __post_init__(self) -> None:
        _time(self.at, "refund-requested: at")
        require_text(self.refund, "refund-requested: refund")
        _positive(self.amount, "refund-requested: amount")

    def key(self, stream: str) -> str:
        return _key("refund-requested", stream, self.refund)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundSettled(Event):
    """The provider paid refund `refund` of `amount` back: this moves the books."""

    type: ClassVar[str] = "refund-settled"
    refund: str
    amount: int

    def __post_init__(self) -> None:
        _time(self.at, "refund-settled: at")
        require_text(self.refund, "refund-settled: refund")
        _positive(self.amount, "refund-settled: amount")

    def key(self, stream: str) -> str:
        return _key("refund-settled", stream, self.refund)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundApproved(Event):
    """Refund `refund` was approved (a person or a policy); the books move at settlement."""

    type: ClassVar[str] = "refund-approved"
    refund: str

    def __post_init__(self) -> None:
        _time(self.at, "refund-approved: at")
        require_text(self.refund, "refund-approved: refund")

    def key(self, stream: str) -> str:
        return _key("refund-approved", stream, self.refund)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRejected(Event):
    """Refund `refund` was turned down; the books do not move."""

    type: ClassVar[str] = "refund-rejected"
    refund: str

    def __post_init__(self) -> None:
        _time(self.at, "refund-rejected: at")
        require_text(self.refund, "refund-rejected: refund")

    def key(self, stream: str) -> str:
        return _key("refund-rejected", stream, self.refund)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderExpired(Event):
    """The order was not paid within its payment timeout; it will not be fulfilled."""

    type: ClassVar[str] = "order-expired"

    def __post_init__(self) -> None:
        _time(self.at, "order-expired: at")

    def key(self, stream: str) -> str:
        return _key("expired", stream)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCancelled(Event):
    """The order was cancelled before it was fulfilled; it will not be fulfilled."""

    type: ClassVar[str] = "order-cancelled"

    def __post_init__(self) -> None:
        _time(self.at, "order-cancelled: at")

    def key(self, stream: str) -> str:
        return _key("cancelled", stream)


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReleased(Event):
    """The order's reservation was given back to stock (after expiry or cancellation)."""

    type: ClassVar[str] = "stock-released"

    def __post_init__(self) -> None:
        _time(self.at, "stock-released: at")

    def key(self, stream: str) -> str:
        return _key("released", stream)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        OrderCreated,
        StockReserved,
        PaymentRecorded,
        OrderFulfilled,
        RefundRequested,
        RefundApproved,
        RefundSettled,
        RefundRejected,
        WrongCurrencyPayment,
        OrderExpired,
        OrderCancelled,
        StockReleased,
    )
}
_LINE_TYPES: dict[str, type[ItemLine] | type[OrderLine]] = {
    "order-created": OrderLine,
    "stock-reserved": ItemLine,
}


def event_to_json(event: Event) -> dict[str, Any]:
    """`event` as a JSON object (see the module docstring for the shape)."""
    return event.to_json()


def _exact_keys(data: object, expected: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise EventFormatError(f"{where} must be a JSON object, got {type(data).__name__}")
    if len(data) == len(expected) and all(k in data for k in expected):
        return data
    missing = [k for k in expected if k not in data]
    unknown = sorted(str(k) for k in data if k not in expected)
    if missing:
        raise EventFormatError(f"{where}: missing key(s) {', '.join(missing)}")
    raise EventFormatError(f"{where}: unknown key(s) {', '.join(unknown)}")


def event_from_json(data: object) -> Event:
    """The event `data` holds; anything but a well-formed event raises EventFormatError."""
    if not isinstance(data, dict):
        raise EventFormatError(f"an event must be a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventFormatError(
            f"unknown event type {kind!r} (known: {', '.join(sorted(EVENT_TYPES))})"
        )
    body = dict(_exact_keys(data, ("type", *_names(cls)), f"{kind} event"))
    del body["type"]
    try:
        if "codes" in body:
            body["codes"] = tuple(_list(body["codes"], "codes"))
        if "lines" in body:
            line = _LINE_TYPES[kind]
            names = _names(line)
            body["lines"] = tuple(
                line(**_exact_keys(x, names, f"line {i + 1}"))
                for i, x in enumerate(_list(body["lines"], "lines"))
            )
        return cls(**body)
    except CommerceError as e:
        raise EventFormatError(f"{kind} event: {e}") from e


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise EventFormatError(f"{what} must be a list, got {value!r}")
    return value


def dumps_event(event: Event) -> str:
    """`event` as canonical JSON text (sorted keys, no spaces): equal events, equal text."""
    return _CANONICAL.encode(event.to_json())


def loads_event(text: str) -> Event:
    """The event in JSON `text`; bad JSON or a bad event raises EventFormatError."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as e:
        raise EventFormatError(f"an event must be JSON text: {e}") from e
    return event_from_json(data)
