"""Technician support cases: statuses and their legal moves, priority and SLA from the problem's
severity, case numbers (CS-000123), resolution codes, and the Spanish texts a case sends."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from core.errors import Conflict, InvalidRequest
from domain.diagnosis import BY_CODE, Urgency


class CaseStatus(StrEnum):
    """Where a case stands; legal moves are in TRANSITIONS."""

    NEW = "new"  # nobody has it yet
    ASSIGNED = "assigned"  # a technician works on it
    WAITING_CUSTOMER = "waiting_customer"  # the technician asked the customer something
    RESOLVED = "resolved"  # answered with a resolution code; the survey went out
    CLOSED = "closed"  # done; a new message opens a new case


OPEN_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.WAITING_CUSTOMER})

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.ASSIGNED}),
    CaseStatus.ASSIGNED: frozenset({CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED}),
    CaseStatus.WAITING_CUSTOMER: frozenset({CaseStatus.ASSIGNED, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.ASSIGNED}),  # reopened
    CaseStatus.CLOSED: frozenset(),
}


def check_transition(current: str, wanted: CaseStatus, *, number: str) -> None:
    """Refuse a move the status machine does not allow.

    Raises:
        Conflict: the move is not legal from the current status (``field: status``).
    """
    allowed = TRANSITIONS[CaseStatus(current)]
    if wanted not in allowed:
        legal = ", ".join(sorted(s.value for s in allowed)) or "none (the case is closed)"
        raise Conflict(
            f"case {number} is {current}; it cannot move to {wanted.value} (allowed: {legal})",
            field="status",
        )


class CasePriority(StrEnum):
    """How soon a technician must answer."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


PRIORITY_RANK = {CasePriority.LOW: 0, CasePriority.NORMAL: 1, CasePriority.HIGH: 2,
                 CasePriority.URGENT: 3}  # fmt: skip
# First answer due within: a tire that must not be driven on gets a call within the hour.
SLA = {
    CasePriority.URGENT: timedelta(hours=1),
    CasePriority.HIGH: timedelta(hours=4),
    CasePriority.NORMAL: timedelta(hours=24),
    CasePriority.LOW: timedelta(hours=72),
}
_BY_URGENCY = {
    Urgency.STOP: CasePriority.URGENT,
    Urgency.SOON: CasePriority.HIGH,
    Urgency.ROUTINE: CasePriority.NORMAL,
}


def priority_for(problem_codes: Iterable[str], hint: CasePriority | None = None) -> CasePriority:
    """The priority of the most severe problem; a hint may raise it, never lower it (a customer
    cannot make a bulge wait by saying it is not urgent). No known problem: normal, or the hint."""
    levels = [_BY_URGENCY[BY_CODE[c].urgency] for c in problem_codes if c in BY_CODE]
    if hint is not None:
        levels.append(hint)
    if not levels:
        return CasePriority.NORMAL
    return max(levels, key=PRIORITY_RANK.__getitem__)


def sla_due(created_at: datetime, priority: CasePriority) -> datetime:
    """When the first answer is due."""
    return created_at + SLA[priority]


def unknown_problem_codes(codes: Iterable[str]) -> list[str]:
    """Codes that domain.diagnosis does not know."""
    return [c for c in codes if c not in BY_CODE]


GENERAL_PROBLEM = "general"


def problem_kind(problem_codes: list[str]) -> str:
    """The kind a case is about: its main problem code, or ``general`` when none is known."""
    return problem_codes[0] if problem_codes else GENERAL_PROBLEM


def attaches(open_kind: str, new_kind: str) -> bool:
    """Whether a new message about ``new_kind`` belongs to an open case about ``open_kind``: the
    same problem, or either side without a known problem ("¿ya me van a hablar?")."""
    return GENERAL_PROBLEM in (open_kind, new_kind) or open_kind == new_kind


_NUMBER = re.compile(r"^\s*#?\s*cs[\s-]*0*(\d{1,9})\s*$", re.IGNORECASE)


def case_number(case_id: int) -> str:
    """The number people read: CS-000123."""
    return f"CS-{case_id:06d}"


def parse_case_number(text: str) -> int:
    """The case id inside ``CS-000123``, ``cs 123`` or ``#CS-123``.

    Raises:
        InvalidRequest: the text is not a case number (``field: number``).
    """
    match = _NUMBER.match(text)
    if not match or int(match[1]) == 0:
        raise InvalidRequest(f"'{text}' is not a case number like CS-000123", field="number")
    return int(match[1])


class ResolutionCode(StrEnum):
    """How a case ended."""

    REPAIRED = "repaired"
    REPLACED = "replaced"
    WARRANTY_APPROVED = "warranty_approved"
    WARRANTY_DENIED = "warranty_denied"
    SERVICE_BOOKED = "service_booked"
    ADVICE_GIVEN = "advice_given"
    NO_FAULT_FOUND = "no_fault_found"
    DUPLICATE = "duplicate"
    NO_RESPONSE = "no_response"
    OTHER = "other"


class CaseEventKind(StrEnum):
    """One line of a case's trail."""

    CREATED = "created"
    CUSTOMER_MESSAGE = "customer_message"  # a later message that attached to the case
    COMMENT = "comment"  # internal note, never sent
    STATUS = "status"
    REPLY = "reply"  # sent to the customer
    SURVEY = "survey"  # the follow-up with the satisfaction question
    RATING = "rating"
    NOTIFIED = "notified"  # technicians on duty were told


class NotifyChannel(StrEnum):
    """How a technician is told about a new case."""

    WHATSAPP = "whatsapp"
    EMAIL = "email"


# --- Spanish (es-MX) texts a case sends --------------------------------------------------------

PRIORITY_ES = {
    CasePriority.URGENT: "urgente",
    CasePriority.HIGH: "alta",
    CasePriority.NORMAL: "normal",
    CasePriority.LOW: "baja",
}
TECHNICIAN_LINE = "Técnico TopLlantas"


def new_case_subject(number: str, priority: CasePriority) -> str:
    """The e-mail subject of a new case notice."""
    return f"Nuevo caso {number} (prioridad {PRIORITY_ES[priority]})"


def new_case_text(
    number: str, priority: CasePriority, symptoms: str, vehicle: str | None, due: str
) -> str:
    """What a technician on duty reads about a new case."""
    car = f" · {vehicle}" if vehicle else ""
    return (
        f"Nuevo caso {number}, prioridad {PRIORITY_ES[priority]}{car}. "
        f"Síntomas: {symptoms[:300]}. Primera respuesta antes de: {due}."
    )


def reply_text(number: str, text: str) -> str:
    """A technician's answer as the customer receives it."""
    return f"{TECHNICIAN_LINE} (caso {number}): {text}"


def survey_text(name: str, number: str) -> str:
    """The follow-up after resolution, with the satisfaction question."""
    first = name.split()[0] if name.split() else "cliente"
    return (
        f"Hola, {first}. Dimos por resuelto tu caso {number}. Si algo sigue mal, respóndenos y lo "
        "retomamos. ¿Cómo calificas la atención del 1 al 5 (5 = excelente)? Si quieres, "
        "agrega un comentario."
    )
