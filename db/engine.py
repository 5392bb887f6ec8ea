"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

# PostgreSQL advisory-lock namespaces (the first of the two keys), one per kind of lock.
CLAIM_LOCK = 1  # claiming an inbound WhatsApp message (db.repositories.inbound)
TURN_LOCK = 2  # running a WhatsApp number's turn (db.repositories.inbound)
CONVERSATION_LOCK = 3  # a conversation's turns in order (conversation.locks)
LEADERSHIP_LOCK = 4  # the sweep's and scheduled jobs' single runner (db.leadership)
CHECKPOINT_SETUP_LOCK = 5  # creating the conversation checkpoint tables (graphs.checkpointer)
GUEST_IP_LOCK = 6  # new anonymous holds from one address (db.repositories.guest_holds)


def advisory_key(text: str) -> int:
    """A signed 32-bit key for PostgreSQL's two-key advisory locks."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big", signed=True)


def advisory_xact_lock(db: Session | Connection, namespace: int, text: str) -> None:
    """On PostgreSQL, wait for and hold ``(namespace, text)``'s advisory lock until the
    transaction of ``db`` (a session or a connection) ends: every worker on every machine
    sees it. Nothing on SQLite, whose write transactions are serial already."""
    dialect = db.dialect if isinstance(db, Connection) else db.get_bind().dialect
    if dialect.name == "postgresql":
        db.execute(
            sa.text("SELECT pg_advisory_xact_lock(:ns, :key)"),
            {"ns": namespace, "key": advisory_key(text)},
        )


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return ping_when_idle(sa.create_engine(url, echo=echo, pool_size=10, max_overflow=20))


# A pooled PostgreSQL connection idle for longer than this is checked (a round trip) before
# use; one back in the pool a moment ago is not. SQLAlchemy's pool_pre_ping checks every
# checkout: a fifth of a chat turn's round trips on PostgreSQL were those pings. A server
# restarted within the window costs at most one failed statement per worker: SQLAlchemy
# then recycles every connection of the pool opened before the failure.
PING_AFTER_IDLE_S = 2.0


def ping_when_idle(engine: Engine) -> Engine:
    """Check ``engine``'s pooled connections that sat idle (see ``PING_AFTER_IDLE_S``) before
    handing them out; a dead one is replaced by a new connection."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # the pool drops this connection and hands out another (a new one if need be)
            raise sa.exc.DisconnectionError(str(exc)) from exc

    sa.event.listen(engine, "checkin", checkin)
    sa.event.listen(engine, "checkout", checkout)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    # Writers take SQLite's write lock at BEGIN, so concurrent writers queue on the busy
    # timeout instead of failing when a deferred read transaction tries to upgrade.
    # Readers stay deferred so they never wait for a writer (WAL).
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions are write transactions from the start."""
    return engine.execution_options(immediate=True)


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def _write_lock(engine: Engine) -> AbstractContextManager[object]:
    """SQLite allows one writer: queue this process's writers on a fair lock.

    Without it they queue inside SQLite's busy handler, which sleeps in growing steps and
    turns a 5 ms write into a 100 ms one under load. Other processes still meet the busy
    timeout. PostgreSQL needs no lock: rows are locked by the statements themselves.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    lock = _WRITE_LOCKS.get(engine)
    if lock is None:
        lock = _WRITE_LOCKS.setdefault(engine, threading.Lock())
    return lock


_VERSIONS: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


@contextmanager
def joined_or_own(
    engine: Engine, held: Connection | None, *, write: bool = False
) -> Iterator[Session | Connection]:
    """Where a few statements run: on ``held``, a connection whose open transaction someone
    else commits (a conversation lock's: the statements commit with the lock's release and
    cost no transaction of their own), or without one in a transaction of their own."""
    if held is not None:
        yield held
        return
    with session_scope(engine, write=write) as session:
        yield session


def data_version(engine: Engine) -> int:
    """A counter bumped by every write transaction this process commits (for read caches)."""
    return _VERSIONS.get(engine, 0)


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    lock = _write_lock(engine) if write else nullcontext()
    with lock, Session(writer(engine) if write else engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            if write:
                _VERSIONS[engine] = _VERSIONS.get(engine, 0) + 1
