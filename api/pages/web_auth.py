"""People's sign-in for the pages: a signed, expiring session cookie (HttpOnly, SameSite=Lax)
naming a server-side session, CSRF tokens for forms, and role checks like the API's."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

import anyio
import jwt
from fastapi import Depends, HTTPException, Request, Response

from api.deps import ContainerDep
from core.errors import PermissionDenied, Unauthenticated
from core.security import Principal, Scope
from db.engine import session_scope
from db.repositories.api_keys import key_is_active
from db.repositories.web_sessions import WebLogin, load_session
from domain.clock import utcnow

SESSION_COOKIE = "tl_session"
LOGIN_CSRF_COOKIE = "tl_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class PageUser:
    """Who is signed in on this browser, and the token their forms must carry."""

    principal: Principal
    csrf_token: str


def session_cookie_value(login: WebLogin, *, secret: str, hours: int) -> str:
    """The cookie: an HS256 token with the session's secret and its expiry."""
    claims = {
        "sid": login.secret,
        "typ": "web",
        "exp": int((utcnow() + timedelta(hours=hours)).timestamp()),
        "iss": "topllantas",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def set_session_cookie(response: Response, value: str, *, hours: int, secure: bool) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (no cross-site form posts carry it)."""
    response.set_cookie(
        SESSION_COOKIE, value, max_age=hours * 3600, httponly=True, samesite="lax",
        secure=secure, path="/",
    )  # fmt: skip


def _session_secret(request: Request, jwt_secret: str) -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        claims = jwt.decode(
            raw, jwt_secret, algorithms=["HS256"], issuer="topllantas",
            options={"require": ["exp", "sid"]},
        )  # fmt: skip
    except jwt.InvalidTokenError:
        return None
    if claims.get("typ") != "web":
        return None
    return str(claims["sid"])


def session_secret(request: Request, container: ContainerDep) -> str | None:
    """The session secret of a valid cookie, or None."""
    return _session_secret(request, container.jwt_secret)


def _load(container: ContainerDep, secret: str) -> PageUser | None:
    with session_scope(container.engine) as session:
        try:
            principal, csrf = load_session(session, secret)
        except Unauthenticated:
            return None
        if not principal.key_prefix.startswith("sm-") and not key_is_active(
            session, principal.key_prefix
        ):
            return None  # the key was revoked: its browser sessions die with it
    return PageUser(principal=principal, csrf_token=csrf)


async def optional_user(request: Request, container: ContainerDep) -> PageUser | None:
    """The signed-in person, or None."""
    secret = _session_secret(request, container.jwt_secret)
    if secret is None:
        return None
    return await anyio.to_thread.run_sync(_load, container, secret)


OptionalUser = Annotated[PageUser | None, Depends(optional_user)]


async def page_user(request: Request, user: OptionalUser) -> PageUser:
    """The signed-in person; a browser without a session goes to the login page (303), a
    script asking for JSON gets 401."""
    if user is not None:
        return user
    if request.url.path.endswith(".json") or "application/json" in request.headers.get(
        "accept", ""
    ):
        raise Unauthenticated("sign in first")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(status_code=303, headers={"Location": f"/login?next={quote(target)}"})


PageUserDep = Annotated[PageUser, Depends(page_user)]


def require_page(scope: Scope) -> Callable[[PageUser], Awaitable[PageUser]]:
    """A page dependency that lets in only roles granting ``scope`` (as the API's ``require``)."""

    async def check(user: PageUserDep) -> PageUser:
        if scope not in user.principal.scopes:
            raise PermissionDenied(f"role '{user.principal.role.value}' may not {scope.value}")
        return user

    return check


def check_csrf(user: PageUser, token: str | None) -> None:
    """A form or fetch that changes something must carry the session's CSRF token."""
    if not token or not hmac.compare_digest(token, user.csrf_token):
        raise PermissionDenied("missing or wrong CSRF token; reload the page", field=CSRF_FIELD)


def new_login_csrf() -> str:
    """A double-submit token for the login form (no session exists yet)."""
    return secrets.token_urlsafe(24)
