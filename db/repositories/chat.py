"""Chat sessions (identity fixed when a conversation starts) and the CRM interaction log."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from core.errors import NotFound, PermissionDenied
from db.repositories.audit import record
from db.tables import ChatSession, Customer, Interaction
from domain.clock import utcnow
from domain.enums import CustomerKind
from domain.geo import branch_for_phone


def new_session_id() -> str:
    """An unguessable conversation id: holding it is what lets a web visitor continue."""
    return secrets.token_urlsafe(18)


def start_session(
    session: Session,
    *,
    owner: str,
    role: str,
    channel: str,
    customer_id: int | None,
    branch_code: str | None = None,
    session_id: str | None = None,
) -> ChatSession:
    """Create a conversation with its identity.

    Without a branch, a customer's phone suggests one (a 33 number is served from Guadalajara).
    """
    if branch_code is None and customer_id is not None:
        customer = session.get(Customer, customer_id)
        branch_code = branch_for_phone(customer.phone if customer else None)
    chat = ChatSession(
        id=session_id or new_session_id(),
        owner=owner,
        role=role,
        channel=channel,
        customer_id=customer_id,
        branch_code=branch_code,
    )
    session.add(chat)
    session.flush()
    return chat


def load_session(session: Session, session_id: str, *, owner: str, role: str) -> ChatSession:
    """A conversation the caller may continue: same owner and same persona it started with.

    Raises:
        NotFound: unknown id, or one that belongs to someone else (indistinguishable on purpose).
        PermissionDenied: the caller's persona differs from the conversation's.
    """
    chat = session.get(ChatSession, session_id)
    if chat is None or chat.owner != owner:
        raise NotFound(
            "unknown session_id; start a new conversation with session_id null", field="session_id"
        )
    if chat.role != role:
        raise PermissionDenied(f"this conversation is with a {chat.role}, not a {role}", field="as")
    return chat


def customer_by_phone(session: Session, phone: str, *, name: str, actor: str) -> Customer:
    """The customer with this E.164 phone, created (retail) on first contact."""
    customer = session.exec(select(Customer).where(Customer.phone == phone)).first()
    if customer is None:
        customer = Customer(
            kind=CustomerKind.RETAIL.value, name=name, phone=phone, whatsapp_id=phone.lstrip("+")
        )
        session.add(customer)
        session.flush()
        record(
            session,
            actor=actor,
            action="create",
            entity="customer",
            entity_id=customer.id,
            reason="first contact",
        )
    return customer


def log_turn(
    session: Session,
    chat: ChatSession,
    *,
    agent: str,
    intent: str,
    outcome: str,
    customer_id: int | None,
) -> None:
    """Record one customer turn for the CRM and move the session along."""
    session.add(
        Interaction(
            session_id=chat.id,
            customer_id=customer_id,
            channel=chat.channel,
            agent=agent,
            intent=intent,
            outcome=outcome,
        )
    )
    chat.turns += 1
    chat.active_agent = agent
    chat.updated_at = utcnow()
    if customer_id and chat.customer_id is None:
        chat.customer_id = customer_id
    session.add(chat)
