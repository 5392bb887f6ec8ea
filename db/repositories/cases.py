"""Support cases: opened from chat (one open case per customer and problem), worked by
technicians (claim, comment, reply, resolve, close), rated by the customer.

Each function takes the caller's session; the caller owns the transaction. Messages to the
customer and to technicians are outbox rows written in that same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories.audit import record
from db.repositories.outbox import queue_message
from db.tables import CaseEvent, Customer, InboundMedia, InboundMessage, SupportCase, Technician
from domain.case_results import CaseDetail, CaseEventPublic, CaseMedia, CaseSummary
from domain.cases import (
    GENERAL_PROBLEM,
    OPEN_STATUSES,
    PRIORITY_RANK,
    SLA,
    CaseEventKind,
    CasePriority,
    CaseStatus,
    ResolutionCode,
    attaches,
    case_number,
    check_transition,
    new_case_subject,
    new_case_text,
    parse_case_number,
    priority_for,
    problem_kind,
    reply_text,
    sla_due,
    survey_text,
    unknown_problem_codes,
)
from domain.catalog import Page
from domain.clock import as_utc, utcnow
from domain.spanish import local_moment

TRANSCRIPT_LINES = 60  # the conversation kept at creation (the newest lines)
CUSTOMER_LINE = "Cliente: "
OPEN = tuple(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class CaseOpening:
    """What a conversation knows when it escalates a problem."""

    session_id: str
    channel: str
    customer_id: int | None
    customer_phone: str | None
    symptoms: str
    problem_codes: list[str] = field(default_factory=list)
    diagnosis_summary: str = ""
    vehicle: str | None = None
    order_folio: str | None = None
    sku: str | None = None
    dot: str | None = None
    kb_chunk_ids: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    priority_hint: CasePriority | None = None


@dataclass(frozen=True)
class Staffer:
    """Who works a case: the API key prefix (the assignee id) and a readable name."""

    key_prefix: str
    name: str
    actor: str


def _event(
    session: Session,
    case: SupportCase,
    kind: CaseEventKind,
    *,
    actor: str,
    text: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    outbox_id: int | None = None,
    in_conversation: bool = True,
) -> CaseEvent:
    assert case.id is not None
    event = CaseEvent(
        case_id=case.id, actor=actor, kind=kind.value, text=text, from_status=from_status,
        to_status=to_status, outbox_id=outbox_id, in_conversation=in_conversation,
    )  # fmt: skip
    session.add(event)
    return event


def _move(session: Session, case: SupportCase, to: CaseStatus, *, actor: str) -> None:
    assert case.number is not None
    check_transition(case.status, to, number=case.number)
    _event(session, case, CaseEventKind.STATUS, actor=actor, from_status=case.status,
           to_status=to.value)  # fmt: skip
    case.status = to.value
    case.updated_at = utcnow()
    session.add(case)


# --- opening and attaching ---------------------------------------------------------------------


def open_case(session: Session, opening: CaseOpening, *, actor: str) -> tuple[SupportCase, bool]:
    """The customer's case for this problem: the open one (same conversation, customer or phone,
    and a problem that matches) with the new message attached, or a new one whose technicians on
    duty are told through the outbox. Returns (case, created).

    Raises:
        InvalidRequest: unknown problem codes or empty symptoms (naming the field).
    """
    unknown = unknown_problem_codes(opening.problem_codes)
    if unknown:
        raise InvalidRequest(f"unknown problem codes: {', '.join(unknown)}", field="problem_codes")
    if not opening.symptoms.strip():
        raise InvalidRequest("symptoms must not be empty", field="symptoms")
    kind = problem_kind(opening.problem_codes)
    for case in _open_cases_of(session, opening):
        if attaches(case.problem_kind, kind):
            _attach(session, case, opening, kind, actor=actor)
            return case, False
    return _create(session, opening, kind, actor=actor), True


def _open_cases_of(session: Session, opening: CaseOpening) -> list[SupportCase]:
    same = [col(SupportCase.session_id) == opening.session_id]
    if opening.customer_id is not None:
        same.append(col(SupportCase.customer_id) == opening.customer_id)
    if opening.customer_phone:
        same.append(col(SupportCase.customer_phone) == opening.customer_phone)
    query = (
        select(SupportCase)
        .where(col(SupportCase.status).in_(OPEN), sa.or_(*same))
        .order_by(col(SupportCase.id).desc())
    )
    return list(session.exec(query).all())


def _create(session: Session, opening: CaseOpening, kind: str, *, actor: str) -> SupportCase:
    now = utcnow()
    priority = priority_for(opening.problem_codes, opening.priority_hint)
    transcript = opening.transcript[-TRANSCRIPT_LINES:] or [CUSTOMER_LINE + opening.symptoms]
    case = SupportCase(
        customer_id=opening.customer_id, customer_phone=opening.customer_phone,
        channel=opening.channel, session_id=opening.session_id, problem_kind=kind,
        problem_codes=list(opening.problem_codes), diagnosis_summary=opening.diagnosis_summary,
        symptoms=opening.symptoms.strip(), vehicle=opening.vehicle,
        order_folio=opening.order_folio, sku=opening.sku, dot=opening.dot,
        kb_chunk_ids=list(dict.fromkeys(opening.kb_chunk_ids)), transcript=transcript,
        priority=priority.value, sla_due_at=sla_due(now, priority), created_at=now,
        updated_at=now,
    )  # fmt: skip
    session.add(case)
    session.flush()
    assert case.id is not None
    case.number = case_number(case.id)
    session.add(case)
    _event(session, case, CaseEventKind.CREATED, actor=actor, to_status=CaseStatus.NEW.value,
           text=opening.symptoms.strip())  # fmt: skip
    record(session, actor=actor, action="create", entity="support_case", entity_id=case.number,
           priority=priority.value, problem_kind=kind)  # fmt: skip
    _notify_technicians(session, case, actor=actor)
    return case


def _attach(
    session: Session, case: SupportCase, opening: CaseOpening, kind: str, *, actor: str
) -> None:
    line = next(
        (x for x in reversed(opening.transcript) if x.startswith(CUSTOMER_LINE)),
        CUSTOMER_LINE + opening.symptoms.strip(),
    )
    if line not in case.transcript[-3:]:
        case.transcript = [*case.transcript, line]
    case.problem_codes = list(dict.fromkeys([*case.problem_codes, *opening.problem_codes]))
    case.kb_chunk_ids = list(dict.fromkeys([*case.kb_chunk_ids, *opening.kb_chunk_ids]))
    if case.problem_kind == GENERAL_PROBLEM:
        case.problem_kind = kind  # "¿ya me van a hablar?" first, the problem described later
    case.diagnosis_summary = opening.diagnosis_summary or case.diagnosis_summary
    for name in ("vehicle", "order_folio", "sku", "dot"):
        if getattr(case, name) is None and getattr(opening, name):
            setattr(case, name, getattr(opening, name))
    wanted = priority_for(case.problem_codes, opening.priority_hint)
    current = CasePriority(case.priority)
    if PRIORITY_RANK[wanted] > PRIORITY_RANK[current]:
        case.priority = wanted.value
        case.sla_due_at = min(as_utc(case.sla_due_at), as_utc(case.created_at) + SLA[wanted])
    case.updated_at = utcnow()
    session.add(case)
    _event(session, case, CaseEventKind.CUSTOMER_MESSAGE, actor=actor,
           text=line.removeprefix(CUSTOMER_LINE))  # fmt: skip
    if case.status == CaseStatus.WAITING_CUSTOMER:
        _move(session, case, CaseStatus.ASSIGNED, actor=actor)  # the customer answered


def _notify_technicians(session: Session, case: SupportCase, *, actor: str) -> int:
    assert case.number is not None
    priority = CasePriority(case.priority)
    text = new_case_text(case.number, priority, case.symptoms, case.vehicle,
                         local_moment(as_utc(case.sla_due_at)))  # fmt: skip
    sent = 0
    on_duty = session.exec(
        select(Technician).where(col(Technician.on_duty).is_(True)).order_by(col(Technician.id))
    ).all()
    for tech in on_duty:
        to = tech.email if tech.notify_channel == "email" else tech.phone
        if not to:
            continue
        row = queue_message(
            session, kind="case_new", channel=tech.notify_channel, to=to, body=text,
            subject=new_case_subject(case.number, priority) if tech.notify_channel == "email"
            else None,
        )  # fmt: skip
        _event(session, case, CaseEventKind.NOTIFIED, actor=actor, outbox_id=row.id,
               text=f"{tech.name} ({tech.notify_channel})")  # fmt: skip
        sent += 1
    if sent == 0:
        _event(session, case, CaseEventKind.NOTIFIED, actor=actor,
               text="nadie de guardia: el caso espera en la cola")  # fmt: skip
    return sent


def technicians_notified(session: Session, case: SupportCase) -> int:
    """How many technicians were told about the case."""
    return int(
        session.exec(
            select(sa.func.count()).select_from(CaseEvent).where(
                CaseEvent.case_id == case.id, CaseEvent.kind == CaseEventKind.NOTIFIED.value,
                col(CaseEvent.outbox_id).is_not(None),
            )
        ).one()
    )  # fmt: skip


# --- reading ----------------------------------------------------------------------------------


def get_case(session: Session, number: str) -> SupportCase:
    """A case by its number.

    Raises:
        InvalidRequest: not a case number. NotFound: no such case (``field: number``).
    """
    case = session.get(SupportCase, parse_case_number(number))
    if case is None:
        raise NotFound(f"no case {number.strip()}", field="number")
    return case


def customer_case(session: Session, number: str | None, customer_id: int | None) -> SupportCase:
    """A customer's own case: by number, or their latest one. Another customer's case is "not
    found", exactly like one that does not exist."""
    if customer_id is None:
        raise NotFound("no case for this conversation", field="number")
    if number is not None:
        case = get_case(session, number)
        if case.customer_id != customer_id:
            raise NotFound(f"no case {number.strip()}", field="number")
        return case
    latest = session.exec(
        select(SupportCase).where(SupportCase.customer_id == customer_id)
        .order_by(col(SupportCase.id).desc())
    ).first()  # fmt: skip
    if latest is None:
        raise NotFound("no case for this customer", field="number")
    return latest


