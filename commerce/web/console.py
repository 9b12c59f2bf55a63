"""The operator console: server-rendered pages (Jinja2 templates in templates/).

    GET  /login, POST /login, POST /logout
    GET  /                      orders: status, waiting on, paid/refunded/net, recon
                                (?status=created|reserved|paid|fulfilled)
    GET  /orders/{order}        ledger events, flow steps as a timeline, refund forms
    POST /orders/{order}/refunds                     request a refund (refund, amount)
    POST /orders/{order}/refunds/{refund}/approve    approve
    POST /orders/{order}/refunds/{refund}/reject     reject
    GET  /flows                 suspended flows and what they wait on
    GET  /webhooks              the latest processed webhook events

Everything is behind the admin token: the login form sets an HttpOnly, SameSite=Strict
cookie holding an HMAC of the token (never the token itself), or a client sends
`Authorization: Bearer TOKEN`. No action is a GET; a POST authorised by the cookie must
also carry the form's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..errors import CommerceError
from . import views
from .backend import Backend

COOKIE = "commerce_console"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def money(amount: int, currency: str) -> str:
    """Integer minor units as "12.50 GBP"."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d} {currency}"


TEMPLATES.env.filters["money"] = money


class _Auth:
    """The admin token, the session cookie value and the CSRF token derived from it."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.session = self._mac("console-session")
        self.csrf = self._mac("console-csrf")

    def _mac(self, purpose: str) -> str:
        return hmac.new(self.token.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    def by_bearer(self, request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        )

    def by_cookie(self, request: Request) -> bool:
        return hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), self.session.encode())


def console_routes(backend: Backend, admin_token: str) -> list[Route]:
    """The console's routes over `backend`, guarded by `admin_token`."""
    auth = _Auth(admin_token)

    def page(request: Request, name: str, code: int = 200, **context: Any) -> Response:
        context |= {"csrf": auth.csrf, "flash": request.query_params.get("msg")}
        context["error"] = context.get("error") or request.query_params.get("error")
        return TEMPLATES.TemplateResponse(request, name, context, status_code=code)

    def guarded(view: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if auth.by_bearer(request):
                return await view(request)
            if not auth.by_cookie(request):
                if request.method == "GET":
                    return RedirectResponse("/login?" + urlencode({"next": request.url.path}), 303)
                return Response("not logged in\n", 401, media_type="text/plain")
            if request.method == "POST":
                form = await request.form()
                if not hmac.compare_digest(str(form.get("csrf", "")).encode(), auth.csrf.encode()):
                    return Response("bad or missing CSRF token\n", 403, media_type="text/plain")
            return await view(request)

        return endpoint

    async def login_form(request: Request) -> Response:
        return page(request, "login.html", next=request.query_params.get("next", "/"))

    async def login(request: Request) -> Response:
        form = await request.form()
        given = str(form.get("token", ""))
        target = str(form.get("next", "/"))
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # never redirect off the console
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            return page(request, "login.html", 401, next=target, error="wrong admin token")
        out = RedirectResponse(target, 303)
        out.set_cookie(COOKIE, auth.session, httponly=True, samesite="strict", path="/")
        return out

    async def logout(request: Request) -> Response:
        out = RedirectResponse("/login", 303)
        out.delete_cookie(COOKIE, path="/")
        return out

    async def orders(request: Request) -> Response:
        status = request.query_params.get("status") or None
        rows = await backend.call(views.order_rows, status)
        return page(request, "orders.html", rows=rows, status=status, statuses=views.STATUSES)

    async def order(request: Request) -> Response:
        oid = request.path_params["order"]
        try:
            detail = await backend.call(views.order_detail, oid)
        except CommerceError as e:
            return page(request, "missing.html", 404, error=str(e))
        return page(request, "order.html", o=detail)

    def action(do: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            oid = request.path_params["order"]
            form = await request.form()
            back = f"/orders/{quote(oid, safe='')}"
            try:
                msg = await backend.call(do, oid, request.path_params, form)
            except (CommerceError, ValueError) as e:
                return RedirectResponse(back + "?" + urlencode({"error": str(e)}), 303)
            return RedirectResponse(back + "?" + urlencode({"msg": msg}), 303)

        return endpoint

    async def flows(request: Request) -> Response:
        return page(request, "flows.html", flows=await backend.call(views.suspended_flows))

    async def webhooks(request: Request) -> Response:
        return page(request, "webhooks.html", events=await backend.call(views.recent_events))

    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", guarded(orders), methods=["GET"]),
        Route("/orders/{order}", guarded(order), methods=["GET"]),
        Route("/orders/{order}/refunds", guarded(action(views.request_refund)), methods=["POST"]),
        Route(
            "/orders/{order}/refunds/{refund}/approve",
            guarded(action(views.approve_refund)),
            methods=["POST"],
        ),
        Route(
            "/orders/{order}/refunds/{refund}/reject",
            guarded(action(views.reject_refund)),
            methods=["POST"],
        ),
        Route("/flows", guarded(flows), methods=["GET"]),
        Route("/webhooks", guarded(webhooks), methods=["GET"]),
    ]
