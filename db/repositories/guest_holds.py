"""Anonymous web conversations by the address they came from (unpaid holds are capped per IP)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.engine import GUEST_IP_LOCK, advisory_xact_lock
from db.repositories.chat import ANONYMOUS_OWNER
from db.tables import ChatSession, Customer, Order, Reservation
from domain.enums import OrderStatus


def lock_guest_ip(session: Session, client_ip: str) -> None:
    """Hold new anonymous holds from ``client_ip`` to one at a time until this transaction
    ends, so that two conversations behind one address reserving at once cannot both pass the
    cap (the count below and the new order commit together)."""
    advisory_xact_lock(session, GUEST_IP_LOCK, client_ip)


def open_holds_from_ip(
    session: Session, client_ip: str, *, active_since: datetime, excluding: str, now: datetime
) -> int:
    """Unpaid reserved orders still held (every active reservation expires after ``now``) of
    the other anonymous conversations from ``client_ip`` active since ``active_since``: one
    query, however many guests share the address (a NAT, an office)."""
    guests = (
        select(ChatSession.customer_id)
        .where(
            ChatSession.owner == ANONYMOUS_OWNER,
            ChatSession.client_ip == client_ip,
            ChatSession.id != excluding,
            col(ChatSession.updated_at) >= active_since,
            col(ChatSession.customer_id).is_not(None),
        )
        .distinct()
    )
    held = (
        select(col(Order.id))
        .join(Reservation, col(Reservation.order_id) == col(Order.id))
        .where(
            col(Order.customer_id).in_(guests),
            Order.status == OrderStatus.RESERVED.value,
            Reservation.status == "active",
        )
        .group_by(col(Order.id))
        .having(sa.func.min(Reservation.expires_at) > now)
        .subquery()
    )
    return int(session.exec(select(sa.func.count()).select_from(held)).one())


def guests_from_ip(
    session: Session, client_ip: str, *, active_since: datetime, excluding: str
) -> list[Customer]:
    """The guest customers of the other anonymous conversations from ``client_ip`` that were
    active since ``active_since`` (an open guest hold was made in a turn after that)."""
    return list(
        session.exec(
            select(Customer)
            .join(ChatSession, col(ChatSession.customer_id) == col(Customer.id))
            .where(
                ChatSession.owner == ANONYMOUS_OWNER,
                ChatSession.client_ip == client_ip,
                ChatSession.id != excluding,
                col(ChatSession.updated_at) >= active_since,
            )
            .order_by(col(Customer.id))
        ).all()
    )
