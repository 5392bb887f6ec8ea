from __future__ import annotations

import os
from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import db.tables as t
from db.demo.seed import seed_demo
from db.engine import make_engine
from db.migrate import upgrade
from domain.enums import CustomerKind, OrderStatus
from tests.conftest import PG_URL, pg_create, pg_drop


def _schema_diff(url: str) -> list[object]:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    engine.dispose()
    return list(diff)


def test_migrations_build_exactly_the_tables_in_the_code_on_sqlite(tmp_path: object) -> None:
    assert _schema_diff(f"sqlite:///{tmp_path}/m.db") == []


@pytest.mark.skipif(not PG_URL, reason="TOPLLANTAS_TEST_DATABASE_URL is not set")
def test_migrations_build_exactly_the_tables_in_the_code_on_postgres() -> None:
    name = f"tl_migrate_{os.getpid()}"
    try:
        assert _schema_diff(pg_create(name)) == []
    finally:
        pg_drop(name)


def test_the_seeded_demo_database_is_consistent(engine: Engine) -> None:
    with Session(engine) as s:
        assert s.exec(select(sa.func.count()).select_from(t.Product)).one() >= 600
        assert {c.kind for c in s.exec(select(t.Customer)).all()} == set(CustomerKind)
        assert {o.status for o in s.exec(select(t.Order)).all()} == {st.value for st in OrderStatus}
        assert len({(f.make_key, f.model_key) for f in s.exec(select(t.Fitment)).all()}) >= 80
        for stock in s.exec(select(t.Stock)).all():
            lots = s.exec(select(t.StockLot.quantity).where(t.StockLot.stock_id == stock.id)).all()
            assert sum(lots) == stock.on_hand, stock
            held = s.exec(
                select(sa.func.coalesce(sa.func.sum(t.Reservation.quantity), 0)).where(
                    t.Reservation.product_id == stock.product_id,
                    t.Reservation.branch_id == stock.branch_id,
                    sa.or_(t.Reservation.status == "active", t.Reservation.status == "confirmed"),
                )
            ).one()
            assert held == stock.reserved, stock
        for order in s.exec(select(t.Order)).all():
            lines = s.exec(select(t.OrderLine).where(t.OrderLine.order_id == order.id)).all()
            assert order.total_cents == sum(line.total_cents for line in lines) > 0
            assert order.folio == f"TL-{order.id:06d}"
        breaks = s.exec(select(sa.func.count(sa.distinct(t.SupplierPrice.product_id)))).one()
        assert breaks == s.exec(select(sa.func.count()).select_from(t.Product)).one()


def test_seeding_is_deterministic_and_idempotent(tmp_path: object) -> None:
    digests = []
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path}/{name}.db")
        upgrade(engine)
        report = seed_demo(engine, seed=11, anchor=date(2026, 6, 1), history_days=45)
        assert not report.skipped and report.sales_rows > 0
        assert seed_demo(engine, seed=11, anchor=date(2026, 6, 1), history_days=45).skipped
        with Session(engine) as s:
            digests.append(
                (
                    s.exec(
                        select(t.Product.sku, t.Product.price_cents).order_by(t.Product.sku)
                    ).all(),
                    s.exec(
                        select(t.Stock.product_id, t.Stock.branch_id, t.Stock.on_hand).order_by(
                            t.Stock.id
                        )
                    ).all(),
                    s.exec(
                        select(sa.func.sum(t.SalesDaily.units), sa.func.max(t.SalesDaily.day))
                    ).one(),
                    s.exec(select(t.Customer.phone).order_by(t.Customer.id)).all(),
                )
            )
        engine.dispose()
    assert digests[0] == digests[1]
    assert digests[0][2][1] == date(2026, 5, 31)
