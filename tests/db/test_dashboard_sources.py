"""The agents card's satisfaction: support and delivery surveys together, and it says which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from core.settings import DashboardSettings
from db.engine import session_scope
from db.repositories.dashboard_sources import agent_figures
from db.repositories.deliveries import record_survey
from db.tables import Delivery, SupportCase
from domain.dashboard import Kpi

DAY = datetime(2030, 1, 15, 18, tzinfo=UTC)  # a window no demo survey falls in


def card(engine: Engine) -> Kpi:
    with session_scope(engine) as session:
        kpis = agent_figures(
            session, DashboardSettings(), since=DAY - timedelta(hours=12),
            until=DAY + timedelta(hours=12),
        )  # fmt: skip
    return next(k for k in kpis if k.key == "satisfaction")


def _support_case(score: int) -> SupportCase:
    return SupportCase(
        channel="whatsapp", session_id="test", problem_kind="vibration", symptoms="tiembla",
        priority="normal", sla_due_at=DAY, satisfaction=score, created_at=DAY,
    )  # fmt: skip


def test_satisfaction_averages_support_and_delivery_surveys(engine: Engine) -> None:
    empty = card(engine)
    assert empty.value is None and "Sin encuestas de soporte ni de entregas" in empty.hint
    with session_scope(engine, write=True) as session:
        session.add(_support_case(5))
        session.add(_support_case(4))
    support_only = card(engine)
    assert support_only.value == 4.5 and "2 encuestas de soporte" in support_only.hint
    with session_scope(engine, write=True) as session:
        delivery = session.exec(
            select(Delivery).where(col(Delivery.survey_score).is_(None)).order_by(col(Delivery.id))
        ).first()
        assert delivery is not None, "the demo data has deliveries"
        record_survey(session, delivery, 1, "llegaron tarde", actor="test")
        delivery.surveyed_at = DAY
        session.add(delivery)
    both = card(engine)
    assert both.value == round((5 + 4 + 1) / 3, 2)  # one mean over every survey, not of means
    assert both.hint == "Promedio (1-5) de 2 encuestas de soporte y 1 encuesta de entregas"
    assert both.status == "alert"  # 3.33 is under the 4.0 minimum
