"""Chat sessions: identity fixed when a conversation starts (CRM writes live in crm.py)."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from core.errors import NotFound, PermissionDenied
from db.repositories.catalog import branch_for_phone
from db.repositories.crm import customer_by_phone, log_turn
from db.tables import ChatSession, Customer

# Moved to crm.py (one repository for CRM writes); kept importable from here for callers.
__all__ = [
    "ANONYMOUS_OWNER",
    "customer_by_phone",
    "load_session",
    "log_turn",
    "new_session_id",
    "start_session",
]
# The owner of every keyless web conversation (its unguessable id is what binds the visitor).
ANONYMOUS_OWNER = "anonymous"


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
    client_ip: str | None = None,
) -> ChatSession:
    """Create a conversation with its identity (and, for an anonymous visitor, the address it
    came from).

    Without a branch, a customer's phone suggests one (a 33 number is served from Guadalajara).
    """
    if branch_code is None and customer_id is not None:
        customer = session.get(Customer, customer_id)
        branch_code = branch_for_phone(session, customer.phone if customer else None)
    chat = ChatSession(
        id=session_id or new_session_id(),
        owner=owner,
        role=role,
        channel=channel,
        customer_id=customer_id,
        branch_code=branch_code,
        client_ip=client_ip,
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
