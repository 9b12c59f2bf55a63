"""The ASGI application: webhook endpoints, health, readiness, the operator console.

    app = create_app(Backend("shop.db"), [SignedProvider([secret])], admin_token=token)

Routes: POST /webhooks/payments (the signed provider), POST /webhooks/sumup (when a
SumUpProvider is given), GET /healthz (the process is up), GET /readyz (the database
answers), and the console under / (console.py). Every request is logged as one JSON line
on the `commerce.web.requests` logger: method, path, status, ms.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import CommerceError
from .backend import Backend
from .console import console_routes
from .providers import Provider, WebhookRejected

REQUEST_LOG = logging.getLogger("commerce.web.requests")
ROUTES = {"signed": "/webhooks/payments", "sumup": "/webhooks/sumup"}
MAX_BODY = 64 * 1024  # a payment event is a few hundred bytes


class _TooLarge(Exception):
    pass


async def _bounded_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The raw body, read no further than `limit` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class RequestLog:
    """ASGI middleware: one JSON line per HTTP request (method, path, status, ms)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            line = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - start) * 1000, 2),
            }
            REQUEST_LOG.info(json.dumps(line))


def _webhook_endpoint(backend: Backend, provider: Provider) -> Any:
    async def endpoint(request: Request) -> Response:
        try:  # the raw bytes: the signature covers exactly these
            body = await _bounded_body(request)
        except _TooLarge:
            return JSONResponse({"error": f"body over {MAX_BODY} bytes"}, status_code=413)
        try:
            event = await provider.receive(body, request.headers)
        except WebhookRejected as e:
            return JSONResponse({"error": str(e)}, status_code=e.status)
        if event is None:
            return JSONResponse({"status": "ignored: nothing to do"})
        reply = await backend.handle(provider.name, event)
        return JSONResponse(reply.body, status_code=reply.status)

    return endpoint


def create_app(backend: Backend, providers: Sequence[Provider], *, admin_token: str) -> Starlette:
    """The application over a Backend (started and stopped with the app's lifespan)."""
    if not admin_token:
        raise ValueError("create_app needs a non-empty admin token")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await backend.call(lambda engine, log: log.ping())
        except CommerceError as e:
            return JSONResponse({"status": "unavailable", "error": str(e)}, status_code=503)
        return JSONResponse({"status": "ready"})

    routes = [Route("/healthz", healthz), Route("/readyz", readyz)]
    for p in providers:
        routes.append(Route(ROUTES[p.name], _webhook_endpoint(backend, p), methods=["POST"]))
    routes += console_routes(backend, admin_token)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        backend.start()
        try:
            yield
        finally:
            backend.stop()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(RequestLog)
    return app
