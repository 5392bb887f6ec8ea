"""Typed views of support cases: what the API returns and what the case tools return."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.cases import CasePriority, CaseStatus, NotifyChannel, ResolutionCode
from domain.tool_results import Result


class CaseSummary(Result):
    """A case in a list (the technician queue)."""

    number: str
    status: CaseStatus
    priority: CasePriority
    sla_due_at: datetime
    overdue: bool  # still open after its SLA
    problem_kind: str
    symptoms: str
    vehicle: str | None
    customer_id: int | None
    customer_name: str | None
    customer_phone: str | None
    channel: str
    session_id: str
    assignee: str | None
    assignee_name: str | None
    created_at: datetime
    updated_at: datetime


class CaseEventPublic(Result):
    """One line of a case's trail."""

    at: datetime
    actor: str
    kind: str  # CaseEventKind
    from_status: str | None = None
    to_status: str | None = None
    text: str | None = None
    outbox_id: int | None = None


class CaseMedia(Result):
    """A photo, audio or document the customer sent in the case's conversation."""

    url: str
    content_type: str


class CaseDetail(CaseSummary):
    """One case with its whole context: diagnosis, order/product/DOT, knowledge-base chunks
    shown, the conversation transcript and its media, resolution, satisfaction and the trail."""

    problem_codes: list[str]
    diagnosis_summary: str
    order_folio: str | None
    sku: str | None
    dot: str | None
    kb_chunk_ids: list[str]
    transcript: list[str]
    media: list[CaseMedia]
    resolution_code: ResolutionCode | None
    resolution_note: str | None
    resolved_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None
    satisfaction_comment: str | None
    events: list[CaseEventPublic]


class CaseList(Result):
    """list_my_cases: the cases that match, most urgent first."""

    cases: list[CaseSummary]
    total: int


class OpenedCase(Result):
    """open_support_case: the customer's case (a new one, or the open one the message joined)."""

    number: str
    status: CaseStatus
    priority: CasePriority
    sla_due_at: datetime
    attached: bool  # the message joined an open case instead of opening another
    technicians_notified: int


class CaseUpdate(Result):
    """A technician's action on a case (claim, comment, reply, resolve, close)."""

    number: str
    status: CaseStatus
    assignee: str | None
    sent_to: str | None = None  # where a reply or the survey went (phone or e-mail); None:
    # only into the conversation (a web guest without phone or e-mail)


class CaseRating(Result):
    """rate_case: the satisfaction stored on the customer's case."""

    number: str
    satisfaction: int = Field(ge=1, le=5)
    comment: str | None


class TechnicianPublic(Result):
    """A technician told about new cases."""

    key_prefix: str
    name: str
    phone: str | None
    email: str | None
    notify_channel: NotifyChannel
    on_duty: bool
