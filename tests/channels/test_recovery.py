"""Crash recovery of WhatsApp messages: leases, take-over by Twilio's retry and by start-up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.channels.twilio_whatsapp import parse_twiml
from api.app import create_app
from conversation.leases import new_owner, owner_alive, retire
from core.settings import Settings
from db.repositories.inbound import InboundFields, claim_inbound, finish_inbound
from db.repositories.inbound_leases import renew_leases, take_over
from db.tables import InboundMessage, Outbox
from tests.channels.support import form, post_signed, use_chat, with_twilio
from tests.channels.test_webhook import CannedService

DEAD = ("another-host:4242:0badc0de", -1.0)  # a worker elsewhere whose lease ran out
JETTA = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"


def left_processing(engine: Engine, phone: str, text: str, sid: str) -> int:
    """What a worker killed mid-turn leaves: the claimed row, status processing."""
    fields = InboundFields(provider_sid=sid, phone=phone, body=text, turn_text=text)
    return claim_inbound(engine, fields, lease=DEAD).inbound_id


def row(engine: Engine, inbound_id: int) -> InboundMessage:
    with Session(engine) as s:
        found = s.get(InboundMessage, inbound_id)
        assert found is not None
        return found


def replies(engine: Engine, phone: str) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.to == phone, Outbox.kind == "reply")))


@pytest.fixture
def signed(settings: Settings) -> Settings:
    return with_twilio(settings, reply_budget_seconds=14)


@pytest.fixture
def wa(signed: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(signed, engine=engine)) as client:
        yield client


def test_twilios_retry_of_a_message_whose_worker_died_runs_it(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    phone = "+5215590000201"
    params = form(phone, "¿Tienen 205/55R16?")
    inbound_id = left_processing(engine, phone, "¿Tienen 205/55R16?", params["MessageSid"])
    canned = CannedService("Sí, tenemos 205/55R16.")
    use_chat(wa, canned)
    retry = post_signed(wa, params, settings=signed)
    assert retry.status_code == 200
    assert parse_twiml(retry.text) == ["Sí, tenemos 205/55R16."]  # never an empty <Response/>
    assert canned.texts == ["¿Tienen 205/55R16?"]
    done = row(engine, inbound_id)
    assert done.status == "replied" and done.attempts == 2 and done.lease_until is None
    again = post_signed(wa, params, settings=signed)  # a third delivery: the stored reply
    assert parse_twiml(again.text) == ["Sí, tenemos 205/55R16."] and len(canned.texts) == 1


def test_start_up_runs_again_what_a_dead_worker_left_and_replies_once(
    settings: Settings, engine: Engine
) -> None:
    phone = "+5215590000202"
    inbound_id = left_processing(engine, phone, JETTA, "SM" + "2" * 32)
    with TestClient(create_app(settings, engine=engine)):
        deadline = time.monotonic() + 60
        # The reply is stored (queued) a moment before the outbox marks its messages sent.
        while time.monotonic() < deadline and not (
            row(engine, inbound_id).status == "queued"
            and {m.status for m in replies(engine, phone)} == {"sent"}
        ):
            time.sleep(0.1)
        done = row(engine, inbound_id)
        assert done.status == "queued" and done.reply and "Jetta 2020" in done.reply
        sent = replies(engine, phone)
        assert sent and {m.status for m in sent} == {"sent"}
        assert "\n\n".join(m.body or "" for m in sent) == done.reply
    with TestClient(create_app(settings, engine=engine)):  # a second start: nothing to redo
        pass
    assert len(replies(engine, phone)) == len(sent) and row(engine, inbound_id).attempts == 2


def test_a_worker_that_lost_its_lease_neither_stores_nor_sends(engine: Engine) -> None:
    phone = "+5215590000203"
    slow = new_owner()
    fields = InboundFields(provider_sid="SM" + "3" * 32, phone=phone, body="hola")
    inbound_id = claim_inbound(engine, fields, lease=(slow, 30)).inbound_id
    assert renew_leases(engine, slow, 30) == 1
    assert take_over(engine, inbound_id, new_owner(), 30, owner_alive, waiting=False) is None
    retire(slow)  # its process is gone: the lease is dead before it runs out
    rescuer = new_owner()
    taken = take_over(engine, inbound_id, rescuer, 30, owner_alive, waiting=False)
    assert taken is not None and taken.attempts == 2 and taken.text == "hola"
    assert take_over(engine, inbound_id, new_owner(), 30, owner_alive, waiting=False) is None
    assert finish_inbound(engine, inbound_id, "tarde", owner=slow) == ("lost", [])
    via, outbox_ids = finish_inbound(
        engine, inbound_id, "¡Hola!", owner=rescuer, bubbles=["¡Hola!"]
    )
    assert via == "queued" and len(outbox_ids) == 1
    assert [m.body for m in replies(engine, phone)] == ["¡Hola!"]
