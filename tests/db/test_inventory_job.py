"""The nightly job on the demo database: forecast rows written, alerts sent to each branch's
staff by their channel, never twice for the same situation, resolved when it ends; the sweep
runs it only when enabled; migration 0007 goes down and up."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import InventorySettings, Settings
from db.inventory_job import nightly_due, run_nightly
from db.tables import ForecastRow, ForecastRun, InventoryAlert, Outbox, StaffMember, Stock
from tests.conftest import ANCHOR
from tests.db.test_migration_0005 import _to
from tests.inventory_fixtures import NIGHTLY, db_url, nightly_pg, nightly_sqlite  # noqa: F401


def test_the_run_wrote_forecasts_for_every_series_and_week(engine: Engine) -> None:
    with Session(engine) as session:
        run = session.exec(select(ForecastRun)).one()
        rows = session.exec(select(sa.func.count()).select_from(ForecastRow)).one()
        bad = session.exec(
            select(sa.func.count()).select_from(ForecastRow).where(
                sa.or_(col(ForecastRow.p10) > col(ForecastRow.p50), col(ForecastRow.p50) > col(ForecastRow.p90))
            )
        ).one()  # fmt: skip
    assert run.run_date == ANCHOR and run.horizon_weeks == 12 and run.series > 1000
    assert rows == run.series * 12 and bad == 0
    assert sum(run.model_counts.values()) == run.series and run.strategy
    report = next(iter(NIGHTLY.values()))
    assert report.alerts_opened > 0 and report.messages > 0 and report.suggestions > 0


def test_alerts_reach_each_branchs_staff_by_their_channel(engine: Engine) -> None:
    with Session(engine) as session:
        staff = session.exec(select(StaffMember)).all()
        sent = session.exec(select(Outbox).where(Outbox.kind == "inventory_alert")).all()
    by_to = {m.phone if m.notify_channel != "email" else m.email: m for m in staff}
    assert {o.to for o in sent} == set(by_to)  # everyone, nobody else
    for o in sent:
        assert o.channel == by_to[o.to].notify_channel
    gdl_sms = [o for o in sent if o.channel == "sms"]
    assert gdl_sms and all(o.to == "+523330404040" for o in gdl_sms)
    per_person = {to: sum(1 for o in sent if o.to == to) for to in by_to}
    assert max(per_person.values()) <= InventorySettings().max_messages_per_branch + 1
    critical = [o.body or "" for o in sent if (o.body or "").startswith("Crítico: ")]
    assert critical and all(
        "/semana" in b and ("(llegan " in b or "Traspasa " in b) for b in critical
    )
    assert any(" hoy a " in b for b in critical)


def test_the_same_situation_is_not_sent_again_and_ended_ones_resolve(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        alert = session.exec(
            select(InventoryAlert).where(InventoryAlert.urgency == "crítico").order_by(col(InventoryAlert.id))
        ).first()  # fmt: skip
        assert alert is not None
        before = session.exec(select(sa.func.count()).select_from(Outbox)).one()
    with Session(engine) as session:  # the situation ends: a delivery arrived
        stock = session.exec(select(Stock).where(Stock.product_id == alert.product_id, Stock.branch_id == alert.branch_id)).one()  # fmt: skip
        stock.on_hand += 500
        session.add(stock)
        session.commit()
    report = run_nightly(engine, settings, ANCHOR)
    with Session(engine) as session:
        resolved = session.get(InventoryAlert, alert.id)
        after = session.exec(select(sa.func.count()).select_from(Outbox)).one()
        live_keys = session.exec(select(InventoryAlert.dedup_key).where(col(InventoryAlert.state).in_(("open", "acknowledged")))).all()  # fmt: skip
    assert resolved is not None and resolved.state == "resolved"
    assert report.alerts_opened < 20 and report.alerts_refreshed > 1000  # same data, same night
    assert after - before == report.messages < 20
    assert len(live_keys) == len(set(live_keys))


def test_the_sweep_runs_it_only_when_enabled(engine: Engine, settings: Settings) -> None:
    off = settings
    assert nightly_due(engine, off) is None
    on = settings.model_copy(
        update={"inventory": InventorySettings(nightly_enabled=True, nightly_hour=0)}
    )
    day = nightly_due(engine, on)
    assert day is not None and day != ANCHOR  # today has no run yet (the fixture ran ANCHOR)


def test_0007_downgrades_and_upgrades_on_a_database_with_data(engine: Engine) -> None:
    def tables() -> set[str]:
        return set(sa.inspect(engine).get_table_names())

    mine = {"forecast_run", "forecast_row", "inventory_alert", "stock_transfer", "staff_member", "reorder_suggestion"}  # fmt: skip
    assert mine <= tables()
    _to(engine, "0006", down=True)
    assert not mine & tables()
    assert "min_order_cents" not in {c["name"] for c in sa.inspect(engine).get_columns("supplier")}
    _to(engine, "head")
    assert mine <= tables()