def session_has_case(session: Session, session_id: str) -> bool:
    """Whether a conversation led to a case (technicians may then read it)."""
    found = session.exec(select(SupportCase.id).where(SupportCase.session_id == session_id))
    return found.first() is not None


def _customer_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Customer.id, Customer.name).where(col(Customer.id).in_(ids)))
    return {i: n for i, n in rows.all() if i is not None}


def summary(case: SupportCase, customer_name: str | None) -> CaseSummary:
    """The list view of a case."""
    assert case.number is not None
    return CaseSummary(
        number=case.number, status=CaseStatus(case.status), priority=CasePriority(case.priority),
        sla_due_at=as_utc(case.sla_due_at),
        overdue=case.status in OPEN and as_utc(case.sla_due_at) < utcnow(),
        problem_kind=case.problem_kind, symptoms=case.symptoms, vehicle=case.vehicle,
        customer_id=case.customer_id, customer_name=customer_name,
        customer_phone=case.customer_phone, channel=case.channel, session_id=case.session_id,
        assignee=case.assignee, assignee_name=case.assignee_name,
        created_at=as_utc(case.created_at), updated_at=as_utc(case.updated_at),
    )  # fmt: skip


def detail(session: Session, case: SupportCase) -> CaseDetail:
    """A case with its context, transcript, media and trail."""
    names = _customer_names(session, {case.customer_id} if case.customer_id else set())
    events = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id))
    ).all()
    media = session.exec(
        select(InboundMedia.url, InboundMedia.content_type)
        .join(InboundMessage, col(InboundMessage.id) == InboundMedia.message_id)
        .where(InboundMessage.session_id == case.session_id)
        .order_by(col(InboundMedia.id))
    ).all()
    return CaseDetail(
        **summary(case, names.get(case.customer_id or 0)).model_dump(),
        problem_codes=case.problem_codes, diagnosis_summary=case.diagnosis_summary,
        order_folio=case.order_folio, sku=case.sku, dot=case.dot,
        kb_chunk_ids=case.kb_chunk_ids, transcript=case.transcript,
        media=[CaseMedia(url=u, content_type=t) for u, t in media],
        resolution_code=ResolutionCode(case.resolution_code) if case.resolution_code else None,
        resolution_note=case.resolution_note,
        resolved_at=as_utc(case.resolved_at) if case.resolved_at else None,
        closed_at=as_utc(case.closed_at) if case.closed_at else None,
        satisfaction=case.satisfaction, satisfaction_comment=case.satisfaction_comment,
        events=[
            CaseEventPublic(
                at=as_utc(e.at), actor=e.actor, kind=e.kind, from_status=e.from_status,
                to_status=e.to_status, text=e.text, outbox_id=e.outbox_id,
            )
            for e in events
        ],
    )  # fmt: skip


