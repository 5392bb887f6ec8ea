"""Rate limits shared by worker processes through Redis, the in-process fallback, and the
bounded memory of this process's buckets and key cache."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

import pytest

from api.key_cache import PURGE_AT, KeyCache
from api.ratelimit import RateLimiter, share_limiters
from api.redis_buckets import RedisBuckets
from core.security import Principal
from domain.enums import Role

REDIS_URL = os.environ.get("TOPLLANTAS_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TOPLLANTAS_TEST_REDIS_URL is not set")


@pytest.fixture
def buckets() -> RedisBuckets:
    assert REDIS_URL
    store = RedisBuckets(REDIS_URL, f"test-{uuid.uuid4()}")  # a namespace of its own
    assert store.ping(), f"Redis at {REDIS_URL} does not answer"
    return store


def worker_limiter(store: RedisBuckets, *, per_minute: int = 1, burst: int = 5) -> RateLimiter:
    """The limiter one worker process builds, bound to the shared store like the container."""
    limiter = RateLimiter(per_minute=per_minute, burst=burst)
    limiter.share(store, "rate_limiter")
    return limiter


@needs_redis
def test_two_workers_draw_from_one_budget_per_key(buckets: RedisBuckets) -> None:
    first, second = worker_limiter(buckets), worker_limiter(buckets)
    granted = [
        limiter.acquire("key-a") == 0 for _ in range(6) for limiter in (first, second)
    ]
    assert sum(granted) == 5  # the burst once, not once per worker
    assert first.acquire("key-b") == 0  # another key has its own bucket
    wait = second.acquire("key-a")
    assert 50 < wait <= 60  # one token a minute: the next comes in about a minute


@needs_redis
def test_a_shared_bucket_refills_at_its_rate(buckets: RedisBuckets) -> None:
    limiter = worker_limiter(buckets, per_minute=600, burst=1)  # one token every 0.1 s
    assert limiter.acquire("k") == 0
    wait = limiter.acquire("k")
    assert 0 < wait <= 0.1
    time.sleep(wait + 0.02)
    assert limiter.acquire("k") == 0


@needs_redis
def test_limiters_with_other_names_do_not_share_buckets(buckets: RedisBuckets) -> None:
    per_key = RateLimiter(per_minute=1, burst=1)
    per_ip = RateLimiter(per_minute=1, burst=1)
    per_key.share(buckets, "rate_limiter")
    per_ip.share(buckets, "abuse.chat_ip")
    assert per_key.acquire("same") == 0 and per_ip.acquire("same") == 0


def test_without_redis_each_process_keeps_its_own_buckets() -> None:
    store = RedisBuckets("redis://127.0.0.1:1/0", "unreachable")  # nothing listens on port 1
    limiter = RateLimiter(per_minute=1, burst=2)
    limiter.share(store, "rate_limiter")
    # Redis down: the limiter still limits, from this process's buckets
    assert [limiter.acquire("k", now=0.0) == 0 for _ in range(3)] == [True, True, False]


def test_every_limiter_in_the_container_is_shared_by_its_path() -> None:
    @dataclass(frozen=True)
    class Abuse:
        chat_ip: RateLimiter
        pay_link: RateLimiter

    @dataclass(frozen=True)
    class Holder:
        rate_limiter: RateLimiter
        abuse: Abuse
        by_name: dict[str, RateLimiter]
        other: str

    def limiter() -> RateLimiter:
        return RateLimiter(per_minute=60, burst=1)

    holder = Holder(limiter(), Abuse(limiter(), limiter()), {"x": limiter()}, "not a limiter")

    class Recorder:
        def __init__(self) -> None:
            self.keys: list[str] = []

        def take(self, key: str, rate: float, burst: float) -> float | None:
            self.keys.append(key)
            return 0.0

    store = Recorder()
    names = share_limiters(holder, store)
    assert names == ["rate_limiter", "abuse.chat_ip", "abuse.pay_link", "by_name.x"]
    holder.abuse.pay_link.acquire("1.2.3.4")
    assert store.keys == ["abuse.pay_link:1.2.3.4"]


def test_a_process_forgets_refilled_buckets_and_keeps_the_ones_still_spending() -> None:
    """A server that has seen many addresses keeps a bucket only for those still spending:
    a refilled bucket is the same as a new one (issue 13: the limiter's memory grew)."""
    limiter = RateLimiter(per_minute=60, burst=2)  # one token a second
    for n in range(5_000):
        limiter.acquire(f"visitor-{n}", now=0.0)
    assert limiter.acquire("busy", now=100.0) == 0
    assert limiter.acquire("busy", now=100.0) == 0
    assert limiter.acquire("busy", now=100.0) > 0  # spent: its limit must survive a sweep
    for n in range(4_000):  # a new wave, long after the first refilled (memory reaches 2x)
        limiter.acquire(f"later-{n}", now=100.0)
    assert limiter.tracked() < 5_000  # the first wave is gone
    assert limiter.acquire("busy", now=100.5) > 0  # still limited, not forgotten
    assert limiter.acquire("visitor-1", now=100.5) == 0  # a forgotten one starts full


def test_the_key_cache_drops_expired_access_tokens_when_it_fills() -> None:
    """Every access token issued was cached for good; expired ones now go when it fills."""
    cache = KeyCache(ttl_s=0.05)
    who = Principal(key_prefix="tl_abc", name="integration", role=Role.INTEGRATION)
    for n in range(PURGE_AT):
        cache.put(f"token-{n}", who)
    time.sleep(0.1)  # every one of them expired
    cache.put("fresh", who)
    assert cache.get("fresh") == who
    assert len(cache._entries) == 1
