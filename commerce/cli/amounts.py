"""Amount arguments: one rule for every command that takes money.

An amount is a positive integer of minor units (pence for GBP), at most 2^63 - 1. `0`
and negative numbers are refused alike; `65.50` is answered with the amount it probably
meant (6550). A negative number typed without `--` would reach click as an unknown option: commands
built with `AmountCommand` explain that instead.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, Overflow, localcontext
from typing import Any

import click

from ..money import MAX_AMOUNT, require_amount

_NEGATIVE = re.compile(r"-\d+(\.\d*)?")


_TOO_LONG = len(str(MAX_AMOUNT)) + 1  # digits past this cannot be in range, however written


def _shown(t: str) -> str:
    return t if len(t) <= 40 else f"{t[:20]}... ({len(t)} characters)"


def amount_error(text: str) -> str | None:
    """Why `text` is not an amount, or None when it is one (1 to 2^63 - 1 minor units)."""
    t = text.strip()
    if re.fullmatch(r"\d+", t):
        if len(t.lstrip("0")) > _TOO_LONG or int(t) > MAX_AMOUNT:
            return f"must be at most {MAX_AMOUNT} (minor units, pence), got {_shown(t)}"
        return None if int(t) > 0 else f"must be more than 0 (minor units, pence), got {t}"
    if t.startswith("-") and _NEGATIVE.fullmatch(t):
        return f"must be more than 0 (minor units, pence), got {_shown(t)}"
    try:
        with localcontext() as ctx:
            ctx.traps[Overflow] = False
            d = Decimal(t) if len(t) <= 2 * _TOO_LONG else Decimal("NaN")
            cents = d * 100
    except InvalidOperation:
        return f"must be a whole number of minor units (pence), got {_shown(t)!r}"
    if cents.is_finite() and 0 < cents <= MAX_AMOUNT and cents == cents.to_integral_value():
        return f"amounts are integer minor units (pence): {int(cents)}, not {t}"
    return f"must be a whole number of minor units (pence) from 1 to {MAX_AMOUNT}, got {_shown(t)}"


class Amount(click.ParamType):
    """A positive integer of minor units."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        problem = amount_error(str(value))
        if problem is not None:
            self.fail(problem, param, ctx)
        return require_amount(int(str(value).strip()), "amount")


AMOUNT = Amount()


class AmountCommand(click.Command):
    """A command whose negative-number arguments get an explanation, not `No such option`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes args
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption:
            before = given[: given.index("--")] if "--" in given else given
            negative = next((a for a in before if _NEGATIVE.fullmatch(a)), None)
            if negative is None:
                raise
            raise click.UsageError(
                f"{negative}: amounts must be more than 0 (minor units, pence); a negative "
                "number is read as an option unless it follows `--`, and is refused there too",
                ctx,
            ) from None