@dataclass(frozen=True)
class CaseFilter:
    """What a case list asks for (every part optional)."""

    statuses: list[CaseStatus] | None = None
    assignee: str | None = None
    unassigned: bool = False
    customer_phone: str | None = None
    customer_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def list_cases(
    session: Session, where: CaseFilter, *, limit: int = 50, offset: int = 0
) -> Page[CaseSummary]:
    """Cases that match, most urgent first (priority, then SLA due time)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if where.statuses:
        conditions.append(col(SupportCase.status).in_([s.value for s in where.statuses]))
    if where.assignee is not None:
        conditions.append(col(SupportCase.assignee) == where.assignee)
    if where.unassigned:
        conditions.append(col(SupportCase.assignee).is_(None))
    if where.customer_phone is not None:
        conditions.append(col(SupportCase.customer_phone) == where.customer_phone)
    if where.customer_id is not None:
        conditions.append(col(SupportCase.customer_id) == where.customer_id)
    if where.created_from is not None:
        conditions.append(col(SupportCase.created_at) >= where.created_from)
    if where.created_to is not None:
        conditions.append(col(SupportCase.created_at) < where.created_to)
    total = session.exec(select(sa.func.count()).select_from(SupportCase).where(*conditions)).one()
    rank = sa.case(
        {p.value: -PRIORITY_RANK[p] for p in CasePriority}, value=col(SupportCase.priority)
    )
    rows = session.exec(
        select(SupportCase).where(*conditions)
        .order_by(rank, col(SupportCase.sla_due_at), col(SupportCase.id))
        .limit(limit).offset(offset)
    ).all()  # fmt: skip
    names = _customer_names(session, {c.customer_id for c in rows if c.customer_id})
    items = [summary(c, names.get(c.customer_id or 0)) for c in rows]
    return Page[CaseSummary](items=items, total=int(total), limit=limit, offset=offset)


# --- technicians' actions -----------------------------------------------------------------------


def claim(session: Session, case: SupportCase, staffer: Staffer) -> SupportCase:
    """Take a case (a resolved one is reopened). Taking one already yours changes nothing.

    Raises:
        Conflict: another technician has it (``field: assignee``), or it is closed.
    """
    if case.assignee == staffer.key_prefix and case.status == CaseStatus.ASSIGNED:
        return case
    if case.assignee not in (None, staffer.key_prefix) and case.status in OPEN:
        raise Conflict(
            f"case {case.number} is already assigned to {case.assignee_name or case.assignee}",
            field="assignee",
        )
    _move(session, case, CaseStatus.ASSIGNED, actor=staffer.actor)
    case.assignee, case.assignee_name = staffer.key_prefix, staffer.name
    session.add(case)
    return case


def _claim_if_new(session: Session, case: SupportCase, staffer: Staffer) -> None:
    if case.status == CaseStatus.NEW:
        claim(session, case, staffer)


def comment(session: Session, case: SupportCase, text: str, staffer: Staffer) -> SupportCase:
    """An internal note on the case (never sent to the customer)."""
    if not text.strip():
        raise InvalidRequest("the comment is empty", field="text")
    _event(session, case, CaseEventKind.COMMENT, actor=staffer.actor, text=text.strip())
    case.updated_at = utcnow()
    session.add(case)
    return case


def _customer_contact(session: Session, case: SupportCase) -> tuple[str, str] | None:
    customer = session.get(Customer, case.customer_id) if case.customer_id else None
    phone = case.customer_phone or (customer.phone if customer else None)
    if phone:
        return "whatsapp", phone
    if customer is not None and customer.email:
        return "email", customer.email
    return None


@dataclass(frozen=True)
class ToCustomer:
    """A message for the customer: where it went (None: only into the conversation, for a web
    guest without phone or e-mail) and its outbox row, to send once the transaction commits."""

    to: str | None
    outbox_id: int | None


def _to_customer(
    session: Session, case: SupportCase, kind: CaseEventKind, body: str, *, actor: str
) -> ToCustomer:
    """Queue ``body`` for the customer (WhatsApp, else e-mail) and record it on the case, to be
    appended to their conversation."""
    contact = _customer_contact(session, case)
    outbox_id = None
    if contact is not None:
        channel, to = contact
        row = queue_message(
            session, kind=f"case_{kind.value}", channel=channel, to=to,
            customer_id=case.customer_id, body=body,
            subject=f"Tu caso {case.number}" if channel == "email" else None,
        )  # fmt: skip
        outbox_id = row.id
    _event(session, case, kind, actor=actor, text=body, outbox_id=outbox_id,
           in_conversation=False)  # fmt: skip
    case.transcript = [*case.transcript, f"TopLlantas: {body}"]
    case.updated_at = utcnow()
    session.add(case)
    return ToCustomer(to=contact[1] if contact else None, outbox_id=outbox_id)


def reply(
    session: Session, case: SupportCase, text: str, staffer: Staffer, *, wait: bool = True
) -> tuple[SupportCase, ToCustomer]:
    """Answer the customer: an outbox message to their WhatsApp (or e-mail) and a line in their
    conversation. A new case is claimed by the one who answers; with ``wait`` the case then
    waits for the customer. Returns the case and the message.

    Raises:
        Conflict: the case is resolved or closed. InvalidRequest: empty text (``field: text``).
    """
    if not text.strip():
        raise InvalidRequest("the reply is empty", field="text")
    if case.status not in OPEN:
        raise Conflict(f"case {case.number} is {case.status}; reopen it (claim) to reply",
                       field="status")  # fmt: skip
    _claim_if_new(session, case, staffer)
    assert case.number is not None
    sent_to = _to_customer(session, case, CaseEventKind.REPLY, reply_text(case.number, text.strip()),
                           actor=staffer.actor)  # fmt: skip
    if wait and case.status == CaseStatus.ASSIGNED:
        _move(session, case, CaseStatus.WAITING_CUSTOMER, actor=staffer.actor)
    return case, sent_to


def resolve(
    session: Session, case: SupportCase, code: ResolutionCode, note: str, staffer: Staffer
) -> tuple[SupportCase, ToCustomer]:
    """Resolve with a code and a note; the customer gets the follow-up with the satisfaction
    question (1-5). A new case is claimed by the one who resolves it. Returns the case and the
    survey message.

    Raises:
        Conflict: the case is already resolved or closed.
    """
    _claim_if_new(session, case, staffer)
    _move(session, case, CaseStatus.RESOLVED, actor=staffer.actor)
    case.resolution_code, case.resolution_note = code.value, note.strip() or None
    case.resolved_at = utcnow()
    session.add(case)
    record(session, actor=staffer.actor, action="resolve", entity="support_case",
           entity_id=case.number, resolution_code=code.value)  # fmt: skip
    customer = session.get(Customer, case.customer_id) if case.customer_id else None
    assert case.number is not None
    sent_to = _to_customer(session, case, CaseEventKind.SURVEY,
                           survey_text(customer.name if customer else "", case.number),
                           actor=staffer.actor)  # fmt: skip
    return case, sent_to


def close(session: Session, case: SupportCase, staffer: Staffer) -> SupportCase:
    """Close a resolved case.

    Raises:
        Conflict: the case is not resolved (``field: status``).
    """
    _move(session, case, CaseStatus.CLOSED, actor=staffer.actor)
    case.closed_at = utcnow()
    session.add(case)
    return case


def rate(
    session: Session, case: SupportCase, rating: int, comment_text: str | None, *, actor: str
) -> SupportCase:
    """Store the customer's satisfaction (1-5 and a comment) on a resolved or closed case.

    Raises:
        InvalidRequest: rating outside 1-5. Conflict: the case is still open.
    """
    if not 1 <= rating <= 5:
        raise InvalidRequest("rating must be 1 to 5", field="rating")
    if case.status in OPEN:
        raise Conflict(f"case {case.number} is still open; rate it once resolved", field="status")
    case.satisfaction = rating
    case.satisfaction_comment = (comment_text or "").strip() or None
    case.rated_at = utcnow()
    case.updated_at = case.rated_at
    session.add(case)
    _event(session, case, CaseEventKind.RATING, actor=actor,
           text=f"{rating}/5" + (f": {case.satisfaction_comment}" if case.satisfaction_comment
                                 else ""))  # fmt: skip
    return case


# --- the customer's conversation ----------------------------------------------------------------


def pending_for_conversation(
    session: Session, *, limit: int = 100
) -> list[tuple[int, str, str, str]]:
    """Replies and surveys not yet appended to the customer's conversation: (event id,
    session id, text, event kind), oldest first."""
    rows = session.exec(
        select(CaseEvent.id, SupportCase.session_id, CaseEvent.text, CaseEvent.kind)
        .join(SupportCase, col(SupportCase.id) == CaseEvent.case_id)
        .where(col(CaseEvent.in_conversation).is_(False))
        .order_by(col(CaseEvent.id)).limit(limit)
    ).all()  # fmt: skip
    return [(i, s, t or "", k) for i, s, t, k in rows if i is not None]


def mark_in_conversation(session: Session, event_id: int) -> None:
    """The message is in the customer's conversation now."""
    session.execute(
        sa.update(CaseEvent).where(col(CaseEvent.id) == event_id).values(in_conversation=True)
    )
