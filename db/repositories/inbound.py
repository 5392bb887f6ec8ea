"""Inbound WhatsApp messages: deduplicated claims, per-number conversations, consent, ordering."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.errors import Conflict
from db.engine import CLAIM_LOCK, TURN_LOCK, advisory_xact_lock, session_scope
from db.repositories.audit import record
from db.repositories.chat import customer_by_phone, start_session
from db.repositories.crm import claim_for_its_owner
from db.repositories.outbox import queue_message
from db.tables import ChatSession, Customer, InboundMedia, InboundMessage
from domain.clock import as_utc, utcnow

# A WhatsApp conversation is one chat session per number; after this much silence the next
# message starts a fresh one (same customer, empty dialogue state). It matches WhatsApp's own
# 24-hour customer-service window.
SESSION_IDLE = timedelta(hours=24)


@dataclass
class InboundFields:
    """What the webhook carried, already validated."""

    provider_sid: str
    phone: str
    profile_name: str = ""
    body: str = ""
    idempotency_token: str | None = None
    button_payload: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media: list[tuple[str, str]] = field(default_factory=list)  # (url, content type)
    turn_text: str | None = None  # what the agents read (kept to run the turn again)


@dataclass
class Claim:
    """A message taken for processing, or the earlier copy of a retried one."""

    inbound_id: int
    duplicate: bool
    status: str
    reply: str | None
    chat: ChatSession
    customer_id: int | None


def owner_of(phone: str) -> str:
    """The chat-session owner of a WhatsApp number."""
    return f"wa:{phone}"


_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


@contextmanager
def conversation_lock(engine: Engine, phone: str) -> Iterator[None]:
    """Serialise the turns of one number: a thread lock in this process and, on PostgreSQL, a
    transaction-scoped advisory lock so several API workers also take turns. The SQLite
    embedded default runs one process, where the thread lock is enough."""
    with _LOCAL_GUARD:
        local = _LOCAL_LOCKS.setdefault(phone, threading.Lock())
    with local:
        if engine.dialect.name != "postgresql":
            yield
            return
        with engine.connect() as conn, conn.begin():
            advisory_xact_lock(conn, TURN_LOCK, phone)
            yield


def find_inbound(session: Session, provider_sid: str, phone: str) -> InboundMessage | None:
    """An earlier delivery of the same message: the same MessageSid from the same sender.

    The idempotency token is not a key of its own (the signature does not cover it): a retry
    carries the same sid and sender anyway, so it is a duplicate with or without the token.

    Raises:
        Conflict: the sid was already received from another number (a replay re-signed with
            another ``From``); nothing of the first message is returned.
    """
    earlier = session.exec(
        select(InboundMessage).where(col(InboundMessage.provider_sid) == provider_sid)
    ).first()
    if earlier is not None and earlier.phone != phone:
        raise Conflict("MessageSid was already received from another number", field="MessageSid")
    return earlier


def _token_free(session: Session, token: str | None) -> str | None:
    """The idempotency token to store: None when another message already holds it."""
    if not token:
        return None
    taken = session.exec(
        select(InboundMessage.id).where(col(InboundMessage.idempotency_token) == token)
    ).first()
    return None if taken is not None else token


def whatsapp_session(
    session: Session, phone: str, customer_id: int | None, *, now: datetime | None = None
) -> ChatSession:
    """The number's conversation: the latest one unless it has been silent for SESSION_IDLE."""
    now = now or utcnow()
    latest = session.exec(
        select(ChatSession)
        .where(ChatSession.owner == owner_of(phone), ChatSession.channel == "whatsapp")
        .order_by(col(ChatSession.updated_at).desc())
    ).first()
    if latest is not None and now - as_utc(latest.updated_at) < SESSION_IDLE:
        return latest
    return start_session(
        session, owner=owner_of(phone), role="customer", channel="whatsapp", customer_id=customer_id
    )


def claim_inbound(
    engine: Engine,
    fields: InboundFields,
    *,
    reply_now: str | None = None,
    consent: bool | None = None,
    lease: tuple[str, float] | None = None,
) -> Claim:
    """Record a message once and bind it to its customer and conversation.

    A retried webhook (same sid or token) returns the first claim with ``duplicate=True``.
    ``consent`` (False = BAJA, True = ALTA) changes the customer's flags in the same
    transaction, and ``reply_now`` stores the answer at once (no turn runs for it).
    ``lease`` (owner, seconds): the worker that will run the turn holds the message that long
    (renewed while the turn runs; see db.repositories.inbound_leases).
    """
    for _ in range(2):
        try:
            with session_scope(engine, write=True) as session:
                advisory_xact_lock(session, CLAIM_LOCK, fields.phone)
                earlier = find_inbound(session, fields.provider_sid, fields.phone)
                if earlier is not None:
                    chat = session.get(ChatSession, earlier.session_id or "")
                    assert chat is not None
                    return Claim(
                        earlier.id or 0, True, earlier.status, earlier.reply, chat,
                        earlier.customer_id,
                    )  # fmt: skip
                fields.idempotency_token = _token_free(session, fields.idempotency_token)
                return _claim(session, fields, reply_now=reply_now, consent=consent, lease=lease)
        except sa.exc.IntegrityError:
            continue  # a concurrent copy of this message (or first contact) won: look again
    raise RuntimeError(f"could not claim inbound message {fields.provider_sid}")


