"""Token-bucket rate limiting: in process by default, shared by every worker through Redis.

Each ``RateLimiter`` keeps its buckets in this process until ``share`` binds it to a
``SharedBuckets`` store (``TOPLLANTAS_REDIS_URL``): then every worker process takes tokens from
the same bucket per key, so N workers grant the configured budget once, not N times. When the
store cannot be reached the limiter falls back to its own buckets (limits still hold per process;
an outage of Redis never takes the API down).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass
class _Bucket:
    tokens: float
    updated: float


class SharedBuckets(Protocol):
    """A token store shared by processes (``api.redis_buckets.RedisBuckets``)."""

    def take(self, key: str, rate: float, burst: float) -> float | None:
        """Take one token; 0 when allowed, else seconds to wait; None when unreachable."""
        ...


# This process's buckets are swept when they reach this many (then twice what the sweep kept):
# a bucket refilled to its burst is the same as none, so the sweep forgets those, and a server
# that has seen a million addresses keeps only the ones still spending.
SWEEP_AT = 1024


class RateLimiter:
    """``burst`` requests at once, refilled at ``per_minute`` per minute, per key."""

    def __init__(self, *, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._sweep_at = SWEEP_AT
        self._lock = threading.Lock()
        self._shared: SharedBuckets | None = None
        self.name = ""

    @property
    def shared(self) -> bool:
        """True when the buckets are shared with other processes."""
        return self._shared is not None

    def share(self, store: SharedBuckets, name: str) -> None:
        """Keep this limiter's buckets in ``store`` under ``name`` (the same in every worker)."""
        self._shared, self.name = store, name

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one token; returns 0 when allowed, else the seconds to wait before retrying.

        ``now`` (monotonic seconds) only drives this process's buckets; a shared bucket runs
        on the store's clock, the one clock every worker agrees on.
        """
        if self._shared is not None:
            wait = self._shared.take(f"{self.name}:{key}", self.rate, self.burst)
            if wait is not None:
                return wait
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._buckets) >= self._sweep_at:
                self._forget_full(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        """Drop the buckets refilled to their burst by ``now`` (under the lock)."""
        self._buckets = {
            key: bucket
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self.rate < self.burst
        }
        self._sweep_at = max(SWEEP_AT, 2 * len(self._buckets))

    def tracked(self) -> int:
        """How many keys this process keeps a bucket for."""
        with self._lock:
            return len(self._buckets)

    @staticmethod
    def retry_after_header(wait_s: float) -> str:
        """Whole seconds, at least 1, for the Retry-After header."""
        return str(max(1, math.ceil(wait_s)))


def share_limiters(
    holder: object, store: SharedBuckets, prefix: str = "", depth: int = 0
) -> list[str]:
    """Bind every ``RateLimiter`` reachable from ``holder`` (a dataclass such as the app's
    container: its fields, and dataclasses, dicts, lists and tuples inside them) to ``store``,
    each named by its path (``rate_limiter``, ``abuse.per_ip``), which is the same in every
    worker. A limiter added to the container later is shared without further wiring.
    Returns the names bound."""
    if isinstance(holder, RateLimiter):
        holder.share(store, prefix)
        return [prefix]
    if depth > 4:  # the container's parts are shallow; never walk a cycle
        return []
    items: list[tuple[str, object]] = []
    if dataclasses.is_dataclass(holder) and not isinstance(holder, type):
        items = [(f.name, getattr(holder, f.name)) for f in dataclasses.fields(holder)]
    elif isinstance(holder, dict):
        items = [(str(k), v) for k, v in holder.items()]
    elif isinstance(holder, list | tuple):
        items = [(str(i), v) for i, v in enumerate(holder)]
    names: list[str] = []
    for name, value in items:
        path = f"{prefix}.{name}" if prefix else name
        names += share_limiters(value, store, path, depth + 1)
    return names


class RateLimited(Exception):
    """The caller spent its request budget; carries how long to wait."""

    def __init__(self, wait_s: float) -> None:
        super().__init__("rate limit exceeded")
        self.wait_s = wait_s
