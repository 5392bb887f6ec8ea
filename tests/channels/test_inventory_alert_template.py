"""An inventory alert to a staff member outside WhatsApp's 24-hour window goes as the approved
``inventory_alert`` template (urgency, situation, action), inside it as free text, and without
a template it is recorded as failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from adapters.channels.notifier import Notifier
from core.settings import Settings
from db.engine import session_scope
from db.repositories.inventory_alerts import queue_alert_messages
from db.tables import InboundMessage, InventoryAlert, Outbox, StaffMember
from domain.clock import utcnow
from domain.inventory_text import ALERT_TEMPLATE, render_alert_template, stock_alert
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.support import ACCOUNT, TOKEN, with_twilio
from tests.live_server import live_server

PHONE = "+5213312345678"
SID = "HX" + "c" * 32


@pytest.fixture
def twilio() -> Iterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio(ACCOUNT, TOKEN)
    with live_server(fake.app) as url:
        yield fake, url


def _alert_for(engine: Engine) -> tuple[int, str, str]:
    """Queue a crítico alert to a WhatsApp staff member; (outbox id, text, action)."""
    text, action = stock_alert(
        "crítico", label="205/55R16 Michelin Primacy 4+", branch="GDL", available=3, weekly=15,
        reorder_point=20, quantity=24, supplier="Llantas del Norte (incl. Tornel)",
        today=date(2026, 11, 20), arrives=date(2026, 11, 26),
    )  # fmt: skip
    with session_scope(engine, write=True) as session:
        session.add(StaffMember(name="Compras GDL", phone=PHONE, notify_channel="whatsapp"))
        alert = InventoryAlert(
            dedup_key="crítico:X:GDL", urgency="crítico", text=text, action=action
        )
        session.add(alert)
        session.flush()
        queue_alert_messages(session, [alert.id or 0], urgencies=["crítico"], per_branch=5)
        row = session.exec(
            select(Outbox).where(Outbox.kind == "inventory_alert", Outbox.to == PHONE)
        ).one()
        return row.id or 0, text, action


def test_outside_the_window_the_alert_goes_as_its_approved_template(
    settings: Settings, engine: Engine, twilio: tuple[FakeTwilio, str]
) -> None:
    fake, url = twilio
    outbox_id, text, action = _alert_for(engine)
    notifier = Notifier(engine, with_twilio(settings, api_base_url=url,
                                            templates={"inventory_alert": SID}))  # fmt: skip
    assert notifier.deliver(outbox_id).status == "sent"
    [sent] = fake.messages
    assert sent.get("ContentSid") == SID and not sent.get("Body")
    variables = json.loads(sent["ContentVariables"])
    assert variables["1"] == "Crítico" and variables["3"] == action
    assert variables["2"] == "205/55R16 Michelin Primacy 4+ — 3 unidades en GDL, demanda " \
        "proyectada 15/semana."  # fmt: skip
    assert all("\n" not in v and "    " not in v for v in variables.values())
    assert not ALERT_TEMPLATE.startswith("{{") and not ALERT_TEMPLATE.endswith("}}")
    read = render_alert_template(variables)
    assert read.startswith("Alerta de inventario TopLlantas (Crítico): 205/55R16 Michelin")
    assert "Qué hacer: Pide 24 hoy a Llantas del Norte (llegan el jueves)." in read
    assert text == f"Crítico: {variables['2']} {action}"  # what the free text says


def test_inside_the_window_free_text_and_without_a_template_failed(
    settings: Settings, engine: Engine, twilio: tuple[FakeTwilio, str]
) -> None:
    fake, url = twilio
    outbox_id, text, _ = _alert_for(engine)
    no_template = Notifier(engine, with_twilio(settings, api_base_url=url))
    failed = no_template.deliver(outbox_id)
    assert failed.status == "failed" and "no approved template for inventory_alert" in (
        failed.error or ""
    )
    assert fake.messages == []
    with session_scope(engine, write=True) as session:
        session.add(InboundMessage(provider_sid="SMstaff1", phone=PHONE, status="replied",
                                   received_at=utcnow() - timedelta(hours=2)))  # fmt: skip
        again = Outbox(kind="inventory_alert", channel="whatsapp", to=PHONE, body=text)
        session.add(again)
        session.flush()
        again_id = again.id or 0
    templated = Notifier(engine, with_twilio(settings, api_base_url=url,
                                             templates={"inventory_alert": SID}))  # fmt: skip
    assert templated.deliver(again_id).status == "sent"
    assert [m.get("Body") for m in fake.messages] == [text]
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox).where(col(Outbox.to) == PHONE)).all()
    assert {r.status for r in rows} == {"failed", "sent"}
