"""The delivery survey answered on WhatsApp, and a delivery moved from the chat, through the real
webhook, graph, offline brain and tools."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from adapters.channels.twilio_whatsapp import parse_twiml
from api.app import create_app
from core.settings import Settings
from db.engine import session_scope
from db.repositories.crm import customer_by_phone
from domain.dialogue import TimeWindow
from domain.orders import window_of
from evals.deliveries import delivery_day, make_delivery
from evals.models import DeliverySetup
from tests.channels.support import form, post_signed, with_twilio

PHONE = "+5215598765432"


@pytest.fixture
def signed(settings: Settings) -> Settings:
    return with_twilio(settings, reply_budget_seconds=14)


@pytest.fixture
def wa(signed: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(signed, engine=engine)) as client:
        yield client


def _customer(engine: Engine) -> t.Customer:
    with session_scope(engine, write=True) as session:
        return customer_by_phone(session, PHONE, name="Laura Gómez", actor="test")


def _send(wa: TestClient, signed: Settings, text: str) -> str:
    response = post_signed(wa, form(PHONE, text, name="Laura Gómez"), settings=signed)
    assert response.status_code == 200
    return "\n".join(parse_twiml(response.text))


def _delivery(engine: Engine, delivery_id: int) -> t.Delivery:
    with Session(engine) as session:
        row = session.get(t.Delivery, delivery_id)
        assert row is not None
        return row


def test_a_survey_answer_on_whatsapp_rates_the_delivery_and_its_driver(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    made = make_delivery(engine, DeliverySetup(status="delivered"), _customer(engine))
    reply = _send(wa, signed, "5 muy bien, muy amable")
    row = _delivery(engine, made.delivery_id)
    assert row.survey_score == 5 and row.survey_comment == "5 muy bien, muy amable"
    assert "Gracias" in reply
    with Session(engine) as session:
        driver = session.get(t.Driver, row.driver_id)
        assert driver is not None and driver.ratings == 1 and driver.rating == 5.0


def test_without_a_pending_survey_a_bare_number_rates_nothing(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    made = make_delivery(engine, DeliverySetup(day=1), _customer(engine))
    _send(wa, signed, "5")
    assert _delivery(engine, made.delivery_id).survey_score is None


def test_a_five_in_a_quote_stays_a_quantity(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    made = make_delivery(engine, DeliverySetup(status="delivered"), _customer(engine))
    _send(wa, signed, "precio de llantas 205/55r16")
    _send(wa, signed, "la mas barata")
    _send(wa, signed, "5")
    assert _delivery(engine, made.delivery_id).survey_score is None


def test_cambiar_hora_offers_windows_and_moves_the_delivery_then_back(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    made = make_delivery(engine, DeliverySetup(day=1, window="morning"), _customer(engine))
    offered = _send(wa, signed, "CAMBIAR HORA")
    assert "1. " in offered and "¿Cuál te queda?" in offered
    moved = _send(wa, signed, "la de la tarde")
    assert "moví la entrega" in moved
    row = _delivery(engine, made.delivery_id)
    assert window_of(row.window_start) == TimeWindow.AFTERNOON
    _send(wa, signed, "no, déjalo como estaba")
    row = _delivery(engine, made.delivery_id)
    assert window_of(row.window_start) == TimeWindow.MORNING
    assert row.window_start.date() <= delivery_day(1)
    with Session(engine) as session:
        notices = session.exec(
            select(t.Outbox).where(t.Outbox.order_id == made.order_id).order_by(col(t.Outbox.id))
        ).all()
    # On WhatsApp the reply is the notice: no second message about the same change.
    assert not [n for n in notices if n.kind == "delivery_rescheduled"]
