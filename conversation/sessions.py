"""Whose conversation a web or staff chat message belongs to: continued, or started now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.repositories.chat import customer_by_phone, load_session, start_session
from db.tables import ChatSession

EVALUATION_CUSTOMER = "Cliente (evaluación)"


@dataclass(frozen=True)
class Speaker:
    """Who writes, as the API key decided (never the message): owner, persona and phone."""

    owner: str
    role: str
    phone: str | None = None

    @property
    def conversation_owner(self) -> str:
        """The owner a conversation is bound to (a customer persona per phone)."""
        return f"{self.owner}:{self.phone}" if self.phone else self.owner


def web_session(
    engine: Engine, speaker: Speaker, session_id: str | None, message: str
) -> ChatSession | None:
    """The conversation to continue (only its owner, in the same persona), or a new one; None
    for an empty first message (nothing to remember yet: nothing is written).

    Raises:
        NotFound: unknown session, or someone else's.
        PermissionDenied: the conversation was started in another persona.
    """
    owner = speaker.conversation_owner
    with session_scope(engine, write=session_id is None) as session:
        if session_id is not None:
            return load_session(session, session_id, owner=owner, role=speaker.role)
        if not message.strip():
            return None
        customer_id = None
        if speaker.phone:
            customer_id = customer_by_phone(
                session, speaker.phone, name=EVALUATION_CUSTOMER, actor=owner
            ).id
        return start_session(
            session, owner=owner, role=speaker.role, channel="web", customer_id=customer_id
        )
