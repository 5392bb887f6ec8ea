"""The conversation checkpointer: SQLite under DATA_DIR by default, PostgreSQL with the database."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

from core.settings import Settings
from db.engine import CHECKPOINT_SETUP_LOCK

# Checkpoint reads and writes in flight at once in one process, a connection each: a turn
# reads its conversation's checkpoint when it starts and writes one when it ends.
CHECKPOINT_POOL_SIZE = 8


class PooledPostgresSaver(PostgresSaver):
    """The PostgreSQL checkpointer over a connection pool, each operation on a connection of its
    own. The stock saver holds one lock per instance around every operation, which a single
    shared connection needs and a pool does not: with it every turn of a worker queued behind
    one checkpoint read or write at a time (threads of a saturated worker were found waiting on
    it in 11 of 25 samples)."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        super().__init__(pool)
        self.lock = nullcontext()  # type: ignore[assignment]


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver[Any]]:
    """A checkpointer that lives as long as the block (the server's lifespan, a CLI session)."""
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        from psycopg import Connection
        from psycopg.rows import dict_row

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with Connection.connect(conninfo, autocommit=True, row_factory=dict_row) as pg:
            # Servers on several machines start at once: one creates the tables, the others
            # wait and find them (without the lock two setups failed with DuplicateObject).
            # Polled, not waited for inside a statement: the setup's CREATE INDEX CONCURRENTLY
            # waits for every open transaction, a blocked lock request included (a deadlock).
            while True:
                row = pg.execute(
                    "SELECT pg_try_advisory_lock(%s, 0) AS taken", (CHECKPOINT_SETUP_LOCK,)
                ).fetchone()
                if row is not None and row["taken"]:
                    break
                time.sleep(0.1)
            try:
                PostgresSaver(pg).setup()
            finally:
                pg.execute("SELECT pg_advisory_unlock(%s, 0)", (CHECKPOINT_SETUP_LOCK,))
        with ConnectionPool(
            conninfo,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            min_size=1,
            max_size=CHECKPOINT_POOL_SIZE,
            name="checkpoints",
            open=True,
        ) as pool:
            yield PooledPostgresSaver(pool)
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(settings.data_dir / "checkpoints.sqlite", check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; no fsync per checkpoint
    try:
        sqlite = SqliteSaver(conn)
        sqlite.setup()
        yield sqlite
    finally:
        conn.close()
