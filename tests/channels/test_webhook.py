"""POST /webhooks/twilio/whatsapp through the real app: signatures, identity, retries, the Jetta
conversation, media, opt-out and TwiML bubbles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import HumanMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.channels.twilio_whatsapp import parse_twiml
from api.app import create_app
from conversation.service import TurnResult
from core.settings import Settings
from db.tables import (
    AuditLog,
    Customer,
    InboundMedia,
    InboundMessage,
    Interaction,
    Order,
    OrderLine,
    Product,
    Reservation,
)
from tests.channels.support import (
    PATH,
    TOKEN,
    chat_service_of,
    counts,
    form,
    post_signed,
    session_of,
    signature,
    use_chat,
    with_twilio,
)

JETTA_1 = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"
JETTA_2 = "Me interesa la Continental, ¿mañana las puedo recoger?"


@pytest.fixture
def signed(settings: Settings) -> Settings:
    return with_twilio(settings, reply_budget_seconds=14)


@pytest.fixture
def wa(signed: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app with a Twilio auth token: every webhook must be signed."""
    with TestClient(create_app(signed, engine=engine)) as client:
        yield client


class CannedService:
    """Stands in for the chat service where the test is about the channel, not the agents."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.texts: list[str] = []

    def run_turn(self, chat: Any, text: str, **_: Any) -> TurnResult:
        self.texts.append(text)
        return TurnResult(reply=self.reply, agent="sales")


@pytest.mark.parametrize(
    "attack", ["tampered body", "wrong url", "missing header", "other token", "added field"]
)
def test_a_bad_signature_is_refused_and_nothing_is_processed(
    wa: TestClient, signed: Settings, engine: Engine, attack: str
) -> None:
    params = form("+5215590000002", "aparta 100 llantas")
    url = signed.public_base_url + PATH
    headers = {"X-Twilio-Signature": signature(params, url)}
    if attack == "tampered body":
        params = {**params, "Body": "aparta 200 llantas"}
    elif attack == "wrong url":
        headers = {"X-Twilio-Signature": signature(params, "https://evil.example" + PATH)}
    elif attack == "missing header":
        headers = {}
    elif attack == "other token":
        headers = {"X-Twilio-Signature": signature(params, url, token="not-" + TOKEN)}
    elif attack == "added field":
        params = {**params, "Latitude": "19.4"}
    before = counts(engine)
    r = wa.post(PATH, data=params, headers=headers)
    assert r.status_code == 403, r.text
    assert r.json()["field"] == "X-Twilio-Signature"
    assert counts(engine) == before


def test_a_retried_webhook_runs_the_turn_once_and_gets_the_same_reply(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    phone = "+5215590000003"
    params = form(phone, JETTA_1)
    first = post_signed(
        wa, params, settings=signed, headers={"I-Twilio-Idempotency-Token": "tok-1"}
    )
    again = post_signed(
        wa, params, settings=signed, headers={"I-Twilio-Idempotency-Token": "tok-1"}
    )
    # (A new sid with the same token is another message: tests/channels/test_dedupe_sender.py.)
    assert first.status_code == again.status_code == 200
    assert parse_twiml(first.text) and first.text == again.text
    chat = session_of(engine, phone)
    with Session(engine) as s:
        assert len(s.exec(select(Interaction).where(Interaction.session_id == chat.id)).all()) == 1
        assert len(s.exec(select(InboundMessage).where(InboundMessage.phone == phone)).all()) == 1
    stored = chat_service_of(wa).messages(chat.id)
    assert sum(isinstance(m, HumanMessage) for m in stored) == 1


def test_the_jetta_conversation_over_whatsapp_reserves_for_the_number(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    phone = "+5215590000004"
    first = post_signed(wa, form(phone, JETTA_1, name="Laura Gómez"), settings=signed)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("application/xml")
    quote = "\n\n".join(parse_twiml(first.text))
    assert "205/55R16" in quote and "Jetta 2020" in quote and "Total 4 llantas: $" in quote
    assert all(len(b) <= 1600 for b in parse_twiml(first.text))
    second = post_signed(wa, form(phone, JETTA_2, name="Laura Gómez"), settings=signed)
    reply = "\n\n".join(parse_twiml(second.text))
    folio = re.search(r"TL-\d{6}", reply)
    assert folio, reply
    assert re.search(r"https?://\S+/pay/\S+", reply)
    with Session(engine) as s:
        customer = s.exec(select(Customer).where(Customer.phone == phone)).one()
        order = s.exec(select(Order).where(Order.folio == folio[0])).one()
        assert (
            order.customer_id == customer.id
            and order.status == "reserved"
            and order.channel == "whatsapp"
        )
        line = s.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
        product = s.get(Product, line.product_id)
        assert product is not None and product.brand == "Continental" and line.quantity == 4
        held = s.exec(select(Reservation).where(Reservation.order_id == order.id)).one()
        assert held.status == "active" and held.quantity == 4
    # The number is bound to a customer (named after the WhatsApp profile) and to one
    # conversation that holds both turns.
    chat = session_of(engine, phone)
    with Session(engine) as s:
        assert customer.name == "Laura Gómez" and customer.whatsapp_id == phone.lstrip("+")
        assert (
            chat.channel == "whatsapp"
            and chat.role == "customer"
            and chat.customer_id == customer.id
        )
        turns = s.exec(select(Interaction).where(Interaction.session_id == chat.id)).all()
        assert [t.channel for t in turns] == ["whatsapp", "whatsapp"] and chat.turns == 2
        inbound = s.exec(select(InboundMessage).where(InboundMessage.phone == phone)).all()
        assert [m.status for m in inbound] == ["replied", "replied"]
        assert inbound[1].reply and folio[0] in inbound[1].reply


def test_media_and_location_are_recorded_and_noted_for_the_agents(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    phone = "+5215590000005"
    canned = CannedService("Gracias por la foto, la reviso.")
    use_chat(wa, canned)
    extra = {
        "NumMedia": "2",
        "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "MediaContentType0": "image/jpeg",
        "MediaUrl1": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2",
        "MediaContentType1": "audio/ogg",
        "Latitude": "19.432608",
        "Longitude": "-99.133209",
        "Address": "Zócalo, CDMX",
    }
    r = post_signed(wa, form(phone, "mi llanta tiene un chipote", **extra), settings=signed)
    assert parse_twiml(r.text) == ["Gracias por la foto, la reviso."]
    assert canned.texts == [
        "mi llanta tiene un chipote\n[foto adjunta: image/jpeg]\n[audio adjunto: audio/ogg]\n"
        "[ubicación compartida: 19.432608, -99.133209 (Zócalo, CDMX)]"
    ]
    with Session(engine) as s:
        inbound = s.exec(select(InboundMessage).where(InboundMessage.phone == phone)).one()
        assert (
            inbound.latitude == pytest.approx(19.432608)
            and inbound.body == "mi llanta tiene un chipote"
        )
        media = s.exec(select(InboundMedia).where(InboundMedia.message_id == inbound.id)).all()
        assert [(m.position, m.content_type) for m in media] == [
            (0, "image/jpeg"),
            (1, "audio/ogg"),
        ]


def test_long_replies_come_in_bubbles_and_xml_is_escaped(wa: TestClient, signed: Settings) -> None:
    paragraph = "Llantas <Michelin> & Continental: " + "buen agarre en lluvia. " * 30
    long_reply = "\n\n".join([paragraph.strip()] * 6)
    use_chat(wa, CannedService(long_reply))
    r = post_signed(wa, form("+5215590000006", "opciones"), settings=signed)
    assert "&lt;Michelin&gt; &amp; Continental" in r.text and "<Michelin>" not in r.text
    bubbles = parse_twiml(r.text)
    assert len(bubbles) > 1 and all(len(b) <= 1600 for b in bubbles)
    assert "\n\n".join(bubbles) == long_reply  # cut on paragraph boundaries, nothing lost


def test_baja_opts_out_and_alta_opts_back_in_without_a_turn(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    phone = "+5215590000007"
    canned = CannedService("no debería responder")
    use_chat(wa, canned)
    out = parse_twiml(post_signed(wa, form(phone, "Baja"), settings=signed).text)
    assert len(out) == 1 and "ALTA" in out[0]
    with Session(engine) as s:
        customer = s.exec(select(Customer).where(Customer.phone == phone)).one()
        assert not customer.consent_notifications and not customer.consent_marketing
        audit = s.exec(
            select(AuditLog).where(
                AuditLog.entity == "customer",
                AuditLog.entity_id == str(customer.id),
                AuditLog.action == "opt_out",
            )
        ).all()
        assert len(audit) == 1
    back = parse_twiml(post_signed(wa, form(phone, "ALTA"), settings=signed).text)
    assert "BAJA" in back[0]
    with Session(engine) as s:
        customer = s.exec(select(Customer).where(Customer.phone == phone)).one()
        assert customer.consent_notifications and not customer.consent_marketing
    assert canned.texts == []


def test_a_keyword_inside_a_sentence_opts_out_but_a_low_tire_reaches_the_agents(
    wa: TestClient, signed: Settings, engine: Engine
) -> None:
    phone = "+5215590000011"
    canned = CannedService("Revisemos esa llanta. ¿Tiene algún clavo o chipote?")
    use_chat(wa, canned)
    tire = parse_twiml(post_signed(wa, form(phone, "tengo una llanta baja"), settings=signed).text)
    assert tire == [canned.reply] and canned.texts == ["tengo una llanta baja"]
    out = parse_twiml(post_signed(wa, form(phone, "nel, BAJA"), settings=signed).text)
    assert len(out) == 1 and "ALTA" in out[0] and canned.texts == ["tengo una llanta baja"]
    with Session(engine) as s:
        customer = s.exec(select(Customer).where(Customer.phone == phone)).one()
        assert not customer.consent_notifications
    back = parse_twiml(
        post_signed(wa, form(phone, "ok, quiero ALTA otra vez"), settings=signed).text
    )
    assert "BAJA" in back[0]
    with Session(engine) as s:
        customer = s.exec(select(Customer).where(Customer.phone == phone)).one()
        assert customer.consent_notifications


def test_without_an_auth_token_webhooks_are_accepted_unsigned(
    client: TestClient, settings: Settings
) -> None:
    use_chat(client, CannedService("¡Hola!"))
    r = post_signed(client, form("+5215590000008", "hola"), settings=settings, token=None)
    assert r.status_code == 200 and parse_twiml(r.text) == ["¡Hola!"]


def test_behind_a_tunnel_the_forwarded_url_is_checked_unless_a_public_url_is_set(
    signed: Settings, engine: Engine
) -> None:
    params = form("+5215590000009", "hola")
    tunnel = "https://abc123.ngrok.app"
    headers = {
        "X-Twilio-Signature": signature(params, tunnel + PATH),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "abc123.ngrok.app",
    }
    with TestClient(create_app(signed, engine=engine)) as c:
        use_chat(c, CannedService("¡Hola!"))
        assert c.post(PATH, data=params, headers=headers).status_code == 200
    pinned = signed.model_copy(update={"public_base_url": "https://api.topllantas.mx"})
    with TestClient(create_app(pinned, engine=engine)) as c:
        use_chat(c, CannedService("¡Hola!"))
        again = form("+5215590000009", "hola")
        headers["X-Twilio-Signature"] = signature(again, tunnel + PATH)
        assert c.post(PATH, data=again, headers=headers).status_code == 403
        assert post_signed(c, form("+5215590000009", "hola"), settings=pinned).status_code == 200


def test_a_form_that_is_not_a_whatsapp_message_is_rejected(
    wa: TestClient, signed: Settings
) -> None:
    params = form("+5215590000010", "hola")
    params["From"] = "+5215590000010"  # SMS, not WhatsApp
    r = post_signed(wa, params, settings=signed)
    assert r.status_code == 422 and r.json()["field"] == "From"
