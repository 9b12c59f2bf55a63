"""The commerce error tree: one root, a subclass for each thing that can go wrong.

Every message says what was wrong and, where there is one, which entry it was in, so the
command line can print it as one readable line.
"""

from __future__ import annotations


class CommerceError(Exception):
    """Root of every error the commerce package raises for bad input or a bad query."""


class FileFormatError(CommerceError):
    """A shop or cart file is unreadable, not JSON, or has an unknown key or a wrong type."""


class InvalidFieldError(CommerceError):
    """A field of the wrong type, or an empty name where a name is needed."""


class UnknownSkuError(CommerceError):
    """A sku that the catalog does not hold."""


class UnknownVariantError(CommerceError):
    """A variant that the catalog does not hold for that sku."""


class UnknownClassError(CommerceError):
    """A product class that no product in the catalog has."""


class UnknownCodeError(CommerceError):
    """A promotion code that the rule set does not hold."""


class UnknownLineError(CommerceError):
    """A cart line (sku, variant) that the cart does not hold."""


class UnknownInstanceError(CommerceError):
    """A shop instance that a federation does not hold."""


class AmbiguousItemError(CommerceError):
    """A sku that several instances of a federation sell, asked about without naming one."""


class InvalidQuantityError(CommerceError):
    """A quantity or stock level that is not an int in range."""


class InvalidMoneyError(CommerceError):
    """An amount of money that is not an int of minor units, or is out of range."""


class NegativePriceError(InvalidMoneyError):
    """A product price, or a price plus a variant delta, below zero."""


class InvalidRateError(CommerceError):
    """A rate that is not an int of basis points from 0 to 10000."""


class InvalidWindowError(CommerceError):
    """A validity window whose bounds are not int timestamps, or whose start is after its end."""


class InvalidPromoError(CommerceError):
    """A promotion of an unknown kind or with a bad field (e.g. a bundle of fewer than 2)."""


class InvalidExclusionError(CommerceError):
    """An exclusion that is not a pair of two different codes."""


class DuplicateSkuError(CommerceError):
    """Two products with the same sku in one catalog."""


class DuplicateVariantError(CommerceError):
    """Two variants with the same (sku, variant) in one catalog."""


class DuplicateStockError(CommerceError):
    """Two stock entries for the same (sku, variant)."""


class DuplicateCodeError(CommerceError):
    """Two promotions with the same code."""


class DuplicateTaxRateError(CommerceError):
    """Two tax rates for the same (jurisdiction, product class, customer class)."""


class MissingTaxRateError(CommerceError):
    """No tax rate for a (jurisdiction, product class, customer class) a quote needs."""


class AmbiguousJurisdictionError(CommerceError):
    """No jurisdiction was given and the shop's tax rates name more than one."""


class InvalidPolicyError(CommerceError):
    """A tax policy other than gross or net."""


class UngroundQueryError(CommerceError):
    """A relation was asked a question in a mode it cannot answer (an argument must be ground)."""


class InvalidEventError(CommerceError):
    """A ledger event with a bad field, or whose figures do not add up."""


class EventFormatError(InvalidEventError):
    """Stored or received event data that is not a well-formed event (unknown type, bad key)."""


class UnknownOrderError(CommerceError):
    """An order (a ledger stream) that the ledger does not hold."""


class DuplicateOrderError(CommerceError):
    """Two summaries of the same order given to one reconciliation."""


class InvalidStreamError(CommerceError):
    """An event appended where it cannot go (e.g. a payment on a stream with no order)."""


class ConflictError(CommerceError):
    """The work raced another worker (or the database stayed locked); nothing changed.

    The services retry it themselves where a retry is right (begin, settle); it reaches a
    caller only when the contention did not clear after several tries."""


class LedgerConflictError(ConflictError):
    """A stream moved past the version the writer read; nothing was appended."""


class IdempotencyConflictError(CommerceError):
    """An idempotency key already recorded with different fields; nothing was appended."""


class LedgerStoreError(CommerceError):
    """The ledger database could not be used (locked, corrupt, not a ledger...)."""


class InsufficientStockError(CommerceError):
    """A cart asks for more of an item than is left; `shortfalls` lists each such line."""

    def __init__(self, message: str, shortfalls: object = ()) -> None:
        super().__init__(message)
        self.shortfalls = shortfalls


class OrderStateError(CommerceError):
    """The order is not in a state that allows this (e.g. a refund before any payment)."""


class UnpaidOrderError(OrderStateError):
    """An order asked to move on (fulfilment) while the ledger says it is not paid in full."""


class UnknownRefundError(CommerceError):
    """No refund with that id was requested on the order."""


class RefundTooLargeError(CommerceError):
    """A refund larger than what was paid and not yet refunded or being refunded."""


class FlowServiceError(CommerceError):
    """The order's flow could not be run (a flow error, shown in the message)."""


class DamagedLedgerRowError(LedgerStoreError, EventFormatError):
    """A stored ledger row that cannot be read back: the message names the table, the row
    (its position) and the column; nothing is guessed."""
