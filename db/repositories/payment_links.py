"""Payment-link rows: their public view and when a pending one can no longer be paid.

Low level on purpose (no order logic): orders.py and payments.py both use it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from adapters.payments.base import PaymentProvider
from db.repositories.audit import record
from db.tables import Order, PaymentLink
from domain.clock import as_utc, utcnow
from domain.enums import OrderStatus
from domain.sales import LinkPurpose, LinkStatus, PaymentLinkPublic

# Which statuses a pending link of each purpose can still be paid in.
PAYABLE_IN: dict[str, frozenset[OrderStatus]] = {
    "deposit": frozenset({OrderStatus.RESERVED}),
    "balance": frozenset(
        {
            OrderStatus.PAID,
            OrderStatus.READY_FOR_PICKUP,
            OrderStatus.OUT_FOR_DELIVERY,
            OrderStatus.DELIVERED,  # delivered on credit: the balance is still due
        }
    ),
}


def link_public(
    link: PaymentLink, order: Order, provider: PaymentProvider | None
) -> PaymentLinkPublic:
    """A payment link as callers see it (the URL needs the provider that made it)."""
    folio = order.folio or ""
    url = (
        provider.create_link(token=link.token, amount_cents=link.amount_cents, order_folio=folio)
        if provider is not None
        else ""
    )
    status: LinkStatus = (
        "paid" if link.status == "paid" else "expired" if link.status == "expired" else "pending"
    )
    purpose: LinkPurpose = "balance" if link.purpose == "balance" else "deposit"
    return PaymentLinkPublic(
        url=url,
        token=link.token,
        order_id=link.order_id,
        folio=folio,
        amount_cents=link.amount_cents,
        purpose=purpose,
        status=status,
        expires_at=as_utc(link.expires_at),
        paid_at=as_utc(link.paid_at) if link.paid_at else None,
        created_at=as_utc(link.created_at),
    )


def link_dead_reason(link: PaymentLink, order: Order, now: datetime) -> str | None:
    """Why a pending link can no longer be paid, or None while it can."""
    if as_utc(link.expires_at) <= now:
        return "past expires_at"
    if OrderStatus(order.status) not in PAYABLE_IN.get(link.purpose, frozenset()):
        return f"order is {order.status}"
    return None


def expire_unpayable_links(session: Session, order: Order, *, reason: str) -> int:
    """Mark expired the pending links of an order that can no longer be paid; returns how many."""
    now = utcnow()
    links = session.exec(
        select(PaymentLink).where(PaymentLink.order_id == order.id, PaymentLink.status == "pending")
    ).all()
    expired = 0
    for link in links:
        why = link_dead_reason(link, order, now)
        if why is None:
            continue
        link.status = "expired"
        session.add(link)
        expired += 1
        record(
            session,
            actor="system:expiry",
            action="expire",
            entity="payment_link",
            entity_id=link.id,
            folio=order.folio,
            reason=why if why != f"order is {order.status}" else reason,
        )
    return expired


def expire_pending_links(session: Session, order: Order, *, reason: str) -> int:
    """Mark expired every pending link of an order (its amounts are about to change)."""
    links = session.exec(
        select(PaymentLink).where(PaymentLink.order_id == order.id, PaymentLink.status == "pending")
    ).all()
    for link in links:
        link.status = "expired"
        session.add(link)
        record(
            session,
            actor="system:expiry",
            action="expire",
            entity="payment_link",
            entity_id=link.id,
            folio=order.folio,
            reason=reason,
        )
    return len(links)
