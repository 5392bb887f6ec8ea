"""Payment links: the deposit of a reserved order, the balance after it, the checkout page's
data, and provider events."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col, select

from adapters.payments.base import PaymentEvent, PaymentProvider
from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories.audit import record
from db.repositories.orders import get_order_row, order_public, update_order
from db.repositories.payment_links import PAYABLE_IN, link_dead_reason, link_public
from db.tables import Branch, Customer, Order, PaymentLink, Reservation
from domain.clock import as_utc, utcnow
from domain.enums import OrderStatus, ReservationStatus
from domain.sales import LinkPurpose, LinkStatus, OrderPublic, OrderUpdate, PaymentLinkPublic

PENDING: LinkStatus = "pending"
PAID: LinkStatus = "paid"
EXPIRED: LinkStatus = "expired"
EXPIRED_MESSAGE = "el enlace expiró"
# update_order only uses the hold for a move back to reserved, never for reserved → paid.
_UNUSED_HOLD_HOURS = 1

__all__ = ["LinkRules", "PaymentLinkPublic", "PaymentPage", "create_payment_link"]


@dataclass(frozen=True, slots=True)
class LinkRules:
    """How links are made: the provider that serves them and how long they live."""

    provider: PaymentProvider
    ttl_hours: int


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
    purpose: LinkPurpose = "deposit",
) -> PaymentLinkPublic:
    """A link to pay ``amount_cents`` of an order: the deposit of a ``reserved`` order (e.g.
    $500), or the balance of one whose deposit is paid.

    A deposit link expires after ``ttl_hours`` and never after the order's stock hold. Asking
    again for the same purpose and amount while a link is still payable returns that link.

    Raises:
        NotFound: no such order.
        InvalidRequest: amount below 1 cent or above what is still due (field ``amount_cents``).
        Conflict: the order's status takes no link of this purpose, or its hold has expired.
    """
    order = get_order_row(session, order_id, lock=True)
    if OrderStatus(order.status) not in PAYABLE_IN[purpose]:
        allowed = " or ".join(sorted(s.value for s in PAYABLE_IN[purpose]))
        raise Conflict(
            f"order {order.folio} is {order.status}; a {purpose} link needs an order that is "
            f"{allowed}",
            field="order_id",
        )
    due = order.total_cents - order.paid_cents
    if not 1 <= amount_cents <= due:
        raise InvalidRequest(
            f"amount_cents must be between 1 and what is still due ({due})",
            field="amount_cents",
        )
    now = utcnow()
    expires = now + timedelta(hours=ttl_hours)
    if purpose == "deposit":
        hold_ends = _hold_ends(session, order)
        if hold_ends is None or hold_ends <= now:
            raise Conflict(f"the reservation of order {order.folio} has expired", field="order_id")
        expires = min(expires, hold_ends)
    existing = session.exec(
        select(PaymentLink)
        .where(
            PaymentLink.order_id == order.id,
            PaymentLink.status == PENDING,
            PaymentLink.purpose == purpose,
            PaymentLink.amount_cents == amount_cents,
            col(PaymentLink.expires_at) > now,
        )
        .order_by(col(PaymentLink.id).desc())
    ).first()
    if existing is not None:
        return link_public(existing, order, provider)
    link = PaymentLink(
        token=secrets.token_urlsafe(24),
        order_id=order.id or 0,
        provider=provider.name,
        amount_cents=amount_cents,
        purpose=purpose,
        status=PENDING,
        expires_at=expires,
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
        purpose=purpose,
        amount_cents=amount_cents,
        expires_at=link.expires_at.isoformat(),
    )
    return link_public(link, order, provider)


def link_for(
    session: Session, *, order_id: int, purpose: LinkPurpose, rules: LinkRules, actor: str
) -> PaymentLinkPublic:
    """The link to pay now: the order's deposit (at most what is due) or its whole balance;
    the same link while it is payable, a fresh one when it expired.

    Raises:
        Conflict: nothing is due, or the order takes no link of this purpose (see above).
    """
    order = get_order_row(session, order_id)
    due = order.total_cents - order.paid_cents
    if due <= 0:
        raise Conflict(f"order {order.folio} is fully paid", field="order_id")
    amount = min(order.deposit_cents or due, due) if purpose == "deposit" else due
    return create_payment_link(
        session,
        order_id=order_id,
        amount_cents=amount,
        ttl_hours=rules.ttl_hours,
        provider=rules.provider,
        actor=actor,
        purpose=purpose,
    )


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
    return link_public(link, order, provider)


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
        link=link_public(link, order, provider),
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
    """Apply what the provider reported. ``paid`` marks the link paid and adds its amount to
    what the order has been paid; a deposit moves the order to ``paid`` (its reservation
    becomes ``confirmed``: the stock stays held, with no expiry).

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
        return link_public(link, order, provider)
    if link.status == PAID:
        if link.provider_ref == event.provider_ref and link.amount_cents == event.amount_cents:
            return link_public(link, order, provider)  # a replay: already applied
        raise Conflict(f"the payment link of {order.folio} is already paid", field="token")
    if link.status == EXPIRED or link_dead_reason(link, order, now) is not None:
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
        OrderUpdate(
            status=OrderStatus.PAID if order.status == OrderStatus.RESERVED.value else None,
            paid_cents=link.amount_cents,
        ),
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
    return link_public(link, order, provider)


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
    reason = link_dead_reason(link, order, now)
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


def _hold_ends(session: Session, order: Order) -> datetime | None:
    ends = session.exec(
        select(sa.func.min(Reservation.expires_at)).where(
            Reservation.order_id == order.id,
            Reservation.status == ReservationStatus.ACTIVE.value,
        )
    ).one()
    return as_utc(ends) if ends is not None else None
