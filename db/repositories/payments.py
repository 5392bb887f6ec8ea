"""Payment links: a deposit link for a reserved order, its page data, and provider events."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from adapters.payments.base import PaymentEvent, PaymentProvider
from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories.audit import record
from db.repositories.orders import get_order_row, order_public, update_order
from db.tables import Branch, Customer, Order, PaymentLink, Reservation
from domain.clock import as_utc, utcnow
from domain.enums import OrderStatus, ReservationStatus
from domain.sales import OrderPublic, OrderUpdate

LinkStatus = Literal["pending", "paid", "expired"]
PENDING: LinkStatus = "pending"
PAID: LinkStatus = "paid"
EXPIRED: LinkStatus = "expired"
EXPIRED_MESSAGE = "el enlace expiró"
# update_order only uses the hold for a move back to reserved, never for reserved → paid.
_UNUSED_HOLD_HOURS = 1


class PaymentLinkPublic(BaseModel):
    """A payment link as callers see it (the token is the secret part of the URL)."""

    url: str = Field(description="Where the customer pays; empty when read without a provider")
    token: str
    order_id: int
    folio: str
    amount_cents: int
    status: LinkStatus
    expires_at: datetime
    paid_at: datetime | None = None


class PaymentPage(BaseModel):
    """Everything the checkout page shows."""

    link: PaymentLinkPublic
    order: OrderPublic
    customer_name: str
    branch_name: str
    branch_address: str
    branch_phone: str


def create_payment_link(
    session: Session,
    *,
    order_id: int,
    amount_cents: int,
    ttl_hours: int,
    provider: PaymentProvider,
    actor: str,
) -> PaymentLinkPublic:
    """A link to pay ``amount_cents`` (e.g. the $500 deposit) of a reserved order.

    The link expires after ``ttl_hours`` and never after the order's stock hold. Asking
    again for the same amount while a link is still payable returns that link.

    Raises:
        NotFound: no such order.
        InvalidRequest: amount below 1 cent or above the order total (field ``amount_cents``).
        Conflict: the order is not ``reserved``, or its hold has already expired.
    """
    order = get_order_row(session, order_id, lock=True)
    if order.status != OrderStatus.RESERVED.value:
        raise Conflict(
            f"order {order.folio} is {order.status}; only a reserved order takes a payment link",
            field="order_id",
        )
    if not 1 <= amount_cents <= order.total_cents:
        raise InvalidRequest(
            f"amount_cents must be between 1 and the order total ({order.total_cents})",
            field="amount_cents",
        )
    now = utcnow()
    hold_ends = _hold_ends(session, order)
    if hold_ends is None or hold_ends <= now:
        raise Conflict(f"the reservation of order {order.folio} has expired", field="order_id")
    existing = session.exec(
        select(PaymentLink)
        .where(
            PaymentLink.order_id == order.id,
            PaymentLink.status == PENDING,
            PaymentLink.amount_cents == amount_cents,
            col(PaymentLink.expires_at) > now,
        )
        .order_by(col(PaymentLink.id).desc())
    ).first()
    if existing is not None:
        return _public(existing, order, provider)
    link = PaymentLink(
        token=secrets.token_urlsafe(24),
        order_id=order.id or 0,
        provider=provider.name,
        amount_cents=amount_cents,
        status=PENDING,
        expires_at=min(now + timedelta(hours=ttl_hours), hold_ends),
        created_at=now,
    )
    session.add(link)
    session.flush()
    # The token is a bearer secret: the audit log names the link by id, never by token.
    record(
        session,
        actor=actor,
        action="create",
        entity="payment_link",
        entity_id=link.id,
        folio=order.folio,
        amount_cents=amount_cents,
        expires_at=link.expires_at.isoformat(),
    )
    return _public(link, order, provider)


def get_payment_link(
    session: Session,
    token: str,
    *,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
) -> PaymentLinkPublic:
    """The link behind ``token``; a pending link past its time, or whose order is no longer
    ``reserved`` (cancelled, expired, or paid some other way), is marked ``expired`` first.

    Raises:
        NotFound: unknown token.
    """
    link, order = _refreshed(session, token, now or utcnow())
    return _public(link, order, provider)


def payment_page(
    session: Session,
    token: str,
    *,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
) -> PaymentPage:
    """The link with its order, customer and branch, for the checkout page.

    Raises:
        NotFound: unknown token.
    """
    link, order = _refreshed(session, token, now or utcnow())
    branch = session.get(Branch, order.branch_id)
    customer = session.get(Customer, order.customer_id)
    return PaymentPage(
        link=_public(link, order, provider),
        order=order_public(session, order),
        customer_name=customer.name if customer else "",
        branch_name=branch.name if branch else "",
        branch_address=branch.address if branch else "",
        branch_phone=branch.phone if branch else "",
    )


def apply_payment_event(
    session: Session,
    event: PaymentEvent,
    *,
    actor: str,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
) -> PaymentLinkPublic:
    """Apply what the provider reported. ``paid`` marks the link paid and moves the order to
    ``paid`` (its reservation becomes ``confirmed``: the stock stays held, with no expiry).

    The same event twice changes nothing the second time. A ``failed`` event is only logged.

    Raises:
        NotFound: unknown token.
        Conflict: the link expired (nothing changes), or it was already paid by another payment.
        InvalidRequest: the amount is not the link's amount (field ``amount_cents``).
    """
    now = now or utcnow()
    link = _link_row(session, event.token)
    order = get_order_row(session, link.order_id, lock=True)
    if event.status == "failed":
        record(
            session,
            actor=actor,
            action="payment_failed",
            entity="payment_link",
            entity_id=link.id,
            folio=order.folio,
            provider_ref=event.provider_ref,
        )
        return _public(link, order, provider)
    if link.status == PAID:
        if link.provider_ref == event.provider_ref and link.amount_cents == event.amount_cents:
            return _public(link, order, provider)  # a replay: already applied
        raise Conflict(f"the payment link of {order.folio} is already paid", field="token")
    if link.status == EXPIRED or _why_dead(link, order, now) is not None:
        raise Conflict(EXPIRED_MESSAGE, field="token")
    if event.amount_cents != link.amount_cents:
        raise InvalidRequest(
            f"amount_cents {event.amount_cents} does not match the link ({link.amount_cents})",
            field="amount_cents",
        )
    link.status = PAID
    link.paid_at = now
    link.provider_ref = event.provider_ref
    session.add(link)
    update_order(
        session,
        order.id or 0,
        OrderUpdate(status=OrderStatus.PAID),
        actor=actor,
        hold_hours=_UNUSED_HOLD_HOURS,
    )
    record(
        session,
        actor=actor,
        action="pay",
        entity="payment_link",
        entity_id=link.id,
        folio=order.folio,
        amount_cents=link.amount_cents,
        provider_ref=event.provider_ref,
    )
    session.flush()
    return _public(link, order, provider)


def _link_row(session: Session, token: str) -> PaymentLink:
    # Locked so that a payment and an expiry check of the same link cannot interleave.
    link = session.exec(
        select(PaymentLink).where(PaymentLink.token == token).with_for_update()
    ).first()
    if link is None:
        raise NotFound("payment link not found", field="token")
    return link


def _refreshed(session: Session, token: str, now: datetime) -> tuple[PaymentLink, Order]:
    link = _link_row(session, token)
    order = get_order_row(session, link.order_id)
    reason = _why_dead(link, order, now)
    if link.status == PENDING and reason is not None:
        link.status = EXPIRED
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
        session.flush()
    return link, order


def _why_dead(link: PaymentLink, order: Order, now: datetime) -> str | None:
    """Why a pending link can no longer be paid, or None while it can."""
    if as_utc(link.expires_at) <= now:
        return "past expires_at"
    if order.status != OrderStatus.RESERVED.value:
        return f"order is {order.status}"
    return None


def _hold_ends(session: Session, order: Order) -> datetime | None:
    ends = session.exec(
        select(sa.func.min(Reservation.expires_at)).where(
            Reservation.order_id == order.id,
            Reservation.status == ReservationStatus.ACTIVE.value,
        )
    ).one()
    return as_utc(ends) if ends is not None else None


def _public(link: PaymentLink, order: Order, provider: PaymentProvider | None) -> PaymentLinkPublic:
    folio = order.folio or ""
    url = (
        provider.create_link(token=link.token, amount_cents=link.amount_cents, order_folio=folio)
        if provider is not None
        else ""
    )
    status: LinkStatus = (
        PAID if link.status == PAID else EXPIRED if link.status == EXPIRED else PENDING
    )
    return PaymentLinkPublic(
        url=url,
        token=link.token,
        order_id=link.order_id,
        folio=folio,
        amount_cents=link.amount_cents,
        status=status,
        expires_at=as_utc(link.expires_at),
        paid_at=as_utc(link.paid_at) if link.paid_at else None,
    )
