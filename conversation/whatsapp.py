"""WhatsApp turns: claim the inbound message, run the turn, answer in TwiML or through the outbox.

A turn runs on the desk's own threads, so a slow one can outlive its webhook request: Twilio
gets an empty TwiML when the reply budget runs out and the reply follows through the REST API.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import anyio
from sqlalchemy.engine import Engine

from adapters.channels.notifier import Notifier
from adapters.channels.twilio_whatsapp import WhatsAppInbound
from conversation.locks import ConversationLocks
from conversation.service import ChatService
from core.settings import Settings
from db.repositories.inbound import (
    Claim,
    InboundFields,
    claim_inbound,
    conversation_lock,
    defer_inbound,
    finish_inbound,
    inbound_state,
)
from domain.messages import OPTED_IN, OPTED_OUT, TROUBLE_REPLY

log = logging.getLogger("topllantas.whatsapp")

POLL_S = 0.05


class WhatsAppDesk:
    """Runs WhatsApp turns on its own threads; ``close`` lets running turns send their replies."""

    def __init__(self, engine: Engine, settings: Settings, notifier: Notifier) -> None:
        self.engine = engine
        self.notifier = notifier
        self.budget_s = settings.twilio.reply_budget_seconds
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="whatsapp")
        self.locks = ConversationLocks(settings.data_dir / "locks")
        self._warned_unsigned = False

    def warn_unsigned(self) -> None:
        """Log once that webhooks arrive unsigned (no Twilio auth token outside production)."""
        if not self._warned_unsigned:
            self._warned_unsigned = True
            log.warning(
                "TOPLLANTAS_TWILIO__AUTH_TOKEN is not set: Twilio webhooks are accepted unsigned"
            )

    def close(self) -> None:
        """Wait for the turns in flight (before the chat service they use closes)."""
        self._executor.shutdown(wait=True)

    async def handle(
        self, msg: WhatsAppInbound, token: str | None, service: ChatService
    ) -> str | None:
        """The reply for the webhook's TwiML, or None when it will come through the outbox."""
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
        if claim.status == "replied":  # BAJA/ALTA: answered without a turn
            return claim.reply
        future = self._executor.submit(self._turn, service, claim, msg.agent_text(), msg.phone)
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
        # The file lock keeps that order across `serve --workers N` processes on SQLite too.
        with self.locks.hold(f"whatsapp:{phone}"), conversation_lock(self.engine, phone):
            try:
                reply = service.run_turn(claim.chat, text).reply
            except Exception:  # the customer gets an apology, never silence
                log.exception("WhatsApp turn failed for inbound %s", claim.inbound_id)
                reply = TROUBLE_REPLY
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