def _claim(
    session: Session,
    fields: InboundFields,
    *,
    reply_now: str | None,
    consent: bool | None,
    lease: tuple[str, float] | None = None,
) -> Claim:
    actor = owner_of(fields.phone)
    name = (fields.profile_name or "Cliente WhatsApp")[:120]
    customer = customer_by_phone(session, fields.phone, name=name, actor=actor)
    claim_for_its_owner(session, customer, actor=actor)
    chat = whatsapp_session(session, fields.phone, customer.id)
    if consent is not None:
        set_consent(session, customer, subscribed=consent, actor=actor)
    now = utcnow()
    row = InboundMessage(
        provider_sid=fields.provider_sid,
        idempotency_token=fields.idempotency_token,
        phone=fields.phone,
        profile_name=fields.profile_name[:120],
        customer_id=customer.id,
        session_id=chat.id,
        body=fields.body,
        button_payload=(fields.button_payload or None) and fields.button_payload[:200],
        latitude=fields.latitude,
        longitude=fields.longitude,
        status="replied" if reply_now is not None else "processing",
        reply=reply_now,
        received_at=now,
        answered_at=now if reply_now is not None else None,
        turn_text=fields.turn_text,
    )
    if reply_now is None and lease is not None:
        owner, seconds = lease
        row.lease_owner, row.lease_until, row.attempts = owner, now + timedelta(seconds=seconds), 1
    session.add(row)
    session.flush()
    assert row.id is not None
    for n, (url, content_type) in enumerate(fields.media):
        session.add(
            InboundMedia(
                message_id=row.id, position=n, url=url[:500], content_type=content_type[:80]
            )
        )
    chat.updated_at = now  # the silence that ends a conversation counts from the last message
    session.add(chat)
    return Claim(row.id, False, row.status, reply_now, chat, customer.id)


def set_consent(session: Session, customer: Customer, *, subscribed: bool, actor: str) -> None:
    """BAJA stops notifications and marketing; ALTA turns notifications back on (marketing
    needs its own explicit consent). Audited."""
    before = {
        "notifications": customer.consent_notifications,
        "marketing": customer.consent_marketing,
    }
    customer.consent_notifications = subscribed
    if not subscribed:
        customer.consent_marketing = False
    session.add(customer)
    record(
        session,
        actor=actor,
        action="opt_in" if subscribed else "opt_out",
        entity="customer",
        entity_id=customer.id,
        before=before,
        channel="whatsapp",
    )


def finish_inbound(
    engine: Engine,
    inbound_id: int,
    reply: str,
    *,
    owner: str | None = None,
    bubbles: list[str] | None = None,
) -> tuple[str, list[int]]:
    """Store the turn's reply: ("replied", []) when the webhook is still waiting for it (TwiML);
    ("queued", outbox ids) when the webhook already gave up waiting: the reply's ``bubbles``
    are written to the outbox in the same transaction, so a crash before they are sent leaves
    them for the sweep, never a stored reply that nobody sends. ("lost", []) when ``owner`` no
    longer holds the message's lease (another worker took it over and answers it)."""
    now = utcnow()
    mine = col(InboundMessage.id) == inbound_id
    if owner is not None:
        mine = sa.and_(mine, col(InboundMessage.lease_owner) == owner)
    done_values = {"reply": reply, "answered_at": now, "lease_until": None}
    with session_scope(engine, write=True) as session:
        done = session.execute(
            sa.update(InboundMessage)
            .where(mine, col(InboundMessage.status) == "processing")
            .values(status="replied", **done_values)
        )
        if done.rowcount == 1:  # type: ignore[attr-defined]
            return "replied", []
        queued = session.execute(
            sa.update(InboundMessage)
            .where(mine, col(InboundMessage.status).in_(("processing", "deferred")))
            .values(status="queued", **done_values)
        )
        if queued.rowcount != 1:  # type: ignore[attr-defined]
            return "lost", []
        row = session.get(InboundMessage, inbound_id)
        assert row is not None
        ids = [
            queue_message(
                session, kind="reply", channel="whatsapp", to=row.phone,
                customer_id=row.customer_id, body=bubble,
            ).id
            for bubble in (bubbles if bubbles is not None else [reply])
        ]  # fmt: skip
        return "queued", [i for i in ids if i is not None]


def defer_inbound(engine: Engine, inbound_id: int) -> str | None:
    """The webhook stops waiting: None if the reply will go through the outbox, else the reply
    that was stored just in time (it goes back in the TwiML)."""
    with session_scope(engine, write=True) as session:
        moved = session.execute(
            sa.update(InboundMessage)
            .where(col(InboundMessage.id) == inbound_id, col(InboundMessage.status) == "processing")
            .values(status="deferred")
        )
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            return None
        row = session.get(InboundMessage, inbound_id)
        return row.reply if row is not None and row.status == "replied" else None


def inbound_state(engine: Engine, inbound_id: int) -> tuple[str, str | None]:
    """(status, stored reply) of a message."""
    with session_scope(engine) as session:
        row = session.get(InboundMessage, inbound_id)
        if row is None:
            return "missing", None
        return row.status, row.reply


def last_inbound_at(session: Session, phone: str) -> datetime | None:
    """When this number last wrote to us (opens WhatsApp's 24-hour window)."""
    at = session.exec(
        select(sa.func.max(InboundMessage.received_at)).where(InboundMessage.phone == phone)
    ).one()
    return as_utc(at) if at is not None else None
