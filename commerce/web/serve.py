"""`commerce serve`: the webhook endpoints and the operator console on uvicorn."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click


def _secrets(value: str | None) -> list[str]:
    return [s.strip() for s in (value or "").split(",") if s.strip()]


@click.command("serve")
@click.option("--db", "db", metavar="PATH", required=True, help="The engine's SQLite file.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--shop",
    "shop_file",
    metavar="SHOP.json",
    type=click.Path(exists=True, dir_okay=False),
    help="The shop (catalog and stock), for engines that take new orders.",
)
@click.option(
    "--webhook-secret",
    envvar="COMMERCE_WEBHOOK_SECRET",
    metavar="SECRET[,OLD]",
    help="Signing secret(s) for /webhooks/payments; comma-separated while rotating "
    "(env COMMERCE_WEBHOOK_SECRET).",
)
@click.option(
    "--admin-token",
    envvar="COMMERCE_ADMIN_TOKEN",
    metavar="TOKEN",
    help="The console's admin token (env COMMERCE_ADMIN_TOKEN).",
)
@click.option(
    "--sumup-api",
    envvar="COMMERCE_SUMUP_API",
    metavar="URL",
    help="Enable /webhooks/sumup: checkouts are fetched from this API base URL.",
)
def serve_command(
    db: str,
    host: str,
    port: int,
    shop_file: str | None,
    webhook_secret: str | None,
    admin_token: str | None,
    sumup_api: str | None,
) -> None:
    """Serve payment webhooks and the operator console (Starlette on uvicorn).

    \b
    Example:
      COMMERCE_WEBHOOK_SECRET=whsec_1 COMMERCE_ADMIN_TOKEN=t0ken \\
        commerce serve --db shop.db --port 8000
    """
    secrets = _secrets(webhook_secret)
    if not secrets:
        raise click.ClickException(
            "no webhook secret: pass --webhook-secret or set COMMERCE_WEBHOOK_SECRET"
        )
    if not admin_token:
        raise click.ClickException("no admin token: pass --admin-token or set COMMERCE_ADMIN_TOKEN")
    if not Path(db).exists():
        raise click.ClickException(f"{db}: no such database")
    try:
        import uvicorn

        from .app import create_app
    except ImportError as e:
        raise click.ClickException(
            f"commerce serve needs the web extra ({e.name} is missing): "
            "pip install 'commerce-flows[web]'"
        ) from e
    from ..errors import CommerceError
    from ..pricing.files import load_shop
    from .backend import Backend
    from .providers import SignedProvider, SumUpProvider

    try:
        shop = load_shop(shop_file) if shop_file else None
    except CommerceError as e:
        raise click.ClickException(str(e)) from e
    providers: list = [SignedProvider(secrets)]
    if sumup_api:
        providers.append(SumUpProvider(sumup_api))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    requests_log = logging.getLogger("commerce.web.requests")
    requests_log.addHandler(handler)
    requests_log.setLevel(logging.INFO)
    requests_log.propagate = False
    app = create_app(Backend(db, shop), providers, admin_token=admin_token)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
