"""PostgreSQL pooled connections: checked before use only after sitting idle, replaced when dead."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import db.engine as db_engine
from db.engine import make_engine


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, stmt, *_: seen.append(stmt)
    )
    return seen


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


@pytest.fixture
def pg(engine: Engine) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("the pool check is PostgreSQL's (SQLite has no server to lose)")
    own = make_engine(engine.url.render_as_string(hide_password=False))
    yield own
    own.dispose()


def test_a_connection_dead_while_idle_is_replaced_before_use(
    pg: Engine, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_engine, "PING_AFTER_IDLE_S", 0.05)
    pid = _backend_pid(pg)  # the pool keeps this connection
    with engine.connect() as admin:  # its backend goes away (a restart, a failover, a kill)
        assert admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    time.sleep(0.1)
    assert _backend_pid(pg) != pid  # a new connection answered; no error reached the caller


def test_a_connection_used_a_moment_ago_is_not_pinged(pg: Engine) -> None:
    _backend_pid(pg)
    seen = _statements(pg)
    with pg.connect() as conn:
        assert conn.execute(sa.text("SELECT 41 + 1")).scalar_one() == 42
    assert seen == ["SELECT 41 + 1"]  # no round trip spent checking it first
