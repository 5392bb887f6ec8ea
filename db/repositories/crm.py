"""CRM writes in one place: customers met on a channel, web guests, leads and interactions.

Each function takes the caller's session; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from db.repositories.audit import record
from db.tables import AuditLog, ChatSession, Customer, Interaction, Lead
from domain.clock import utcnow
from domain.dialogue import HandoffReason
from domain.enums import CustomerKind

GUEST_NAME = "Cliente web (invitado)"
LEAD_STATUSES = ("new", "contacted", "won", "lost")


def customer_by_phone(
    session: Session, phone: str, *, name: str, actor: str, is_test: bool = False
) -> Customer:
    """The customer with this E.164 phone, created (retail) on first contact; ``is_test``
    flags a row created now as test data (an evaluator's persona)."""
    customer = session.exec(select(Customer).where(Customer.phone == phone)).first()
    if customer is None:
        customer = Customer(
            kind=CustomerKind.RETAIL.value,
            name=name,
            phone=phone,
            whatsapp_id=phone.lstrip("+"),
            is_test=is_test,
        )
        session.add(customer)
        session.flush()
        record(
            session,
            actor=actor,
            action="create",
            entity="customer",
            entity_id=customer.id,
            reason="test persona" if is_test else "first contact",
        )
    return customer


def claim_for_its_owner(session: Session, customer: Customer, *, actor: str) -> None:
    """A message through a channel that vouches for the number (WhatsApp: Twilio signs it)
    comes from the number's real owner. If an evaluator key made that number a test persona
    (it writes ``"as": {"phone": ...}`` for a phone nobody had), the row becomes a real
    customer now, off limits to evaluator keys at once; demo data and eval worlds, which no
    key created, stay test data."""
    if not customer.is_test:
        return
    made_by_a_key = session.exec(
        select(AuditLog.id).where(
            AuditLog.entity == "customer",
            AuditLog.entity_id == str(customer.id),
            AuditLog.action == "create",
            col(AuditLog.actor).startswith("key:"),
        )
    ).first()
    if made_by_a_key is None:
        return
    customer.is_test = False
    session.add(customer)
    record(
        session, actor=actor, action="mark_real", entity="customer", entity_id=customer.id,
        reason="its number wrote through WhatsApp",
    )  # fmt: skip


def guest_for_session(session: Session, session_id: str, *, actor: str) -> Customer:
    """The customer an anonymous conversation speaks for: the one bound to it, or a new guest
    bound to it now (in the caller's transaction, so a failed reservation leaves no guest)."""
    chat = session.get(ChatSession, session_id)
    if chat is not None and chat.customer_id is not None:
        bound = session.get(Customer, chat.customer_id)
        if bound is not None:
            return bound
    guest = Customer(kind=CustomerKind.RETAIL.value, name=GUEST_NAME)
    session.add(guest)
    session.flush()
    if chat is not None:
        chat.customer_id = guest.id
        session.add(chat)
    record(
        session,
        actor=actor,
        action="create",
        entity="customer",
        entity_id=guest.id,
        reason="guest for web reservation",
    )
    return guest


def remember_erp_customer(session: Session, customer: Customer, erp_customer_id: int) -> None:
    """Keep the customer's id in an external store of record (RestErp) for the next time."""
    if customer.erp_customer_id != erp_customer_id:
        customer.erp_customer_id = erp_customer_id
        session.add(customer)


def create_lead(
    session: Session,
    *,
    session_id: str,
    customer_id: int | None,
    channel: str,
    reason: str,
    summary: str,
    kind: HandoffReason = HandoffReason.OTHER,
    order_id: int | None = None,
    actor: str,
) -> Lead:
    """A hand-off to a person. Asking again in the same conversation for the same kind of
    help, while the first request is still new, returns that request (no duplicate case)."""
    open_lead = session.exec(
        select(Lead)
        .where(
            Lead.session_id == session_id,
            Lead.kind == kind.value,
            Lead.status == "new",
            Lead.order_id == order_id if order_id is not None else col(Lead.order_id).is_(None),
        )
        .order_by(col(Lead.id).desc())
    ).first()
    if open_lead is not None:
        open_lead.summary = summary
        session.add(open_lead)
        return open_lead
    lead = Lead(
        session_id=session_id,
        customer_id=customer_id,
        channel=channel,
        reason=reason[:200],
        kind=kind.value,
        order_id=order_id,
        summary=summary,
    )
    session.add(lead)
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity="lead",
        entity_id=lead.id,
        kind=kind.value,
        reason=reason[:200],
    )
    return lead


def list_leads(
    session: Session, *, since: datetime, status: str | None = None, limit: int = 50
) -> list[tuple[Lead, Customer | None]]:
    """Leads created since an instant, newest first, with their customer (read only)."""
    query = (
        select(Lead, Customer)
        .join(Customer, col(Customer.id) == Lead.customer_id, isouter=True)
        .where(col(Lead.created_at) >= since)
        .order_by(col(Lead.created_at).desc(), col(Lead.id).desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Lead.status == status)
    return [(lead, customer) for lead, customer in session.exec(query).all()]


def log_turn(
    db: Session | Connection,
    session_id: str,
    channel: str,
    *,
    agent: str,
    intent: str,
    outcome: str,
    customer_id: int | None,
) -> None:
    """Record one customer turn for the CRM and move the session along: two statements, on a
    session or on the connection that holds the conversation's lock (then committed with the
    lock's release)."""
    now = utcnow()
    db.execute(
        sa.insert(Interaction).values(
            session_id=session_id,
            customer_id=customer_id,
            channel=channel,
            agent=agent,
            intent=intent,
            outcome=outcome,
            at=now,
        )
    )
    moved: dict[str, Any] = {
        "turns": col(ChatSession.turns) + 1,
        "active_agent": agent,
        "dialogue": None,  # the turn ended: its checkpoint holds the state its tools committed
        "updated_at": now,
    }
    if customer_id:  # set once (a guest bound to an anonymous conversation by a tool)
        moved["customer_id"] = sa.func.coalesce(col(ChatSession.customer_id), customer_id)
    db.execute(sa.update(ChatSession).where(col(ChatSession.id) == session_id).values(moved))
