"""One process at a time for a named role: the sweep, a scheduled job.

On PostgreSQL a session-level ``pg_try_advisory_lock`` on a connection of its own, kept open
while the role is held: every process on every machine sees it, and it ends with the process
(its connection closes) without a lease to renew or a clock to trust. On SQLite, whose
processes share one machine, an exclusive non-blocking ``flock`` on ``DATA_DIR/locks/<name>``,
which the kernel also releases when the process dies. Without ``fcntl`` (Windows: one
process) the role is always held.

A connection pooler in transaction mode (PgBouncer) would break session locks: point
``TOPLLANTAS_DATABASE_URL`` at PostgreSQL itself or a session-mode pool.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from db.engine import LEADERSHIP_LOCK, advisory_key

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("topllantas.leadership")


class Leadership:
    """``hold()`` takes the role when it is free and keeps it until ``release()`` or the
    process ends; it never waits. Also a context manager: ``with Leadership(...) as held:``."""

    def __init__(self, engine: Engine, lock_dir: Path, name: str) -> None:
        self.name = name
        self._pg = engine.dialect.name == "postgresql"
        self._url = engine.url
        self._path = lock_dir / f"{name.replace(':', '-')}.leader"
        self._conn: Connection | None = None
        self._engine: Engine | None = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the role (as far as it knows; see ``hold``)."""
        return self._conn is not None or self._fd is not None

    def hold(self) -> bool:
        """True when this process holds the role: it held it and its lock is still alive, or
        it was free and is taken now."""
        if self._pg:
            return self._hold_pg()
        if fcntl is None:
            return True
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _hold_pg(self) -> bool:
        if self._conn is not None:
            try:  # the lock lives as long as this connection: is it still there?
                self._conn.execute(sa.text("SELECT 1"))
                return True
            except sa.exc.DBAPIError:
                log.warning("lost the connection holding %s; trying to take it again", self.name)
                self.release()
        if self._engine is None:
            self._engine = sa.create_engine(self._url, poolclass=NullPool)
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = conn.execute(
                sa.text("SELECT pg_try_advisory_lock(:ns, :key)"),
                {"ns": LEADERSHIP_LOCK, "key": advisory_key(self.name)},
            ).scalar()
        except BaseException:
            conn.close()
            raise
        if not taken:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        """Give the role up (closing the connection or descriptor releases the lock)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sa.exc.DBAPIError):
                conn.close()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def close(self) -> None:
        """Release the role and the connection factory."""
        self.release()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> bool:
        return self.hold()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
