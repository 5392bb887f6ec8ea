"""GET/POST /login (API key), POST /login/link and GET /login/link/{token} (one-time link by
e-mail through the outbox), POST /logout."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ContainerDep, run_write
from api.pages.render import render
from api.pages.web_auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    OptionalUser,
    check_csrf,
    new_login_csrf,
    session_cookie_value,
    session_secret,
    set_session_cookie,
)
from core.errors import Unauthenticated
from db.engine import session_scope
from db.repositories.api_keys import verify_key
from db.repositories.outbox import queue_message
from db.repositories.web_sessions import (
    WebLogin,
    create_login_link,
    end_session,
    staff_by_email,
    start_session,
    use_login_link,
)
from domain.enums import Role

router = APIRouter(include_in_schema=False)
# People sign in; integration and evaluator keys are for programs.
PEOPLE = frozenset({Role.ADMIN, Role.STAFF, Role.TECHNICIAN})


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/dashboard"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _login_page(request: Request, *, error: str = "", notice: str = "", status: int = 200,
                next_url: str = "/dashboard") -> HTMLResponse:  # fmt: skip
    token = new_login_csrf()
    response = render(
        request, "dash_login.html", status_code=status, csrf=token, error=error, notice=notice,
        next_url=next_url,
    )  # fmt: skip
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


def _login_csrf_ok(request: Request, token: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, token)


def _signed_in(container: ContainerDep, request: Request, login: WebLogin, next_url: str) -> Response:
    hours = container.settings.dashboard.session_hours
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    secure = container.settings.public_base_url.startswith("https")
    value = session_cookie_value(login, secret=container.jwt_secret, hours=hours)
    set_session_cookie(response, value, hours=hours, secure=secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.get("/login")
async def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    """The sign-in page (already signed in: straight to the dashboard)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    container: ContainerDep,
    api_key: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=500)] = "/dashboard",
) -> Response:
    """Exchange an API key (staff, admin, technician) for a session cookie."""
    if not _login_csrf_ok(request, csrf):
        return _login_page(request, error="La página caducó; intenta de nuevo.", status=403)
    hours = container.settings.dashboard.session_hours

    def sign_in() -> WebLogin | None:
        with session_scope(container.engine, write=True) as session:
            principal = verify_key(session, api_key.strip())
            if principal.role not in PEOPLE:
                return None
            return start_session(session, principal, hours=hours)

    try:
        login = await run_write(request, sign_in)
    except Unauthenticated:
        return _login_page(request, error="Llave no válida o revocada.", status=401,
                           next_url=_safe_next(next))  # fmt: skip
    if login is None:
        return _login_page(request, error="Este tipo de llave no inicia sesión en el tablero.",
                           status=403)  # fmt: skip
    return _signed_in(container, request, login, next)


@router.post("/login/link")
async def request_link(
    request: Request,
    container: ContainerDep,
    email: Annotated[str, Form(max_length=254)],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    """Send a one-time sign-in link to a staff member's e-mail through the outbox. The answer
    is the same whether or not the address is known (no account discovery)."""
    if not _login_csrf_ok(request, csrf):
        return _login_page(request, error="La página caducó; intenta de nuevo.", status=403)
    settings = container.settings

    def send() -> int | None:
        with session_scope(container.engine, write=True) as session:
            member = staff_by_email(session, email)
            if member is None or not member.active or not member.email:
                return None
            token = create_login_link(session, member, minutes=settings.dashboard.login_link_minutes)
            url = f"{settings.public_base_url.rstrip('/')}/login/link/{token}"
            row = queue_message(
                session, kind="login_link", channel="email", to=member.email,
                subject="Tu enlace para entrar al tablero de TopLlantas",
                body=f"Hola, {member.name}. Entra al tablero con este enlace (vale "
                f"{settings.dashboard.login_link_minutes} minutos y un solo uso): {url}",
            )  # fmt: skip
            return row.id

    outbox_id = await run_write(request, send)
    if outbox_id is not None:
        await run_write(request, lambda: container.notifier.deliver(outbox_id))
    return _login_page(
        request, notice="Si el correo está registrado, te enviamos un enlace para entrar."
    )


@router.get("/login/link/{token}")
async def use_link(request: Request, container: ContainerDep, token: str) -> Response:
    """A one-time link: a session cookie, once."""
    hours = container.settings.dashboard.session_hours

    def sign_in() -> WebLogin:
        with session_scope(container.engine, write=True) as session:
            return start_session(session, use_login_link(session, token[:100]), hours=hours)

    try:
        login = await run_write(request, sign_in)
    except Unauthenticated:
        return _login_page(request, error="El enlace ya se usó o caducó; pide otro.", status=401)
    return _signed_in(container, request, login, "/dashboard")


@router.post("/logout")
async def logout(
    request: Request,
    container: ContainerDep,
    user: OptionalUser,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Sign out: the server forgets the session and the cookie is cleared."""
    secret = session_secret(request, container)
    if user is not None and secret is not None:
        check_csrf(user, csrf)

        def forget() -> None:
            with session_scope(container.engine, write=True) as session:
                end_session(session, secret)

        await run_write(request, forget)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
