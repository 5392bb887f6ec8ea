"""Dependencies: the app's container and its parts, the verified caller and what they may do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette

from adapters.channels.notifier import Notifier
from adapters.payments.base import PaymentProvider
from api.cache import ResponseCache
from api.container import Container
from api.ratelimit import RateLimited
from conversation.service import ChatService
from conversation.whatsapp import WhatsAppDesk
from core.errors import PermissionDenied, Unauthenticated
from core.security import KEY_PREFIX, Principal, Scope, read_token
from core.settings import Settings
from db.engine import session_scope
from db.repositories.api_keys import key_is_active, verify_key


def container_of(app: Starlette) -> Container:
    """The container the app's lifespan built (the one typed door into ``app.state``)."""
    container: Container = app.state.container
    return container


# Dependencies are ``async`` on purpose: each sync dependency costs a trip through the thread
# pool, and the GIL makes those trips the largest cost of a fast read.
async def get_container(request: Request) -> Container:
    """The app's container."""
    return container_of(request.app)


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_settings_dep(container: ContainerDep) -> Settings:
    """The app's settings."""
    return container.settings


async def get_engine(container: ContainerDep) -> Engine:
    """The app's database engine."""
    return container.engine


async def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> AsyncIterator[Session]:
    """A read session (writes go through session_scope(engine, write=True) in the route)."""
    with Session(engine) as session:
        yield session


async def get_chat_service(container: ContainerDep) -> ChatService:
    """The chat service, started with the app (tests override this with a stand-in)."""
    return container.chat


async def get_whatsapp_desk(container: ContainerDep) -> WhatsAppDesk:
    """Where WhatsApp turns run."""
    return container.whatsapp


async def get_notifier(container: ContainerDep) -> Notifier:
    """The outbox and its senders (one per app: the webhook and the sweep share it)."""
    return container.notifier


async def get_payment_provider(container: ContainerDep) -> PaymentProvider:
    """The payment provider chosen in settings."""
    return container.payments


async def get_search_cache(container: ContainerDep) -> ResponseCache:
    """Cached product-search answers."""
    return container.search_cache


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
ChatServiceDep = Annotated[ChatService, Depends(get_chat_service)]
WhatsAppDeskDep = Annotated[WhatsAppDesk, Depends(get_whatsapp_desk)]
NotifierDep = Annotated[Notifier, Depends(get_notifier)]
PaymentProviderDep = Annotated[PaymentProvider, Depends(get_payment_provider)]
SearchCacheDep = Annotated[ResponseCache, Depends(get_search_cache)]

T = TypeVar("T")
bearer = HTTPBearer(auto_error=False, description="An API key (tl_...) or an OAuth access token")


async def get_principal(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The verified caller; 401 without valid credentials, 429 when over the rate limit."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated(
            "missing Authorization: Bearer <API key or access token>", field="Authorization"
        )
    token = credentials.credentials
    if token.startswith(f"{KEY_PREFIX}_"):
        principal = container.key_cache.get(token)
        if principal is None:
            with session_scope(container.engine) as session:
                principal = verify_key(session, token)
            container.key_cache.put(token, principal)
    else:
        principal = read_token(token, secret=container.jwt_secret)
        active = container.key_cache.key_active(principal.key_prefix)
        if active is None:
            with session_scope(container.engine) as session:
                active = key_is_active(session, principal.key_prefix)
            container.key_cache.put_key_active(principal.key_prefix, active)
        if not active:
            raise Unauthenticated("the access token's key was revoked")
    wait = container.rate_limiter.acquire(principal.key_prefix)
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
    """Run a blocking write transaction off the event loop, a bounded number at a time."""
    limiter = container_of(request.app).write_limiter
    return await anyio.to_thread.run_sync(fn, limiter=limiter)
