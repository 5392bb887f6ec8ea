"""Outbound messages: written to the outbox first, then sent (Twilio WhatsApp/SMS, SMTP, or a log).

Rules applied here, not by callers: opted-out customers get nothing but replies to their own
messages (status ``blocked``); WhatsApp outside the 24-hour window since the customer last wrote
sends only an approved template (ContentSid + ContentVariables), inside it free text. With no
template configured for a kind, Twilio would refuse free text (63016), so the message is
recorded as failed; the local log sender (no credentials) takes the text instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from adapters.channels.senders import (
    Attachment,
    LogSender,
    Outgoing,
    Sender,
    SendError,
    build_senders,
)
from adapters.channels.twilio_whatsapp import split_bubbles
from core.errors import InvalidRequest
from core.settings import Settings
from db.engine import session_scope
from db.repositories import outbox as repo
from db.repositories.inbound import last_inbound_at
from db.repositories.outbox import OrderRecipient, OutboxPublic
from db.tables import Outbox
from domain.clock import utcnow
from domain.pricing import format_mxn
from domain.spanish import local_moment

log = logging.getLogger("topllantas.notifier")
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window (error 63016 outside it)
MARKETING_KINDS = frozenset({"promotion"})


@dataclass(frozen=True)
class Notice:
    """A notification kind: its free text and the variables its approved template takes, in
    template order ({{1}}, {{2}}, ...)."""

    text: str
    variables: tuple[str, ...]
    subject: str


# Messages that answer what the customer asked (the bot's reply, a technician's reply on their
# case): BAJA stops notifications, never the answer to their own question.
ANSWER_KINDS = frozenset({"reply", "case_reply"})
NOTICES: dict[str, Notice] = {
    "order_ready": Notice(
        "¡Hola, {name}! Tu pedido #{folio} ya está listo para recoger en {branch}. Te esperamos 🙂",
        ("name", "folio", "branch"),
        "Tu pedido está listo",
    ),
    "out_for_delivery": Notice(
        "¡Hola, {name}! Tu pedido #{folio} salió del almacén y va en camino 🚚. "
        "Te avisamos cuando llegue.",
        ("name", "folio"),
        "Tu pedido va en camino",
    ),
    "delivery_rescheduled": Notice(
        "Hola, {name}. Reprogramamos la entrega de tu pedido #{folio} para el {when}. "
        "Si no te queda, responde a este mensaje y lo ajustamos.",
        ("name", "folio", "when"),
        "Reprogramamos tu entrega",
    ),
    "payment_received": Notice(
        "¡Gracias, {name}! Recibimos tu pago de {amount} del pedido #{folio}.",
        ("name", "folio", "amount"),
        "Recibimos tu pago",
    ),
    "reservation_expiring": Notice(
        "Hola, {name}. El apartado de tu pedido #{folio} vence el {when}. "
        "Paga tu anticipo para no perder tus llantas.",
        ("name", "folio", "when"),
        "Tu apartado está por vencer",
    ),
}


class Notifier:
    """Queues and sends outbound messages through the outbox."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        senders: Mapping[str, Sender] | None = None,
        *,
        attempts: int = 3,
        max_wait_s: float = 2.0,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.senders = dict(senders) if senders is not None else build_senders(settings)
        self.attempts = attempts
        self.max_wait_s = max_wait_s

    def send_reply(self, *, phone: str, text: str, customer_id: int | None) -> list[OutboxPublic]:
        """A conversation reply over WhatsApp (the customer just wrote: inside the window)."""
        with session_scope(self.engine, write=True) as session:
            ids = [
                repo.queue_message(
                    session, kind="reply", channel="whatsapp", to=phone,
                    customer_id=customer_id, body=bubble,
                ).id
                for bubble in split_bubbles(text)
            ]  # fmt: skip
        return [self.deliver(i) for i in ids if i is not None]

    def notify_order(
        self,
        folio: str,
        kind: str,
        *,
        channel: Literal["whatsapp", "sms", "email"] = "whatsapp",
        variables: Mapping[str, str] | None = None,
        actor: str = "system:notifier",
    ) -> OutboxPublic:
        """Queue a notification about an order for its customer, then send it."""
        notice = NOTICES.get(kind)
        if notice is None:
            raise InvalidRequest(f"unknown notification kind {kind!r}; one of {sorted(NOTICES)}")
        with session_scope(self.engine, write=True) as session:
            who = repo.order_recipient(session, folio)
            values = {**order_variables(who), **(variables or {})}
            missing = [v for v in notice.variables if not values.get(v)]
            if missing:
                raise InvalidRequest(f"{kind} needs {', '.join(missing)}", field=missing[0])
            to = who.email if channel == "email" else who.phone
            if not to:
                raise InvalidRequest(f"the customer of {folio} has no {channel} address")
            row = self._queue(
                session, kind=kind, channel=channel, to=to, customer_id=who.customer_id,
                order_id=who.order_id, notice=notice, values=values,
            )  # fmt: skip
            repo.audit_notification(session, row, actor=actor)
            row_id = row.id
        assert row_id is not None
        return self.deliver(row_id)

    def _queue(
        self,
        session: Session,
        *,
        kind: str,
        channel: str,
        to: str,
        customer_id: int | None,
        order_id: int | None,
        notice: Notice,
        values: Mapping[str, str],
    ) -> Outbox:
        common: dict[str, Any] = {
            "kind": kind, "channel": channel, "to": to, "customer_id": customer_id,
            "order_id": order_id, "subject": notice.subject if channel == "email" else None,
        }  # fmt: skip
        text = notice.text.format(**values)
        if self._blocked(session, kind, customer_id, to):
            return repo.queue_message(
                session, body=text, status="blocked", error="opted out (BAJA)", **common
            )
        if channel != "whatsapp" or self._in_window(session, to):
            return repo.queue_message(session, body=text, **common)
        content_sid = self.settings.twilio.templates.get(kind)
        if not content_sid and isinstance(self.senders.get("whatsapp"), LogSender):
            return repo.queue_message(session, body=text, **common)  # a laptop: nothing to refuse
        if not content_sid:
            return repo.queue_message(
                session, body=text, status="failed",
                error=f"outside the 24-hour window and no approved template for {kind} "
                "(TOPLLANTAS_TWILIO__TEMPLATES)", **common,
            )  # fmt: skip
        variables = {str(n): values[v] for n, v in enumerate(notice.variables, start=1)}
        return repo.queue_message(
            session, content_sid=content_sid, content_variables=variables, **common
        )

    def _in_window(self, session: Session, phone: str) -> bool:
        last = last_inbound_at(session, phone)
        return last is not None and utcnow() - last < WINDOW

    @staticmethod
    def _blocked(session: Session, kind: str, customer_id: int | None, to: str) -> bool:
        if kind in ANSWER_KINDS:
            return False  # an answer to the customer's own message is not a notification
        consent = repo.consents(session, customer_id=customer_id, to=to)
        if consent is None:
            return False
        notifications, marketing = consent
        return not (marketing if kind in MARKETING_KINDS else notifications)

    def deliver(self, outbox_id: int) -> OutboxPublic:
        """Send a queued message with bounded, jittered retries; record the outcome."""
        with session_scope(self.engine, write=True) as session:
            row = repo.get_outbox(session, outbox_id)
            if not repo.claim_for_sending(session, outbox_id):
                return repo.outbox_public(row)  # already sent, blocked, failed, or being sent
            blocked = self._blocked(session, row.kind, row.customer_id, row.to)
            # Messages queued as free text elsewhere (a technician's reply, a survey, an
            # appointment reminder): outside WhatsApp's 24-hour window only an approved template
            # may go, with the text as its variable.
            outside = (
                row.channel == "whatsapp"
                and row.content_sid is None
                and row.kind not in NOTICES  # notices chose their template when queued
                and not self._in_window(session, row.to)
            )
            template = self.settings.twilio.templates.get(row.kind) if outside else None
            files = (
                tuple(
                    Attachment(a.filename, a.media_type, a.content)
                    for a in repo.attachments(session, outbox_id)
                )
                if row.channel == "email"
                else ()
            )
            outgoing = Outgoing(
                channel=row.channel, to=row.to, subject=row.subject,
                body=None if template else row.body,
                content_sid=template or row.content_sid,
                # a kind whose template takes several variables stored them with the text
                # (inventory_alert: domain.inventory_text.ALERT_TEMPLATE); others take the text
                content_variables=(row.content_variables or {"1": row.body or ""})
                if template
                else row.content_variables,
                attachments=files,
            )  # fmt: skip
        if blocked:
            return self._record(outbox_id, 0, "blocked", error="opted out (BAJA)")
        sender = self.senders.get(outgoing.channel)
        if sender is None:
            return self._record(outbox_id, 0, "failed", error=f"no sender for {outgoing.channel}")
        if outside and template is None and not isinstance(sender, LogSender):
            return self._record(
                outbox_id, 0, "failed",
                error=f"outside the 24-hour window and no approved template for {row.kind} "
                "(TOPLLANTAS_TWILIO__TEMPLATES)",
            )  # fmt: skip
        tries = 0
        try:
            for attempt in Retrying(
                stop=stop_after_attempt(self.attempts),
                wait=wait_random_exponential(multiplier=0.2, max=self.max_wait_s),
                retry=retry_if_exception(lambda e: isinstance(e, SendError) and e.transient),
                reraise=True,
            ):
                with attempt:
                    tries += 1
                    sent = sender.send(outgoing)
        except SendError as exc:
            log.warning("outbox %s to %s failed: %s", outbox_id, outgoing.to, exc)
            return self._record(outbox_id, tries, "failed", error=str(exc))
        return self._record(outbox_id, tries, "sent", provider_sid=sent.provider_sid)

    def _record(
        self,
        outbox_id: int,
        tries: int,
        status: str,
        *,
        provider_sid: str | None = None,
        error: str | None = None,
    ) -> OutboxPublic:
        with session_scope(self.engine, write=True) as session:
            row = repo.mark_attempt(
                session, outbox_id, attempts=tries, status=status,
                provider_sid=provider_sid, error=error,
            )  # fmt: skip
            return repo.outbox_public(row)

    def deliver_queued(self) -> int:
        """Send what was written but never sent (a crash between the two). Returns the count."""
        with session_scope(self.engine) as session:
            ids = repo.queued_ids(session)
        return sum(1 for i in ids if self.deliver(i).status == "sent")


def order_variables(who: OrderRecipient) -> dict[str, str]:
    """The template variables an order provides."""
    when = who.hold_until if who.status in ("reserved", "quote") else who.delivery_window
    return {
        "name": who.name.split()[0] if who.name.split() else "cliente",
        "folio": who.folio,
        "branch": who.branch,
        "amount": format_mxn(who.deposit_cents or who.total_cents),
        "when": local_moment(when) if when else "",
    }
