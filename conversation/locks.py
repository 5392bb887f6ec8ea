"""Turns of one conversation in order, also across worker processes on one machine.

A thread lock per key inside the process, then an exclusive ``flock`` on one of a fixed set of
lock files under ``DATA_DIR/locks`` (chosen by a hash of the key), which serialises the
processes of ``topllantas serve --workers N``. Two conversations that share a file only wait for
each other briefly; the kernel releases a dead process's locks. Without ``fcntl`` (Windows) only
the in-process lock holds, which is right for the single process there.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

BUCKETS = 1024


class ConversationLocks:
    """``with locks.hold(key):`` one holder per key at a time, across threads and processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        if fcntl is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def _thread_lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _path(self, key: str) -> Path:
        bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % BUCKETS
        return self.directory / f"{bucket:04d}.lock"

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Hold the key's lock for the block (waits while another thread or process has it)."""
        with self._thread_lock(key):
            if fcntl is None:
                yield
                return
            fd = os.open(self._path(key), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the flock
