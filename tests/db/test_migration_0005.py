"""Migration 0005 on the seeded demo database: the case tables come and go, nothing else moves."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from db.migrate import alembic_config

CASE_TABLES = {"support_case", "case_event", "technician"}


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0005_downgrades_and_upgrades_on_a_database_with_data(engine: Engine) -> None:
    def tables() -> set[str]:
        return set(sa.inspect(engine).get_table_names())

    def orders() -> int:
        with engine.connect() as c:
            return int(c.execute(sa.text("SELECT count(*) FROM orders")).scalar_one())

    before = orders()
    assert tables() >= CASE_TABLES
    _to(engine, "0004", down=True)
    assert not CASE_TABLES & tables() and orders() == before
    _to(engine, "head")
    assert tables() >= CASE_TABLES and orders() == before
    with engine.connect() as c:
        version = c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
