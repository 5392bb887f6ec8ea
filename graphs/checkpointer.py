"""The conversation checkpointer: SQLite under DATA_DIR by default, PostgreSQL with the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import make_url

from core.settings import Settings


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver[Any]]:
    """A checkpointer that lives as long as the block (the server's lifespan, a CLI session)."""
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
        from psycopg.rows import dict_row

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with Connection.connect(
            conninfo, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as pg:
            postgres = PostgresSaver(pg)
            postgres.setup()
            yield postgres
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
