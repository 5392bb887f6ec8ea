"""Turns of one conversation in order, across threads, worker processes and machines.

A thread lock per key inside the process first (so the threads of one process queue there and
hold no connection while they wait), then a lock other processes see:

- on PostgreSQL, ``pg_advisory_xact_lock`` on a hash of the key, held by a transaction on a
  small pool of its own for the block: every worker on every machine waits on it, PostgreSQL
  grants it in request order, and a dead worker's lock ends with its connection. The pool is
  separate so that threads waiting for a lock never hold a connection the lock holders need.
- on SQLite (one machine), an exclusive ``flock`` on one of a fixed set of lock files under
  ``DATA_DIR/locks`` (chosen by a hash of the key), which serialises the processes of
  ``topllantas serve --workers N``; the kernel releases a dead process's locks. Two
  conversations that share a file only wait for each other briefly. Without ``fcntl``
  (Windows) only the in-process lock holds, which is right for the single process there.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.engine import CONVERSATION_LOCK, advisory_xact_lock, ping_when_idle

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

BUCKETS = 1024
# Turns holding a conversation lock at once in one process, one connection each. On two cores
# a handful of turns keep the process busy; more would only take PostgreSQL connections (a
# worker's main pool has 30 more). Turns beyond it wait here holding no connection.
LOCK_POOL_SIZE = 8
LOCK_WAIT_S = 600.0


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0


class ConversationLocks:
    """``with locks.hold(key):`` one holder per key at a time, across threads and processes."""

    def __init__(self, directory: Path, engine: Engine | None = None) -> None:
        self.directory = directory
        self._entries: dict[str, _Entry] = {}
        self._guard = threading.Lock()
        self._pg: Engine | None = None
        if engine is not None and engine.dialect.name == "postgresql":
            self._pg = ping_when_idle(
                sa.create_engine(
                    engine.url,
                    pool_size=LOCK_POOL_SIZE,
                    max_overflow=0,
                    pool_timeout=LOCK_WAIT_S,
                )
            )
        elif fcntl is not None:
            directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _thread_lock(self, key: str) -> Iterator[None]:
        # Entries live while someone holds or waits for them: a process that serves thousands
        # of conversations keeps no lock per conversation it ever saw.
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            entry.users += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._entries[key]

    def _path(self, key: str) -> Path:
        bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % BUCKETS
        return self.directory / f"{bucket:04d}.lock"

    @contextmanager
    def hold(self, key: str) -> Iterator[Connection | None]:
        """Hold the key's lock for the block (waits while another thread or process has it).

        On PostgreSQL the block gets the connection whose transaction holds the lock: what the
        holder reads or writes on it commits when the lock is released, in no transaction of
        its own (see ``db.engine.joined_or_own``). Elsewhere None.
        """
        with self._thread_lock(key):
            if self._pg is not None:
                with self._pg.connect() as conn, conn.begin():
                    advisory_xact_lock(conn, CONVERSATION_LOCK, key)
                    yield conn
                return
            if fcntl is None:
                yield None
                return
            fd = os.open(self._path(key), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield None
            finally:
                os.close(fd)  # closing the descriptor releases the flock

    def held_keys(self) -> int:
        """Keys held or waited for in this process right now."""
        with self._guard:
            return len(self._entries)

    def close(self) -> None:
        """Close the lock pool's connections (PostgreSQL)."""
        if self._pg is not None:
            self._pg.dispose()


@contextmanager
def machine_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on a file of its own for the block, across the processes of this
    machine (e.g. one of ``serve --workers N`` builds a local index, the others wait)."""
    if fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
