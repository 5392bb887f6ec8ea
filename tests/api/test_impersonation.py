"""Evaluator keys speak only as test customers (issue 13, finding 4): a real customer's phone is
403 in every environment, a phone nobody has becomes a test customer (never a real row), the
demo data and the eval world are test data; admin keys keep speaking as anyone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.app import create_app
from core.settings import (
    AuthSettings,
    InventorySettings,
    KbSettings,
    LogisticsSettings,
    ReportSettings,
    Settings,
)
from db.engine import session_scope
from db.tables import AuditLog, ChatSession, Customer
from domain.enums import Role
from tests.channels.support import form, post_signed, with_twilio
from tests.conftest import bearer

REAL_PHONE = "+528112345678"
NEW_PHONE = "+523398765432"
ORDERS = "¿cómo va mi pedido?"


def speak(
    client: TestClient, key: str, phone: str, text: str = ORDERS, session_id: str | None = None
) -> Any:
    return client.post(
        "/v1/chat",
        json={"session_id": session_id, "message": text,
              "as": {"role": "customer", "phone": phone}},
        headers=bearer(key),
    )  # fmt: skip


def real_customer(client: TestClient, keys: dict[Role, str]) -> int:
    """A customer made the way real ones are (the API, as staff): not test data."""
    r = client.post(
        "/api/v1/customers",
        json={"name": "Rosa Elena Garza", "phone": REAL_PHONE},
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code in (200, 201), r.text
    customer_id: int = r.json()["id"]
    return customer_id


def sessions(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(sa.func.count()).select_from(ChatSession)).one()


def test_an_evaluator_key_may_not_speak_as_a_real_customer(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    real_customer(client, keys)
    before = sessions(engine)
    r = speak(client, keys[Role.EVALUATOR], REAL_PHONE)
    assert r.status_code == 403, r.text
    assert r.json()["field"] == "as.phone"
    assert sessions(engine) == before  # nothing written, no reply, no orders read
    admin = speak(client, keys[Role.ADMIN], REAL_PHONE)
    assert admin.status_code == 200 and admin.json()["trace"] is not None


def test_an_unknown_phone_becomes_a_test_customer_not_a_real_one(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    r = speak(client, keys[Role.EVALUATOR], NEW_PHONE, "hola")
    assert r.status_code == 200, r.text
    with Session(engine) as s:
        made = s.exec(select(Customer).where(Customer.phone == NEW_PHONE)).one()
    assert made.is_test and made.name == "Cliente (evaluación)"
    again = speak(client, keys[Role.EVALUATOR], NEW_PHONE, ORDERS, r.json()["session_id"])
    assert again.status_code == 200, again.text


def test_demo_customers_are_test_data_an_evaluator_may_speak_as(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    with Session(engine) as s:
        demo = s.exec(
            select(Customer).where(col(Customer.phone).is_not(None)).order_by(col(Customer.id))
        ).first()
        real = s.exec(select(sa.func.count()).where(col(Customer.is_test).is_(False))).one()
    assert demo is not None and demo.is_test and demo.phone
    assert real == 0  # the seed's customers are all fictional
    r = speak(client, keys[Role.EVALUATOR], demo.phone)
    assert r.status_code == 200, r.text


def test_a_customer_no_longer_test_data_is_refused_on_the_next_message(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    first = speak(client, keys[Role.EVALUATOR], NEW_PHONE, "hola")
    assert first.status_code == 200, first.text
    with session_scope(engine, write=True) as s:
        s.execute(sa.update(Customer).where(col(Customer.phone) == NEW_PHONE).values(is_test=False))
    r = speak(client, keys[Role.EVALUATOR], NEW_PHONE, ORDERS, first.json()["session_id"])
    assert r.status_code == 403 and r.json()["field"] == "as.phone"


def test_an_admin_marks_a_customer_as_test_data_and_back_through_the_api(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    customer_id = real_customer(client, keys)
    flag = f"/api/v1/customers/{customer_id}"
    for role in (Role.STAFF, Role.INTEGRATION, Role.EVALUATOR, Role.TECHNICIAN):
        refused = client.patch(flag, json={"is_test": True}, headers=bearer(keys[role]))
        assert refused.status_code == 403, (role, refused.text)
    assert speak(client, keys[Role.EVALUATOR], REAL_PHONE).status_code == 403

    marked = client.patch(flag, json={"is_test": True}, headers=bearer(keys[Role.ADMIN]))
    assert marked.status_code == 200 and marked.json()["is_test"] is True, marked.text
    spoken = speak(client, keys[Role.EVALUATOR], REAL_PHONE)
    assert spoken.status_code == 200, spoken.text
    listed = client.get(
        "/api/v1/customers", params={"is_test": "false"}, headers=bearer(keys[Role.STAFF])
    ).json()
    assert customer_id not in [c["id"] for c in listed["items"]]

    back = client.patch(flag, json={"is_test": False}, headers=bearer(keys[Role.ADMIN]))
    assert back.status_code == 200 and back.json()["is_test"] is False
    again = speak(client, keys[Role.EVALUATOR], REAL_PHONE, session_id=spoken.json()["session_id"])
    assert again.status_code == 403  # off limits at once, mid-conversation too
    with Session(engine) as s:
        audit = s.exec(
            select(AuditLog.action).where(
                AuditLog.entity == "customer", AuditLog.entity_id == str(customer_id)
            )
        ).all()
    assert "mark_test" in audit and "mark_real" in audit


def test_marking_a_customer_names_the_bad_field_or_id(
    client: TestClient, keys: dict[Role, str]
) -> None:
    admin = bearer(keys[Role.ADMIN])
    missing = client.patch("/api/v1/customers/999999", json={"is_test": True}, headers=admin)
    assert missing.status_code == 404 and missing.json()["field"] == "customer_id"
    for body in ({"is_test": "quizas"}, {}, {"is_test": True, "name": "otro"}):
        bad = client.patch("/api/v1/customers/1", json=body, headers=admin)
        assert bad.status_code == 422, (body, bad.text)
        assert "is_test" in bad.text or "name" in bad.text


def test_a_persona_an_evaluator_made_becomes_real_when_its_number_writes_on_whatsapp(
    settings: Settings, engine: Engine, keys: dict[Role, str]
) -> None:
    """The number's owner is real: an evaluator key that made a phone its persona loses it
    the moment that phone writes through Twilio; demo customers stay test data."""
    signed = with_twilio(settings)
    with TestClient(create_app(signed, engine=engine)) as app:
        first = speak(app, keys[Role.EVALUATOR], NEW_PHONE, "hola")
        assert first.status_code == 200, first.text
        with Session(engine) as s:
            demo = s.exec(
                select(Customer)
                .where(col(Customer.phone).is_not(None), col(Customer.is_test).is_(True))
                .where(col(Customer.phone) != NEW_PHONE)
                .order_by(col(Customer.id))
            ).first()
        assert demo is not None and demo.phone
        for phone in (NEW_PHONE, demo.phone):
            wrote = post_signed(app, form(phone, "hola, buenas tardes"), settings=signed)
            assert wrote.status_code == 200, wrote.text
        again = speak(app, keys[Role.EVALUATOR], NEW_PHONE, ORDERS, first.json()["session_id"])
        assert again.status_code == 403 and again.json()["field"] == "as.phone"
        assert speak(app, keys[Role.EVALUATOR], demo.phone).status_code == 200
    with Session(engine) as s:
        made = s.exec(select(Customer).where(Customer.phone == NEW_PHONE)).one()
        assert made.is_test is False
        assert s.get(Customer, demo.id).is_test is True  # type: ignore[union-attr]


@pytest.fixture
def production(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app in production (scheduled jobs and the background index off)."""
    prod = settings.model_copy(
        update={
            "environment": "production",
            "public_base_url": "https://api.topllantas.mx",
            "auth": AuthSettings(secret_key=SecretStr("p" * 40), key_cache_seconds=0),
            "kb": KbSettings(index_on_start=False),
            "inventory": InventorySettings(nightly_enabled=False),
            "logistics": LogisticsSettings(plan_enabled=False),
            "reports": ReportSettings(schedule_enabled=False, followup_enabled=False),
            "reservation_sweep_seconds": 0,
        }
    )
    with TestClient(create_app(prod, engine=engine)) as client:
        yield client


def test_in_production_too_a_real_customer_is_refused_and_admin_keys_are_not(
    production: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    real_customer(production, keys)
    r = speak(production, keys[Role.EVALUATOR], REAL_PHONE)
    assert r.status_code == 403 and r.json()["field"] == "as.phone"
    assert speak(production, keys[Role.EVALUATOR], NEW_PHONE, "hola").status_code == 200
    assert speak(production, keys[Role.ADMIN], REAL_PHONE).status_code == 200
