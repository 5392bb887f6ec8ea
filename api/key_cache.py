"""Verified API keys, trusted for a few seconds to keep the hot path off the database."""

from __future__ import annotations

import hashlib
import threading
import time

from core.security import Principal

PURGE_AT = 1024  # entries held before the expired ones are dropped


class KeyCache:
    """Verified API keys, trusted for a few seconds to keep the hot path off the database."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._prefixes: dict[str, tuple[bool, float]] = {}
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
            now = time.monotonic()
            with self._lock:
                if len(self._entries) >= PURGE_AT:  # access tokens come and go: drop stale ones
                    self._entries = {d: e for d, e in self._entries.items() if e[1] > now}
                self._entries[digest] = (principal, now + self.ttl_s)

    def key_active(self, prefix: str) -> bool | None:
        """Whether the key behind an access token was active a moment ago; None = look it up."""
        if self.ttl_s <= 0:
            return None
        with self._lock:
            hit = self._prefixes.get(prefix)
        return hit[0] if hit and hit[1] > time.monotonic() else None

    def put_key_active(self, prefix: str, active: bool) -> None:
        """Remember whether a token's key is active (a revocation shows within the TTL)."""
        if self.ttl_s > 0:
            with self._lock:
                self._prefixes[prefix] = (active, time.monotonic() + self.ttl_s)
