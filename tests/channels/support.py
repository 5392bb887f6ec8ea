"""Helpers for the WhatsApp tests: Twilio-signed webhook requests and settings with Twilio."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from api.deps import container_of, get_chat_service
from conversation.service import ChatService
from core.settings import Settings, TwilioSettings
from db.tables import ChatSession, Customer, InboundMessage, Interaction

TOKEN = "test-twilio-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "1" * 32
SANDBOX = "whatsapp:+14155238886"
PATH = "/webhooks/twilio/whatsapp"
STATUS_PATH = "/webhooks/twilio/status"


def with_twilio(settings: Settings, **twilio: Any) -> Settings:
    """The test settings with a Twilio account (auth token TOKEN unless overridden). Its REST
    API is a closed local port unless a test passes its fake's URL: no test reaches the
    internet, and a send fails at once instead of waiting on a resolver."""
    values: dict[str, Any] = {
        "account_sid": ACCOUNT, "auth_token": TOKEN, "whatsapp_from": SANDBOX,
        "api_base_url": "http://127.0.0.1:9",
    }  # fmt: skip
    return settings.model_copy(update={"twilio": TwilioSettings(**{**values, **twilio})})


def form(
    phone: str, body: str, *, sid: str | None = None, name: str = "Juan Pérez", **extra: str
) -> dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message."""
    sid = sid or "SM" + secrets.token_hex(16)
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": name, "MessageType": "text",
        "SmsSid": sid, "WaId": phone.lstrip("+"), "SmsStatus": "received", "Body": body,
        "To": SANDBOX, "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": ACCOUNT, "From": f"whatsapp:{phone}", "ApiVersion": "2010-04-01", **extra,
    }  # fmt: skip


def signature(params: dict[str, str], url: str, token: str = TOKEN) -> str:
    """X-Twilio-Signature exactly as Twilio computes it."""
    return str(RequestValidator(token).compute_signature(url, params))


def post_signed(
    client: TestClient,
    params: dict[str, str],
    *,
    settings: Settings,
    path: str = PATH,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST the form signed for TOPLLANTAS_PUBLIC_BASE_URL + path (unsigned without a token)."""
    url = settings.public_base_url.rstrip("/") + path
    sent = dict(headers or {})
    if token is not None:
        sent["X-Twilio-Signature"] = signature(params, url, token)
    return client.post(path, data=params, headers=sent)


def counts(engine: Engine) -> dict[str, int]:
    """Rows that a processed message writes."""
    with Session(engine) as s:
        return {
            t.__name__: s.exec(select(sa.func.count()).select_from(t)).one()
            for t in (Customer, ChatSession, Interaction, InboundMessage)
        }


def session_of(engine: Engine, phone: str) -> ChatSession:
    """The WhatsApp conversation of a number."""
    with Session(engine) as s:
        return s.exec(select(ChatSession).where(ChatSession.owner == f"wa:{phone}")).one()


def use_chat(client: TestClient, service: Any) -> None:
    """Answer the app's chat turns with ``service`` (a stand-in with ``run_turn``)."""
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[get_chat_service] = lambda: service


def chat_service_of(client: TestClient) -> ChatService:
    """The chat service the app started with."""
    app = client.app
    assert isinstance(app, FastAPI)
    return container_of(app).chat
