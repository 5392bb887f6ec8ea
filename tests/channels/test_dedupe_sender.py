"""Webhook dedupe is bound to the sender: a MessageSid or idempotency token of one number never
returns another number's stored reply (issue 13 #6). Real signatures, the real app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.channels.twilio_whatsapp import parse_twiml
from api.app import create_app
from conversation.service import TurnResult
from core.settings import AuthSettings, Settings
from db.tables import InboundMessage
from tests.channels.support import counts, form, post_signed, signature, use_chat, with_twilio

IDEMPOTENCY = "I-Twilio-Idempotency-Token"
VICTIM = "+5215590000101"
ATTACKER = "+5215590000102"


class NumberedService:
    """Answers each turn with its number and the speaker's conversation: who got whose reply."""

    def __init__(self) -> None:
        self.turns = 0

    def run_turn(self, chat: Any, text: str, **_: Any) -> TurnResult:
        self.turns += 1
        return TurnResult(reply=f"respuesta {self.turns} para {chat.owner}", agent="sales")


@pytest.fixture
def signed(settings: Settings) -> Settings:
    return with_twilio(settings, reply_budget_seconds=14)


@pytest.fixture
def wa(signed: Settings, engine: Engine) -> Iterator[tuple[TestClient, NumberedService]]:
    service = NumberedService()
    with TestClient(create_app(signed, engine=engine)) as client:
        use_chat(client, service)
        yield client, service


def _first_reply(wa: tuple[TestClient, NumberedService], signed: Settings) -> tuple[str, str]:
    client, _ = wa
    sid = "SM" + "a" * 32
    r = post_signed(
        client, form(VICTIM, "mi pedido", sid=sid), settings=signed,
        headers={IDEMPOTENCY: "tok-victim"},
    )  # fmt: skip
    assert r.status_code == 200
    assert parse_twiml(r.text) == [f"respuesta 1 para wa:{VICTIM}"]
    return sid, r.text


def test_the_same_sid_re_signed_with_another_number_gets_nothing_of_the_first(
    wa: tuple[TestClient, NumberedService], signed: Settings, engine: Engine
) -> None:
    client, service = wa
    sid, victim_reply = _first_reply(wa, signed)
    before = counts(engine)
    r = post_signed(client, form(ATTACKER, "mi pedido", sid=sid), settings=signed)
    assert r.status_code == 409 and r.json()["field"] == "MessageSid", r.text
    assert VICTIM not in r.text and "respuesta 1" not in r.text
    assert counts(engine) == before and service.turns == 1
    # The real retry (same sid, same number) still gets its stored reply, without a turn.
    again = post_signed(client, form(VICTIM, "mi pedido", sid=sid), settings=signed)
    assert again.text == victim_reply and service.turns == 1


def test_another_messages_idempotency_token_does_not_replay_its_reply(
    wa: tuple[TestClient, NumberedService], signed: Settings, engine: Engine
) -> None:
    client, service = wa
    _, victim_reply = _first_reply(wa, signed)
    # A new sid from another number carrying the victim's token: a message of its own.
    r = post_signed(
        client, form(ATTACKER, "mi pedido"), settings=signed, headers={IDEMPOTENCY: "tok-victim"}
    )
    assert r.status_code == 200 and r.text != victim_reply
    assert parse_twiml(r.text) == [f"respuesta 2 para wa:{ATTACKER}"]
    # The same number with a new sid and the old token: also a new message (the token counts
    # only together with the same sid and sender).
    same = post_signed(
        client, form(VICTIM, "otra cosa"), settings=signed, headers={IDEMPOTENCY: "tok-victim"}
    )
    assert parse_twiml(same.text) == [f"respuesta 3 para wa:{VICTIM}"]
    assert service.turns == 3
    with Session(engine) as s:
        holders = s.exec(
            select(InboundMessage).where(InboundMessage.idempotency_token == "tok-victim")
        ).all()
    assert [m.phone for m in holders] == [VICTIM]


def test_production_never_trusts_forwarded_hosts_for_signatures(
    signed: Settings, engine: Engine
) -> None:
    prod = signed.model_copy(
        update={
            "environment": "production",
            "auth": AuthSettings(secret_key=SecretStr("p" * 40), key_cache_seconds=0),
        }
    )
    # model_copy skips validation: the public URL is left unset here on purpose, to show the
    # webhook alone does not fall back to forwarded headers in production.
    assert "public_base_url" not in prod.model_fields_set
    params = form(ATTACKER, "hola")
    forged_host = "https://evil.example"
    headers = {
        "X-Twilio-Signature": signature(params, forged_host + "/webhooks/twilio/whatsapp"),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
    }
    with TestClient(create_app(prod, engine=engine)) as c:
        use_chat(c, NumberedService())
        before = counts(engine)
        assert c.post("/webhooks/twilio/whatsapp", data=params, headers=headers).status_code == 403
        assert counts(engine) == before
