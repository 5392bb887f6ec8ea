"""The outbox: every outbound message is a row before it is sent; callbacks move its status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.errors import InvalidRequest, NotFound
from db.repositories.audit import record
from db.tables import Branch, Customer, Delivery, Order, Outbox, OutboxAttachment, Reservation
from domain.clock import as_utc, utcnow

# Provider callbacks arrive out of order: a status only ever moves up this ladder.
STATUS_RANK = {
    "queued": 0,
    "sending": 0,
    "sent": 1,
    "failed": 2,
    "undelivered": 2,
    "delivered": 3,
    "read": 4,
}
# Twilio's MessageStatus values mapped onto ours (the in-between ones count as queued).
PROVIDER_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "undelivered",
    "canceled": "failed",
    "partially_delivered": "delivered",
}


class OutboxPublic(BaseModel):
    """An outbox row as the CLI and the API show it."""

    id: int
    kind: str
    channel: str
    to: str
    status: str
    body: str | None
    content_sid: str | None
    content_variables: dict[str, Any] | None
    provider_sid: str | None
    attempts: int
    error: str | None
    created_at: datetime


def outbox_public(row: Outbox) -> OutboxPublic:
    """The public view of a row."""
    return OutboxPublic.model_validate(row, from_attributes=True)


def queue_message(
    session: Session,
    *,
    kind: str,
    channel: str,
    to: str,
    customer_id: int | None = None,
    order_id: int | None = None,
    body: str | None = None,
    subject: str | None = None,
    content_sid: str | None = None,
    content_variables: dict[str, Any] | None = None,
    status: str = "queued",
    error: str | None = None,
) -> Outbox:
    """Write a message to the outbox (committed with the caller's transaction)."""
    row = Outbox(
        kind=kind,
        channel=channel,
        to=to,
        customer_id=customer_id,
        order_id=order_id,
        body=body,
        subject=subject,
        content_sid=content_sid,
        content_variables=content_variables,
        status=status,
        error=error[:300] if error else None,
    )
    session.add(row)
    session.flush()
    return row


def attach_file(
    session: Session, row: Outbox, *, filename: str, media_type: str, content: bytes
) -> OutboxAttachment:
    """A file that goes with an outbox e-mail (written in the caller's transaction)."""
    if row.channel != "email":
        raise InvalidRequest("only e-mails carry attachments", field="channel")
    item = OutboxAttachment(
        outbox_id=row.id or 0, filename=filename[:120], media_type=media_type, content=content
    )
    session.add(item)
    return item


def attachments(session: Session, outbox_id: int) -> list[OutboxAttachment]:
    """The files of an outbox message, in the order they were attached."""
    return list(
        session.exec(
            select(OutboxAttachment)
            .where(OutboxAttachment.outbox_id == outbox_id)
            .order_by(col(OutboxAttachment.id))
        ).all()
    )


def get_outbox(session: Session, outbox_id: int) -> Outbox:
    """One outbox row."""
    row = session.get(Outbox, outbox_id)
    if row is None:
        raise NotFound(f"no outbox message {outbox_id}", field="outbox_id")
    return row


def claim_for_sending(session: Session, outbox_id: int) -> bool:
    """Take a queued message for sending (``sending``); False if someone else took it."""
    taken = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id) == outbox_id, col(Outbox.status) == "queued")
        .values(status="sending", updated_at=utcnow())
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def mark_attempt(
    session: Session,
    outbox_id: int,
    *,
    attempts: int,
    status: str,
    provider_sid: str | None = None,
    error: str | None = None,
) -> Outbox:
    """Record the outcome of sending (sent with the provider's sid, failed or blocked)."""
    row = get_outbox(session, outbox_id)
    row.attempts += attempts
    row.status = status
    row.provider_sid = provider_sid or row.provider_sid
    row.error = error[:300] if error else None
    row.updated_at = utcnow()
    session.add(row)
    return row


def apply_provider_status(
    session: Session, provider_sid: str, provider_status: str, error_code: str | None = None
) -> Outbox | None:
    """A status callback: move the message up the ladder (never down). None if unknown."""
    row = session.exec(select(Outbox).where(Outbox.provider_sid == provider_sid)).first()
    status = PROVIDER_STATUS.get(provider_status.lower())
    if row is None or status is None:
        return row
    if STATUS_RANK.get(status, -1) > STATUS_RANK.get(row.status, -1):
        row.status = status
        if error_code:
            row.error = f"Twilio error {error_code}"[:300]
        row.updated_at = utcnow()
        session.add(row)
    return row


def list_outbox(session: Session, *, limit: int = 20, status: str | None = None) -> list[Outbox]:
    """The newest outbox rows."""
    query = select(Outbox).order_by(col(Outbox.id).desc()).limit(limit)
    if status:
        query = query.where(Outbox.status == status)
    return list(session.exec(query).all())


def queued_ids(session: Session, *, limit: int = 100) -> list[int]:
    """Messages written but not sent yet (a crash between the two; retried by the sweep)."""
    rows = session.exec(
        select(Outbox.id).where(Outbox.status == "queued", col(Outbox.provider_sid).is_(None))
        .order_by(col(Outbox.id)).limit(limit)
    ).all()  # fmt: skip
    return [i for i in rows if i is not None]


def consents(session: Session, *, customer_id: int | None, to: str) -> tuple[bool, bool] | None:
    """(notifications, marketing) consent of the recipient, or None for an unknown one."""
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None:
        customer = session.exec(
            select(Customer).where((Customer.phone == to) | (Customer.email == to))
        ).first()
    if customer is None:
        return None
    return customer.consent_notifications, customer.consent_marketing


@dataclass(frozen=True)
class OrderRecipient:
    """What an order notification needs to know about the order and its customer."""

    order_id: int
    folio: str
    status: str
    customer_id: int
    name: str
    phone: str | None
    email: str | None
    branch: str
    total_cents: int
    deposit_cents: int
    hold_until: datetime | None
    delivery_window: datetime | None


def order_recipient(session: Session, folio: str) -> OrderRecipient:
    """The order and the customer to notify about it."""
    order = session.exec(select(Order).where(Order.folio == folio)).first()
    if order is None or order.id is None:
        raise NotFound(f"no order {folio}", field="folio")
    customer = session.get(Customer, order.customer_id)
    branch = session.get(Branch, order.branch_id)
    assert customer is not None and customer.id is not None
    hold = session.exec(
        select(Reservation.expires_at).where(
            Reservation.order_id == order.id, Reservation.status == "active"
        )
    ).first()
    window = session.exec(
        select(Delivery.window_start)
        .where(Delivery.order_id == order.id)
        .order_by(col(Delivery.id).desc())
    ).first()
    return OrderRecipient(
        order_id=order.id,
        folio=order.folio or folio,
        status=order.status,
        customer_id=customer.id,
        name=customer.name,
        phone=customer.phone,
        email=customer.email,
        branch=branch.name if branch else "",
        total_cents=order.total_cents,
        deposit_cents=order.deposit_cents,
        hold_until=as_utc(hold) if hold else None,
        delivery_window=as_utc(window) if window else None,
    )


def audit_notification(session: Session, row: Outbox, *, actor: str) -> None:
    """Audit a queued notification (replies to a customer's own message are not audited)."""
    record(
        session,
        actor=actor,
        action="notify",
        entity="outbox",
        entity_id=row.id,
        kind=row.kind,
        channel=row.channel,
        status=row.status,
    )
