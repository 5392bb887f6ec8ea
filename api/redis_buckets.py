"""Rate-limit buckets in Redis, shared by every worker process (``TOPLLANTAS_REDIS_URL``).

One Lua script refills and takes a token atomically on Redis's own clock, so processes on
several machines agree on a bucket without agreeing on time. A bucket expires once it would
be full again, so idle keys cost nothing. Redis is used for this alone: a lost bucket (Redis
restarted) only hands out a fresh burst, whereas a lost lock or job lease would let two
workers run the same turn or job, which is why those live in PostgreSQL.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time

import redis

log = logging.getLogger("topllantas.ratelimit")

# KEYS[1] the bucket; ARGV: rate (tokens/s), burst. Returns the wait in seconds (0 = allowed).
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(b[1])
local updated = tonumber(b[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""

RETRY_AFTER_S = 5.0  # after a failure, this process uses its own buckets for a while
TIMEOUT_S = 0.25  # a request never waits longer than this on Redis


class RedisBuckets:
    """Token buckets in Redis under a namespace of this deployment (its database URL), so two
    deployments sharing one Redis never share budgets."""

    def __init__(self, url: str, namespace: str) -> None:
        self.client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
        )
        self.prefix = f"topllantas:{hashlib.sha256(namespace.encode()).hexdigest()[:12]}:rl:"
        self._take = self.client.register_script(TAKE)
        self._down_until = 0.0
        self._warned_at = -math.inf
        self._guard = threading.Lock()

    def take(self, key: str, rate: float, burst: float) -> float | None:
        """Take one token from the shared bucket; None when Redis cannot be reached."""
        if time.monotonic() < self._down_until:
            return None
        try:
            wait = self._take(keys=[self.prefix + key], args=[repr(rate), repr(burst)])
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        return float(wait)

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with self._guard:
            self._down_until = now + RETRY_AFTER_S
            if now - self._warned_at < 60:
                return
            self._warned_at = now
        log.warning("Redis unreachable (%s): rate limits are per process for now", exc)

    def ping(self) -> bool:
        """True when Redis answers (start-up check; the server runs without it too)."""
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        """Close the connections."""
        self.client.close()
