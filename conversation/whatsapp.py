"""WhatsApp turns: claim the inbound message, run the turn, answer in TwiML or through the outbox.

A turn runs on the desk's own threads, so a slow one can outlive its webhook request: Twilio
gets an empty TwiML when the reply budget runs out and the reply follows through the REST API.

Crash recovery: the desk holds a renewed lease on each message whose turn it runs. A message
whose worker died (lease run out, or its process gone on this machine) is taken over by
``recover`` (start-up and the sweep: run again, reply through the outbox) or by Twilio's retry
of it (run again, reply in TwiML). A reply is stored with its outbox rows in one transaction,
so an answered message is never answered twice and a stored reply is never left unsent.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import anyio
from sqlalchemy.engine import Engine

from adapters.channels.notifier import Notifier
from adapters.channels.twilio_whatsapp import WhatsAppInbound, split_bubbles
from conversation.leases import LeaseKeeper, new_owner, owner_alive
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
from db.repositories.inbound_leases import TakenOver, orphaned_inbound, take_over
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
        self.lease_s = settings.recovery.lease_seconds
        self.max_attempts = settings.recovery.max_attempts
        self.owner = new_owner()
        self._keeper = LeaseKeeper(engine, self.owner, self.lease_s)

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
        self._keeper.stop()

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
            turn_text=msg.agent_text(),
        )
        reply_now = None if change is None else (OPTED_IN if change else OPTED_OUT)
        claim = await anyio.to_thread.run_sync(
            partial(
                claim_inbound, self.engine, fields, reply_now=reply_now, consent=change,
                lease=(self.owner, self.lease_s),
            )
        )  # fmt: skip
        if claim.duplicate:
            return await self._replay(claim, service)
        if claim.status == "replied":  # BAJA/ALTA: answered without a turn
            return claim.reply
        turn = TakenOver(
            claim.inbound_id, 1, msg.agent_text(), msg.phone, claim.chat, claim.customer_id
        )
        return await self._answer(service, turn)

    async def _answer(self, service: ChatService, turn: TakenOver) -> str | None:
        """Run the turn; its reply if it ends within the budget, else None (the outbox)."""
        future = self._executor.submit(self._turn, service, turn)
        try:
            reply, via = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), self.budget_s
            )
        except TimeoutError:
            return await anyio.to_thread.run_sync(defer_inbound, self.engine, turn.inbound_id)
        return reply if via == "replied" else None

    def _turn(self, service: ChatService, turn: TakenOver) -> tuple[str, str]:
        # Everything up to the reply leaving happens under the number's lock, so replies go
        # out in the order the customer wrote, whichever path (TwiML or REST) they take.
        # The file lock keeps that order across `serve --workers N` processes on SQLite too.
        phone = turn.phone
        with self.locks.hold(f"whatsapp:{phone}"), conversation_lock(self.engine, phone):
            if turn.attempts > self.max_attempts:  # it killed its worker every time
                log.error("inbound %s failed %d runs", turn.inbound_id, turn.attempts - 1)
                reply = TROUBLE_REPLY
            else:
                try:
                    reply = service.run_turn(turn.chat, turn.text).reply
                except Exception:  # the customer gets an apology, never silence
                    log.exception("WhatsApp turn failed for inbound %s", turn.inbound_id)
                    reply = TROUBLE_REPLY
            via, outbox_ids = finish_inbound(
                self.engine, turn.inbound_id, reply, owner=self.owner,
                bubbles=split_bubbles(reply),
            )  # fmt: skip
            for outbox_id in outbox_ids:
                self.notifier.deliver(outbox_id)
        return reply, via

    def _take_over(self, inbound_id: int, *, waiting: bool) -> TakenOver | None:
        return take_over(
            self.engine, inbound_id, self.owner, self.lease_s, owner_alive, waiting=waiting
        )

    def recover(self, service: ChatService) -> int:
        """Run again the messages whose worker died (their replies go through the outbox).
        Start-up and the sweep call this; the turns run on the desk's threads. Returns how
        many were taken over."""
        taken = 0
        for inbound_id in orphaned_inbound(self.engine, owner_alive):
            turn = self._take_over(inbound_id, waiting=False)
            if turn is not None:
                log.warning("re-running inbound %s (attempt %d)", inbound_id, turn.attempts)
                self._executor.submit(self._turn, service, turn)
                taken += 1
        return taken

    async def _replay(self, claim: Claim, service: ChatService) -> str | None:
        """A retried webhook: the stored reply again, never a second turn; unless the turn's
        worker died, in which case this request runs it (and answers in TwiML if in time)."""
        status, reply = claim.status, claim.reply
        deadline = asyncio.get_running_loop().time() + self.budget_s
        while status in ("processing", "deferred"):
            turn = await anyio.to_thread.run_sync(
                partial(self._take_over, claim.inbound_id, waiting=True)
            )
            if turn is not None:
                log.warning(
                    "Twilio retried inbound %s whose turn died: running it", turn.inbound_id
                )
                return await self._answer(service, turn)
            if status == "deferred" or asyncio.get_running_loop().time() >= deadline:
                break
            await asyncio.sleep(POLL_S)
            status, reply = await anyio.to_thread.run_sync(
                inbound_state, self.engine, claim.inbound_id
            )
        if status == "replied":
            return reply
        if status == "processing":
            return await anyio.to_thread.run_sync(defer_inbound, self.engine, claim.inbound_id)
        return None  # deferred or queued: the reply goes (or went) through the REST API
