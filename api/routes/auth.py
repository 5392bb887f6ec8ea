"""POST /oauth/token: OAuth 2.0 client credentials for integration clients."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.abuse import client_ip, first_wait
from api.deps import EngineDep, SettingsDep, container_of
from api.ratelimit import RateLimiter
from core.errors import Unauthenticated
from core.security import KEY_PREFIX, issue_token
from db.engine import session_scope
from db.repositories.api_keys import verify_key
from domain.enums import Role

router = APIRouter(tags=["auth"])
TOKEN_ROLES = frozenset({Role.INTEGRATION, Role.ADMIN})


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str


def _oauth_error(error: str, description: str, status: int) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="topllantas"'} if status == 401 else None
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _throttled(request: Request, client_id: str | None) -> JSONResponse | None:
    """429 once the caller's IP or the client id has spent its budget of attempts: checked
    before the secret, so guessing costs time whether the guesses fail or not."""
    abuse = container_of(request.app).abuse
    checks = [(abuse.oauth_ip, f"ip:{client_ip(request)}")]
    if client_id:
        checks.append((abuse.oauth_client, f"client:{client_id[:64]}"))
    wait = first_wait(*checks)
    if wait <= 0:
        return None
    return JSONResponse(
        {"error": "rate_limited", "error_description": "too many token requests; retry later"},
        status_code=429,
        headers={"Retry-After": RateLimiter.retry_after_header(wait)},
    )


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


@router.post("/oauth/token", response_model=TokenResponse, summary="OAuth 2.0 client credentials")
def token(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> TokenResponse | JSONResponse:
    """Exchange an integration key for a short-lived access token. ``client_id`` is the key's
    prefix, ``client_secret`` the whole key; send them as form fields or HTTP Basic."""
    if grant_type != "client_credentials":
        return _oauth_error("unsupported_grant_type", "only client_credentials is supported", 400)
    basic = _basic(request)
    if basic:
        client_id, client_secret = basic
    throttled = _throttled(request, client_id)
    if throttled is not None:
        return throttled
    if not client_id or not client_secret:
        return _oauth_error("invalid_client", "client_id and client_secret are required", 401)
    key = (
        client_secret
        if client_secret.startswith(f"{KEY_PREFIX}_")
        else f"{KEY_PREFIX}_{client_id}_{client_secret}"
    )
    try:
        with session_scope(engine) as session:
            principal = verify_key(session, key)
    except Unauthenticated:
        return _oauth_error("invalid_client", "unknown client or wrong secret", 401)
    if principal.key_prefix != client_id:
        return _oauth_error("invalid_client", "client_id does not match the secret", 401)
    if principal.role not in TOKEN_ROLES:
        return _oauth_error(
            "unauthorized_client", "only integration clients may use client credentials", 400
        )
    ttl = settings.auth.token_ttl_seconds
    access = issue_token(principal, secret=container_of(request.app).jwt_secret, ttl_seconds=ttl)
    return TokenResponse(
        access_token=access,
        expires_in=ttl,
        scope=" ".join(sorted(s.value for s in principal.scopes)),
    )
