"""Twilio webhooks: customers' WhatsApp messages and the delivery status of ours.

A message is answered in the webhook's TwiML when its turn ends within the reply budget;
otherwise Twilio gets an empty TwiML at once and the reply follows through the outbox (REST).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine

from adapters.channels.notifier import Notifier
from adapters.channels.twilio_whatsapp import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    WhatsAppInbound,
    parse_inbound,
    signature_ok,
    split_bubbles,
    twiml,
)
from api.deps import run_write
from api.routes.chat import _service
from conversation.service import ChatService
from core.errors import InvalidRequest, PermissionDenied
from core.settings import Settings
from db.engine import session_scope
from db.repositories.inbound import (
    Claim,
    InboundFields,
    claim_inbound,
    conversation_lock,
    defer_inbound,
    finish_inbound,
    inbound_state,
)
from db.repositories.outbox import apply_provider_status

router = APIRouter(tags=["whatsapp"])
log = logging.getLogger("topllantas.whatsapp")

APOLOGY = "Perdón, tuve un problema para responderte 😓 ¿Me lo repites en un momento, por favor?"
OPTED_OUT = (
    "Listo, ya no te enviaremos avisos ni promociones por WhatsApp. "
    "Si quieres volver a recibirlos, escribe ALTA."
)
OPTED_IN = (
    "¡Listo! Volverás a recibir por WhatsApp los avisos de tus pedidos. "
    "Si quieres dejar de recibirlos, escribe BAJA."
)
POLL_S = 0.05


class WhatsAppDesk:
    """Runs WhatsApp turns on its own threads, so a slow one can outlive its webhook request."""

    def __init__(
        self, engine: Engine, settings: Settings, notifier: Notifier, resources: ExitStack
    ) -> None:
        self.engine = engine
        self.notifier = notifier
        self.budget_s = settings.twilio.reply_budget_seconds
        self._resources = resources
        self._executor: ThreadPoolExecutor | None = None
        self._guard = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        """The turn threads, made with the first turn, after the chat service started; so at
        shutdown (LIFO) they finish their turns and send their replies before it closes."""
        with self._guard:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="whatsapp")
                self._resources.callback(self._executor.shutdown, wait=True)
            return self._executor

    async def handle(
        self, msg: WhatsAppInbound, token: str | None, service: ChatService | None
    ) -> str | None:
        """The reply for the webhook's TwiML, or None when it will come through the outbox.
        ``service`` may be None only for BAJA/ALTA, which need no turn."""
        change = msg.opt_change
        fields = InboundFields(
            provider_sid=msg.message_sid,
            phone=msg.phone,
            profile_name=msg.profile_name,
            body=msg.body,
            idempotency_token=token,
            button_payload=msg.button_payload or None,
            latitude=msg.latitude,
            longitude=msg.longitude,
            media=[(m.url, m.content_type) for m in msg.media],
        )
        reply_now = None if change is None else (OPTED_IN if change else OPTED_OUT)
        claim = await anyio.to_thread.run_sync(
            partial(claim_inbound, self.engine, fields, reply_now=reply_now, consent=change)
        )
        if claim.duplicate:
            return await self._replay(claim)
        if claim.status == "replied" or service is None:
            return claim.reply
        future = self.executor().submit(self._turn, service, claim, msg.agent_text(), msg.phone)
        try:
            reply, via = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), self.budget_s
            )
        except TimeoutError:
            return await anyio.to_thread.run_sync(defer_inbound, self.engine, claim.inbound_id)
        return reply if via == "replied" else None

    def _turn(self, service: ChatService, claim: Claim, text: str, phone: str) -> tuple[str, str]:
        # Everything up to the reply leaving happens under the number's lock, so replies go
        # out in the order the customer wrote, whichever path (TwiML or REST) they take.
        with conversation_lock(self.engine, phone):
            try:
                reply = service.run_turn(claim.chat, text).reply
            except Exception:  # the customer gets an apology, never silence
                log.exception("WhatsApp turn failed for inbound %s", claim.inbound_id)
                reply = APOLOGY
            via = finish_inbound(self.engine, claim.inbound_id, reply)
            if via == "queued":
                self.notifier.send_reply(phone=phone, text=reply, customer_id=claim.customer_id)
        return reply, via

    async def _replay(self, claim: Claim) -> str | None:
        """A retried webhook: the stored reply again, never a second turn."""
        status, reply = claim.status, claim.reply
        deadline = asyncio.get_running_loop().time() + self.budget_s
        while status == "processing" and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(POLL_S)
            status, reply = await anyio.to_thread.run_sync(
                inbound_state, self.engine, claim.inbound_id
            )
        if status == "replied":
            return reply
        if status == "processing":
            return await anyio.to_thread.run_sync(defer_inbound, self.engine, claim.inbound_id)
        return None  # deferred or queued: the reply goes (or went) through the REST API


def notifier_of(request: Request) -> Notifier:
    """The app's notifier (outbox senders from settings; made by create_app)."""
    notifier: Notifier = request.app.state.notifier
    return notifier


