"""Whose conversation a web or staff chat message belongs to: continued, or started now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import PermissionDenied
from db.engine import session_scope
from db.repositories.chat import ANONYMOUS_OWNER, customer_by_phone, load_session, start_session
from db.tables import ChatSession, Customer

EVALUATION_CUSTOMER = "Cliente (evaluación)"
REAL_CUSTOMER = (
    "evaluator keys speak only as test customers (is_test) or new phones; this phone belongs "
    "to a real customer"
)


@dataclass(frozen=True)
class Speaker:
    """Who writes, as the API key decided (never the message): owner, persona and phone."""

    owner: str
    role: str
    phone: str | None = None
    # An evaluator key: its customer persona must be test data (Customer.is_test).
    test_personas_only: bool = False
    # An anonymous visitor's address, kept on the conversation (holds are capped per address).
    client_ip: str | None = None

    @property
    def conversation_owner(self) -> str:
        """The owner a conversation is bound to (a customer persona per phone)."""
        return f"{self.owner}:{self.phone}" if self.phone else self.owner


def _persona_customer(session: Session, speaker: Speaker, phone: str) -> Customer:
    """The customer a key speaks as: an unknown phone becomes a test customer (never a real
    row); a real customer only for keys not limited to test personas (admin)."""
    found = session.exec(select(Customer).where(Customer.phone == phone)).first()
    if found is None:
        return customer_by_phone(
            session, phone, name=EVALUATION_CUSTOMER, actor=speaker.owner, is_test=True
        )
    if speaker.test_personas_only and not found.is_test:
        raise PermissionDenied(REAL_CUSTOMER, field="as.phone")
    return found


def web_session(
    engine: Engine, speaker: Speaker, session_id: str | None, message: str
) -> ChatSession | None:
    """The conversation to continue (only its owner, in the same persona), or a new one; None
    for an empty first message (nothing to remember yet: nothing is written).

    Raises:
        NotFound: unknown session, or someone else's.
        PermissionDenied: the conversation was started in another persona, or an evaluator
            key speaks as a real customer (checked again on every message: a customer no
            longer flagged as test data is off limits at once).
    """
    owner = speaker.conversation_owner
    with session_scope(engine, write=session_id is None) as session:
        if session_id is not None:
            chat = load_session(session, session_id, owner=owner, role=speaker.role)
            if speaker.test_personas_only and speaker.phone and chat.customer_id is not None:
                customer = session.get(Customer, chat.customer_id)
                if customer is not None and not customer.is_test:
                    raise PermissionDenied(REAL_CUSTOMER, field="as.phone")
            return chat
        if not message.strip():
            return None
        customer_id = None
        if speaker.phone:
            customer_id = _persona_customer(session, speaker, speaker.phone).id
        return start_session(
            session,
            owner=owner,
            role=speaker.role,
            channel="web",
            customer_id=customer_id,
            client_ip=speaker.client_ip if speaker.owner == ANONYMOUS_OWNER else None,
        )
