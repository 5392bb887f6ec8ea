"""Leases on inbound messages: a turn's worker holds its message until ``lease_until`` and
renews it while the turn runs; a message whose lease ran out (or whose worker is known dead)
is taken over, once, by whoever asks first (the sweep or Twilio's retry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from db.engine import session_scope
from db.tables import ChatSession, InboundMessage
from domain.clock import as_utc, utcnow

OPEN = ("processing", "deferred")  # a turn runs (or ran and died) for these


@dataclass
class TakenOver:
    """A message whose dead worker's lease this worker now holds."""

    inbound_id: int
    attempts: int  # runs including this one
    text: str
    phone: str
    chat: ChatSession
    customer_id: int | None


def renew_leases(engine: Engine, owner: str, seconds: float) -> int:
    """Extend every open lease ``owner`` holds (its turns are still running)."""
    with session_scope(engine, write=True) as session:
        done = session.execute(
            sa.update(InboundMessage)
            .where(col(InboundMessage.lease_owner) == owner, col(InboundMessage.status).in_(OPEN))
            .values(lease_until=utcnow() + timedelta(seconds=seconds))
        )
        return int(done.rowcount)  # type: ignore[attr-defined]


def _dead(
    lease_owner: str | None, lease_until: datetime | None, alive: Callable[[str], bool]
) -> bool:
    if lease_owner is None or lease_until is None:
        return True  # claimed before leases existed
    return as_utc(lease_until) <= utcnow() or not alive(lease_owner)


def orphaned_inbound(engine: Engine, alive: Callable[[str], bool], *, limit: int = 50) -> list[int]:
    """Open messages whose worker's lease has run out, or whose worker ``alive`` says is gone."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(InboundMessage.id, InboundMessage.lease_owner, InboundMessage.lease_until)
            .where(col(InboundMessage.status).in_(OPEN))
            .order_by(col(InboundMessage.id))
            .limit(limit * 4)
        ).all()
    found = [i for i, who, until in rows if i is not None and _dead(who, until, alive)]
    return found[:limit]


def take_over(
    engine: Engine,
    inbound_id: int,
    owner: str,
    seconds: float,
    alive: Callable[[str], bool],
    *,
    waiting: bool,
) -> TakenOver | None:
    """Take a dead worker's message: None if it is answered, or its lease is alive, or another
    worker took it first (compare-and-set on the old lease). ``waiting``: a webhook waits for
    the reply (status processing, answered in TwiML); otherwise deferred (the outbox)."""
    with session_scope(engine) as session:  # look first: a live lease needs no write
        row = session.get(InboundMessage, inbound_id)
        if row is None or row.status not in OPEN:
            return None
        if not _dead(row.lease_owner, row.lease_until, alive):
            return None
        old_owner, old_attempts = row.lease_owner, row.attempts
    with session_scope(engine, write=True) as session:
        same_lease = sa.and_(
            col(InboundMessage.id) == inbound_id,
            col(InboundMessage.status).in_(OPEN),
            col(InboundMessage.lease_owner).is_not_distinct_from(old_owner),
            col(InboundMessage.attempts) == old_attempts,  # bumped by every take-over
        )
        moved = session.execute(
            sa.update(InboundMessage)
            .where(same_lease)
            .values(
                lease_owner=owner,
                lease_until=utcnow() + timedelta(seconds=seconds),
                status="processing" if waiting else "deferred",
                attempts=InboundMessage.attempts + 1,
            )
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(InboundMessage, inbound_id)
        assert row is not None
        chat = session.get(ChatSession, row.session_id or "")
        if chat is None:
            return None
        session.expunge(chat)
        return TakenOver(
            inbound_id=inbound_id,
            attempts=row.attempts,
            text=row.turn_text if row.turn_text is not None else row.body,
            phone=row.phone,
            chat=chat,
            customer_id=row.customer_id,
        )
