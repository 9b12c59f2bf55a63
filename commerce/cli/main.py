"""The `commerce` command line: a click group, so later issues can add subcommands."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from ..errors import CommerceError
from ..pricing.files import load_cart, load_shop
from ..pricing.quote import POLICIES, evaluation, quote
from ..pricing.stack import best, stackings
from .views import render_quote, render_stackings


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """A CommerceError becomes one readable line on stderr and exit status 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CommerceError as e:
            raise click.ClickException(str(e)) from e
        except RecursionError:
            raise click.ClickException("the input is nested too deeply to read") from None

    return run


def _pricing_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments and options `quote` and `promos` share."""
    file = click.Path(exists=True, dir_okay=False)
    decorators = [
        click.argument("shop_file", metavar="SHOP.json", type=file),
        click.argument("cart_file", metavar="CART.json", type=file),
        click.option(
            "--member", is_flag=True, help="Price for a member customer (default: guest)."
        ),
        click.option("--at", type=int, help="Unix time for promotion windows (default: now)."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


class _Commands(click.Group):
    """The commands; `demo`, `orders`, `serve` and `worker` are loaded when used, so pricing
    alone never imports the flow host (and through it the Scheme interpreter) or the web
    stack."""

    lazy = {
        "demo": ".orders:demo_command",
        "orders": ".orders:orders_group",
        "serve": "..web.serve:serve_command",
        "worker": ".worker:worker_command",
        "timers": ".timers:timers_group",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module, __package__), attr)
        return super().get_command(ctx, name)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("commerce-flows")
    except PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="commerce", message="%(prog)s %(version)s")
def main() -> None:
    """commerce-flows: quotes on miniKanren relations, orders as durable Scheme flows.

    \b
    Example:
      commerce demo
      commerce quote examples/shop.json examples/cart.json --jurisdiction UK
      commerce orders list --db shop.db      (or set COMMERCE_DB=shop.db)
    """


@main.command("quote")
@_pricing_options
@click.option("--jurisdiction", "-j", help="Tax jurisdiction (default: the shop's only one).")
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    default="gross",
    show_default=True,
    help="gross: tax the lines before the discount; net: after it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the quote as JSON.")
@_reports_errors
def quote_command(
    shop_file: str,
    cart_file: str,
    member: bool,
    at: int | None,
    jurisdiction: str | None,
    policy: str,
    as_json: bool,
) -> None:
    """Quote CART.json against SHOP.json: lines, discounts, tax and total.

    \b
    Example:
      commerce quote examples/shop.json examples/cart.json --jurisdiction UK --at 1767225600
      commerce quote examples/shop.json examples/cart.json -j IE --member --policy net --json
    """
    shop = load_shop(shop_file)
    cart = load_cart(cart_file, shop.catalog)
    when = int(time.time()) if at is None else at
    q = quote(shop, cart, at=when, jurisdiction=jurisdiction, member=member, policy=policy)
    click.echo(json.dumps(q.to_json(), indent=2) if as_json else render_quote(q))


@main.command("promos")
@_pricing_options
@_reports_errors
def promos_command(shop_file: str, cart_file: str, member: bool, at: int | None) -> None:
    """List every legal stacking of the promotions that apply to CART.json, best marked.

    \b
    Example:
      commerce promos examples/shop.json examples/cart.json --at 1767225600
      commerce promos examples/shop.json examples/cart.json --member --at 1767225600
    """
    shop = load_shop(shop_file)
    cart = load_cart(cart_file, shop.catalog)
    ev = evaluation(shop, cart, member=member, at=int(time.time()) if at is None else at)
    click.echo(render_stackings(ev, stackings(ev), best(ev), shop.currency))
