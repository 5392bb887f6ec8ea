"""Budgets for callers without a key: the anonymous web chat, /oauth/token and /pay.

The limiters are built in ``api.container`` next to the per-key one, so whatever backs that
one (this process, or a store every worker shares) backs these too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fastapi import Request

from api.ratelimit import RateLimited, RateLimiter


class Throttled(RateLimited):
    """A budget without a key ran out (an IP, a conversation, a client id, a link)."""

    def __init__(self, wait_s: float, message: str) -> None:
        super().__init__(wait_s)
        self.message = message


@dataclass(frozen=True)
class AbuseLimiters:
    """One limiter per budget; keys are namespaced by what they count."""

    chat_ip: RateLimiter
    chat_session: RateLimiter
    oauth_client: RateLimiter
    oauth_ip: RateLimiter
    pay_ip: RateLimiter
    pay_link: RateLimiter


def client_ip(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy, uvicorn rewrites it from
    X-Forwarded-For only for the proxies it trusts: ``--forwarded-allow-ips``)."""
    return request.client.host if request.client is not None else "unknown"


def secret_key(secret: str) -> str:
    """A budget key for a secret (a payment-link token): never the secret itself, which
    would sit in a shared store."""
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def first_wait(*checks: tuple[RateLimiter, str]) -> float:
    """Spend one request from each budget in order; the wait of the first that is empty
    (0 when all allowed). Later budgets are not charged once one refuses."""
    for limiter, key in checks:
        wait = limiter.acquire(key)
        if wait > 0:
            return wait
    return 0.0
