"""Anonymous web conversations by the address they came from (unpaid holds are capped per IP)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from db.repositories.chat import ANONYMOUS_OWNER
from db.tables import ChatSession, Customer


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
