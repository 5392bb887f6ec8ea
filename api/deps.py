"""Dependencies: settings, database, the verified caller and what they may do."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.ratelimit import RateLimited, RateLimiter
from core.errors import PermissionDenied, Unauthenticated
from core.security import KEY_PREFIX, Principal, Scope, read_token
from core.settings import Settings
from db.engine import session_scope
from db.repositories.api_keys import verify_key


async def get_settings_dep(request: Request) -> Settings:
    """The app's settings (set by create_app)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    """A read session (writes go through session_scope(engine, write=True) in the route).

    Dependencies are ``async`` on purpose: each sync dependency costs a trip through the
    thread pool, and the GIL makes those trips the largest cost of a fast read.
    """
    with Session(engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]

T = TypeVar("T")
bearer = HTTPBearer(auto_error=False, description="An API key (tl_...) or an OAuth access token")


class KeyCache:
    """Verified API keys, trusted for a few seconds to keep the hot path off the database."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        """A cached principal for the key, if still fresh."""
        if self.ttl_s <= 0:
            return None
        digest = hashlib.sha256(key.encode()).hexdigest()
        with self._lock:
            hit = self._entries.get(digest)
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def put(self, key: str, principal: Principal) -> None:
        """Remember a verified key."""
        if self.ttl_s > 0:
            digest = hashlib.sha256(key.encode()).hexdigest()
            with self._lock:
                self._entries[digest] = (principal, time.monotonic() + self.ttl_s)


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The verified caller; 401 without valid credentials, 429 when over the rate limit."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(
            "missing Authorization: Bearer <API key or access token>", field="Authorization"
        )
    token = credentials.credentials
    cache: KeyCache = request.app.state.key_cache
    if token.startswith(f"{KEY_PREFIX}_"):
        principal = cache.get(token)
        if principal is None:
            with session_scope(request.app.state.engine) as session:
                principal = verify_key(session, token)
            cache.put(token, principal)
    else:
        principal = read_token(token, secret=request.app.state.jwt_secret)
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.acquire(principal.key_prefix)
    if wait > 0:
        raise RateLimited(wait)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the call through only if the caller's role grants ``scope``."""

    async def check(principal: PrincipalDep) -> Principal:
        if scope not in principal.scopes:
            raise PermissionDenied(f"role '{principal.role.value}' may not {scope.value}")
        return principal

    return check


async def run_write(request: Request, fn: Callable[[], T]) -> T:
    """Run a blocking write transaction off the event loop, a bounded number at a time.

    SQLite takes one writer at a time anyway; letting twenty pool threads fight for the GIL
    and the write lock made each order three times slower than running them one by one.
    """
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "write_limiter", None)
    if limiter is None:
        settings: Settings = request.app.state.settings
        limiter = anyio.CapacityLimiter(1 if settings.is_sqlite else 8)
        request.app.state.write_limiter = limiter
    return await anyio.to_thread.run_sync(fn, limiter=limiter)
