"""Migration 0004 on a database made before it: branch facts move to columns, and what orders
were paid is recorded (paid or beyond = in full; a reserved order = its paid deposit links)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from db.engine import make_engine
from db.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS, pg_create, pg_drop

NOW = "2026-11-20 12:00:00"


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    name = f"tl_mig_{os.getpid()}"
    engine = make_engine(pg_create(name))
    yield engine
    engine.dispose()
    pg_drop(name)


def _at_0003(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")


def test_0004_moves_branch_facts_to_columns_and_records_what_was_paid(
    empty_engine: Engine,
) -> None:
    _at_0003(empty_engine)
    with empty_engine.begin() as c:
        for n, code in enumerate(("CDMX", "GDL", "MTY", "QRO"), start=1):
            c.execute(
                sa.text(
                    "INSERT INTO branch (id, code, name, city, state, address, latitude, "
                    "longitude, phone, opening_hours) VALUES (:id, :code, :code, 'c', 's', 'a', "
                    "0, 0, '', '{}')"
                ),
                {"id": n, "code": code},
            )
        c.execute(
            sa.text(
                "INSERT INTO customer (id, kind, name, city, discount_bp, credit_limit_cents, "
                "consent_marketing, consent_notifications, created_at) "
                "VALUES (1, 'retail', 'Ana', '', 0, 0, false, true, :now)"
            ),
            {"now": NOW},
        )
        for order_id, status in (
            (1, "delivered"),
            (2, "reserved"),
            (3, "reserved"),
            (4, "cancelled"),
        ):
            c.execute(
                sa.text(
                    "INSERT INTO orders (id, customer_id, branch_id, status, channel, fulfillment, "
                    "subtotal_cents, discount_cents, iva_cents, total_cents, deposit_cents, notes, "
                    "created_by, created_at, updated_at) VALUES (:id, 1, 1, :status, 'web', "
                    "'pickup', 0, 0, 0, 856000, 50000, '', 'test', :now, :now)"
                ),
                {"id": order_id, "status": status, "now": NOW},
            )
        c.execute(
            sa.text(
                "INSERT INTO payment_link (token, order_id, provider, amount_cents, status, "
                "expires_at, created_at) VALUES ('t1', 2, 'local', 50000, 'paid', :now, :now)"
            ),
            {"now": NOW},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as c:
        branches = {
            code: (bool(main), codes if isinstance(codes, list) else json.loads(codes))
            for code, main, codes in c.execute(
                sa.text("SELECT code, is_main, area_codes FROM branch")
            )
        }
        paid = dict(c.execute(sa.text("SELECT id, paid_cents FROM orders")).all())
        purposes = {row[0] for row in c.execute(sa.text("SELECT purpose FROM payment_link"))}
    assert branches == {
        "CDMX": (True, ["55", "56"]),
        "GDL": (False, ["33"]),
        "MTY": (False, ["81"]),
        "QRO": (False, []),  # a branch the facts did not know: no area codes yet
    }
    assert paid == {1: 856000, 2: 50000, 3: 0, 4: 0}
    assert purposes == {"deposit"}


def test_0004_downgrades_and_upgrades_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with empty_engine.connect() as c:
        columns = {col["name"] for col in sa.inspect(c).get_columns("orders")}
    assert "paid_cents" not in columns
    upgrade(empty_engine)
