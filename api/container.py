"""The app's container: every long-lived object the routes share, typed and built at startup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass

import anyio
from sqlalchemy.engine import Engine

from adapters.channels.notifier import Notifier
from adapters.payments.base import PaymentProvider
from adapters.payments.local import build_payment_provider
from api.abuse import AbuseLimiters
from api.cache import ResponseCache
from api.key_cache import KeyCache
from api.ratelimit import RateLimiter, share_limiters
from api.redis_buckets import RedisBuckets
from conversation.service import ChatService, open_chat_service
from conversation.whatsapp import WhatsAppDesk
from core.settings import Settings


@dataclass(frozen=True)
class Container:
    """What one app holds for its lifetime; routes receive parts through ``Annotated`` deps."""

    settings: Settings
    engine: Engine
    jwt_secret: str
    key_cache: KeyCache
    search_cache: ResponseCache
    rate_limiter: RateLimiter
    abuse: AbuseLimiters  # budgets of callers without a key (chat, /oauth/token, /pay)
    # SQLite takes one writer at a time anyway; letting twenty pool threads fight for the GIL
    # and the write lock made each order three times slower than running them one by one.
    write_limiter: anyio.CapacityLimiter
    notifier: Notifier
    payments: PaymentProvider
    chat: ChatService
    whatsapp: WhatsAppDesk


def abuse_limiters(settings: Settings) -> AbuseLimiters:
    """The keyless budgets of TOPLLANTAS_ABUSE__*, built like the per-key limiter."""
    a = settings.abuse
    return AbuseLimiters(
        chat_ip=RateLimiter(per_minute=a.chat_ip_per_minute, burst=a.chat_ip_burst),
        chat_session=RateLimiter(per_minute=a.chat_session_per_minute, burst=a.chat_session_burst),
        oauth_client=RateLimiter(per_minute=a.oauth_client_per_minute, burst=a.oauth_client_burst),
        oauth_ip=RateLimiter(per_minute=a.oauth_ip_per_minute, burst=a.oauth_ip_burst),
        pay_ip=RateLimiter(per_minute=a.pay_ip_per_minute, burst=a.pay_ip_burst),
        pay_link=RateLimiter(per_minute=a.pay_link_per_minute, burst=a.pay_link_burst),
    )


@asynccontextmanager
async def open_container(settings: Settings, engine: Engine) -> AsyncIterator[Container]:
    """Build everything before the server accepts a request, close it in reverse at shutdown.

    The chat service starts here, so the first customer never waits for the intent model: it
    trains on the first start (seconds) and loads from ``cache_dir`` afterwards.
    """
    stack = ExitStack()
    try:
        chat = await anyio.to_thread.run_sync(
            stack.enter_context, open_chat_service(settings, engine)
        )
        await anyio.to_thread.run_sync(chat.warm_up)
        if settings.kb.index_on_start and settings.environment != "test":
            chat.start_knowledge_base()
        notifier = Notifier(engine, settings)
        desk = WhatsAppDesk(engine, settings, notifier)
        # Closed first (LIFO): turns in flight finish and send their replies while the chat
        # service they run on is still open.
        stack.callback(desk.close)
        container = Container(
            settings=settings,
            engine=engine,
            jwt_secret=settings.jwt_secret(),
            key_cache=KeyCache(settings.auth.key_cache_seconds),
            search_cache=ResponseCache(settings.search_cache_seconds),
            rate_limiter=RateLimiter(
                per_minute=settings.rate_limit.per_minute, burst=settings.rate_limit.burst
            ),
            abuse=abuse_limiters(settings),
            write_limiter=anyio.CapacityLimiter(1 if settings.is_sqlite else 8),
            notifier=notifier,
            payments=build_payment_provider(settings),
            chat=chat,
            whatsapp=desk,
        )
        if settings.redis_url:  # scale-out: every limiter's budget shared by all workers
            buckets = RedisBuckets(settings.redis_url, settings.resolved_database_url)
            stack.callback(buckets.close)
            share_limiters(container, buckets)
        yield container
    finally:
        await anyio.to_thread.run_sync(stack.close)
