"""Technician support cases, their trail of events, and the technicians told about new ones."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class SupportCase(SQLModel, table=True):
    """A customer's tire problem escalated to a technician, with the context gathered in chat.

    ``status`` follows domain.cases.TRANSITIONS; one open case per customer and problem kind.
    """

    __tablename__ = "support_case"

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, sa_type=sa.String(12), unique=True, index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    customer_phone: str | None = Field(default=None, sa_type=sa.String(16), index=True)
    channel: str = Field(sa_type=sa.String(12))
    session_id: str = Field(sa_type=sa.String(40), index=True)
    problem_kind: str = Field(sa_type=sa.String(30), index=True)  # main diagnosis code
    problem_codes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    diagnosis_summary: str = Field(default="", sa_type=sa.Text)
    symptoms: str = Field(sa_type=sa.Text)
    vehicle: str | None = Field(default=None, sa_type=sa.String(120))
    order_folio: str | None = Field(default=None, sa_type=sa.String(16))
    sku: str | None = Field(default=None, sa_type=sa.String(40))
    dot: str | None = Field(default=None, sa_type=sa.String(20))
    kb_chunk_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # "Cliente: ..." / "TopLlantas: ..." / "Técnico: ..." lines: the conversation at creation,
    # then every later message that attached to the case and every reply sent.
    transcript: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    priority: str = Field(sa_type=sa.String(10), index=True)  # CasePriority
    sla_due_at: datetime
    status: str = Field(default="new", sa_type=sa.String(20), index=True)  # CaseStatus
    assignee: str | None = Field(default=None, sa_type=sa.String(16), index=True)  # key prefix
    assignee_name: str | None = Field(default=None, sa_type=sa.String(80))
    resolution_code: str | None = Field(default=None, sa_type=sa.String(30))  # ResolutionCode
    resolution_note: str | None = Field(default=None, sa_type=sa.Text)
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    satisfaction: int | None = None  # 1-5
    satisfaction_comment: str | None = Field(default=None, sa_type=sa.Text)
    rated_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class CaseEvent(SQLModel, table=True):
    """One line of a case's trail: created, customer message, comment, status, reply, survey,
    rating, notified (domain.cases.CaseEventKind), with who did it.

    A reply or survey sent to the customer also belongs in their conversation: ``in_conversation``
    says whether it was appended to the conversation's checkpoint yet.
    """

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="support_case.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(sa_type=sa.String(80))
    kind: str = Field(sa_type=sa.String(20))
    from_status: str | None = Field(default=None, sa_type=sa.String(20))
    to_status: str | None = Field(default=None, sa_type=sa.String(20))
    text: str | None = Field(default=None, sa_type=sa.Text)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    in_conversation: bool = True


class Technician(SQLModel, table=True):
    """A technician's contact for new-case notices; ``key_prefix`` is their API key's prefix
    (the identity a case's ``assignee`` holds)."""

    id: int | None = Field(default=None, primary_key=True)
    key_prefix: str = Field(sa_type=sa.String(16), unique=True, index=True)
    name: str = Field(sa_type=sa.String(80))
    phone: str | None = Field(default=None, sa_type=sa.String(16))
    email: str | None = Field(default=None, sa_type=sa.String(254))
    notify_channel: str = Field(default="whatsapp", sa_type=sa.String(12))  # NotifyChannel
    on_duty: bool = False
    created_at: datetime = Field(default_factory=utcnow)
