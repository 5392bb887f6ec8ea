"""A small TTL cache for hot, read-mostly JSON answers (product search)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable


class ResponseCache:
    """Serialised answers keyed by the normalised request and the database's data version.

    Any write this process commits changes the data version, so its own writes are never
    served stale; writes by other processes (another worker, the CLI) show within ``ttl_s``.
    """

    def __init__(self, ttl_s: float, max_entries: int = 2048) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when the TTL is zero."""
        return self.ttl_s > 0

    def get(self, key: Hashable) -> bytes | None:
        """The cached body, if fresh."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            if hit[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: Hashable, body: bytes) -> None:
        """Remember a body, evicting the least recently used entries past the size bound."""
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl_s, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