def _desk(request: Request) -> WhatsAppDesk:
    state = request.app.state
    desk: WhatsAppDesk | None = getattr(state, "whatsapp", None)
    if desk is None:
        notifier = notifier_of(request)
        with state.chat_lock:
            desk = getattr(state, "whatsapp", None)
            if desk is None:
                desk = WhatsAppDesk(state.engine, state.settings, notifier, state.chat_resources)
                state.whatsapp = desk
    return desk


def webhook_urls(request: Request, settings: Settings) -> list[str]:
    """The URLs Twilio may have signed: TOPLLANTAS_PUBLIC_BASE_URL + path + query; when that
    setting is left at its default, also the URL as the request arrived, rebuilt from
    X-Forwarded-Proto / X-Forwarded-Host (a tunnel such as ngrok on a laptop)."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    urls = [settings.public_base_url.rstrip("/") + path]
    if "public_base_url" not in settings.model_fields_set:
        headers = request.headers
        proto = headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
        host = headers.get("x-forwarded-host") or headers.get("host") or request.url.netloc
        urls.append(f"{proto}://{host.split(',')[0].strip()}{path}")
    return urls


async def _signed_form(request: Request) -> dict[str, str]:
    """The POST parameters, after checking Twilio's signature over all of them.

    Raises:
        PermissionDenied: bad or missing signature (nothing is read or written after it).
    """
    form = await request.form()
    params = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    settings: Settings = request.app.state.settings
    token = settings.twilio.auth_token
    if token is None:
        if settings.environment == "production":
            raise PermissionDenied(
                "TOPLLANTAS_TWILIO__AUTH_TOKEN is not set", field=SIGNATURE_HEADER
            )
        if not getattr(request.app.state, "twilio_unsigned_warned", False):
            request.app.state.twilio_unsigned_warned = True
            log.warning(
                "TOPLLANTAS_TWILIO__AUTH_TOKEN is not set: Twilio webhooks are accepted unsigned"
            )
        return params
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature_ok(
        token.get_secret_value(), webhook_urls(request, settings), params, signature
    ):
        raise PermissionDenied(f"bad or missing {SIGNATURE_HEADER}", field=SIGNATURE_HEADER)
    return params


def _twiml(messages: list[str]) -> Response:
    return Response(twiml(messages), media_type="application/xml")


@router.post("/webhooks/twilio/whatsapp", response_class=Response, summary="Twilio WhatsApp")
async def whatsapp_webhook(request: Request) -> Response:
    """Twilio's incoming-message webhook (form-encoded, signed with ``X-Twilio-Signature``).

    Answers TwiML: the agents' reply in ``<Message>`` bubbles, or an empty ``<Response/>`` when
    the reply will follow through the REST API. A retried delivery (same ``MessageSid`` or
    ``I-Twilio-Idempotency-Token``) gets the stored reply; it never runs a second turn."""
    params = await _signed_form(request)
    msg = parse_inbound(params)
    # The chat engine starts before the reply budget runs (its start is not the turn's time);
    # BAJA/ALTA need no engine at all.
    service = None
    if msg.opt_change is None:
        service = await anyio.to_thread.run_sync(_service, request)
    desk = await anyio.to_thread.run_sync(_desk, request)
    reply = await desk.handle(msg, request.headers.get(IDEMPOTENCY_HEADER), service)
    return _twiml(split_bubbles(reply) if reply else [])


@router.post("/webhooks/twilio/status", status_code=204, summary="Twilio message status")
async def status_webhook(request: Request) -> Response:
    """Twilio's status callback for our messages (signed like the message webhook): moves the
    outbox row to sent, delivered, read, failed or undelivered (never backwards)."""
    params = await _signed_form(request)
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = params.get("MessageStatus") or params.get("SmsStatus")
    if not sid or not status:
        raise InvalidRequest("MessageSid and MessageStatus are required", field="MessageStatus")
    engine: Engine = request.app.state.engine

    def apply() -> None:
        with session_scope(engine, write=True) as session:
            apply_provider_status(session, sid, status, params.get("ErrorCode") or None)

    await run_write(request, apply)
    return Response(status_code=204)
