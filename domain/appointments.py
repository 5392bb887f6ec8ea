"""Service appointments: the services booked in a bay, each branch's slot grid from its opening
hours (Mexico City time), and why a requested time cannot be booked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from core.errors import InvalidRequest
from domain.clock import MEXICO_CITY, as_utc
from domain.spanish import WEEKDAYS, clock_time, weekday_day_month
from domain.text import fold, fold_words


class ServiceKind(StrEnum):
    """A service done in a bay (each branch has bays per service)."""

    ALIGNMENT = "alignment"
    BALANCING = "balancing"
    ROTATION = "rotation"
    INSTALLATION = "installation"
    WARRANTY_INSPECTION = "warranty_inspection"


@dataclass(frozen=True, slots=True)
class BayService:
    """How a service is booked: its Spanish name, the slot length and the words people use."""

    kind: ServiceKind
    name: str
    minutes: int
    words: tuple[str, ...]


BAY_SERVICES: dict[ServiceKind, BayService] = {
    s.kind: s
    for s in (
        BayService(ServiceKind.ALIGNMENT, "Alineación", 60, ("alineacion", "alinear", "alineen")),
        BayService(ServiceKind.BALANCING, "Balanceo", 30, ("balanceo", "balancear", "balanceen")),
        BayService(ServiceKind.ROTATION, "Rotación", 30, ("rotacion", "rotar", "roten")),
        BayService(
            ServiceKind.INSTALLATION,
            "Instalación",
            60,
            ("instalacion", "instalar", "montaje", "montar", "cambio de llantas"),
        ),
        BayService(
            ServiceKind.WARRANTY_INSPECTION,
            "Inspección de garantía",
            30,
            ("garantia", "inspeccion", "revision de garantia", "reclamo"),
        ),
    )
}


class AppointmentStatus(StrEnum):
    """Where an appointment stands; only ``booked`` takes a place in its slot."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"
    NO_SHOW = "no_show"


# A booking must start at least this long from now (the shop needs to see it coming), and no
# later than the horizon (bays are planned about two months out).
MIN_LEAD = timedelta(minutes=30)
HORIZON_DAYS = 60
REMINDER_KIND = "appointment_reminder"


def parse_service(text: str) -> ServiceKind:
    """A service from its code or the words customers use ("alineación", "balancear").

    Raises:
        InvalidRequest: no such service (the message lists ours).
    """
    wanted = fold_words(text.replace("_", " "))
    for service in BAY_SERVICES.values():
        if wanted in (fold_words(service.kind.value.replace("_", " ")), fold_words(service.name)):
            return service.kind
    for service in BAY_SERVICES.values():
        if any(word in wanted for word in service.words):
            return service.kind
    names = ", ".join(s.name.lower() for s in BAY_SERVICES.values())
    raise InvalidRequest(f"No agendamos «{text.strip()}»; los servicios con cita son: {names}.",
                         field="service")  # fmt: skip


def appointment_number(appointment_id: int) -> str:
    """The number people read: CT-000123 (cita)."""
    return f"CT-{appointment_id:06d}"


def parse_appointment_number(text: str) -> int:
    """The id behind ``CT-000123`` (also ``ct 123``, ``123``).

    Raises:
        InvalidRequest: not an appointment number.
    """
    found = re.fullmatch(r"\s*(?:ct)?[\s#-]*0*(\d{1,9})\s*", text, flags=re.IGNORECASE)
    if found is None:
        raise InvalidRequest(f"{text!r} is not an appointment number (CT-000123)", field="number")
    return int(found.group(1))


# --- opening hours ---------------------------------------------------------------------------

_DAY_KEYS = {"lun": 0, "mar": 1, "mie": 2, "jue": 3, "vie": 4, "sab": 5, "dom": 6}
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def _days(key: str) -> list[int]:
    parts = [fold(p).strip()[:3] for p in key.split("-")]
    if any(p not in _DAY_KEYS for p in parts) or len(parts) > 2:
        raise InvalidRequest(f"opening hours: unknown day key {key!r} (lun-vie, sab, dom)")
    first, last = _DAY_KEYS[parts[0]], _DAY_KEYS[parts[-1]]
    return list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(last + 1)]


def weekly_hours(opening_hours: dict[str, str]) -> dict[int, tuple[time, time] | None]:
    """Opening hours as stored on a branch (``{"lun-vie": "08:30-19:00", "dom": "cerrado"}``)
    by weekday (0 = Monday): (opens, closes), or None when closed or not stated."""
    week: dict[int, tuple[time, time] | None] = dict.fromkeys(range(7))
    for key, value in opening_hours.items():
        found = _HOURS.fullmatch(value.strip())
        hours = None
        if found is not None:
            h1, m1, h2, m2 = (int(g) for g in found.groups())
            hours = (time(h1, m1), time(h2, m2))
            if hours[0] >= hours[1]:
                raise InvalidRequest(f"opening hours: {key} closes before it opens ({value!r})")
        for weekday in _days(key):
            week[weekday] = hours
    return week


def slot_starts(opening_hours: dict[str, str], day: date, minutes: int) -> list[datetime]:
    """The slot grid of a day: starts every ``minutes`` from opening, the last one ending by
    closing time; Mexico City time, timezone-aware. Empty when the branch is closed."""
    hours = weekly_hours(opening_hours)[day.weekday()]
    if hours is None:
        return []
    opens = datetime.combine(day, hours[0], tzinfo=MEXICO_CITY)
    closes = datetime.combine(day, hours[1], tzinfo=MEXICO_CITY)
    step = timedelta(minutes=minutes)
    starts = []
    at = opens
    while at + step <= closes:
        starts.append(at)
        at += step
    return starts


class SlotProblem(StrEnum):
    """Why a requested time cannot be booked (before looking at how full it is)."""

    PAST = "past"
    TOO_FAR = "too_far"
    CLOSED_DAY = "closed_day"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"


def local_start(day: date, at: time) -> datetime:
    """A day and a wall-clock time in Mexico City, timezone-aware."""
    return datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=MEXICO_CITY)


def slot_problem(
    opening_hours: dict[str, str], service: ServiceKind, start: datetime, now: datetime
) -> SlotProblem | None:
    """None when ``start`` is a slot of the branch's grid for the service, in the bookable
    window; otherwise the first reason it is not."""
    local = as_utc(start).astimezone(MEXICO_CITY)
    if as_utc(start) < as_utc(now) + MIN_LEAD:
        return SlotProblem.PAST
    if local.date() > as_utc(now).astimezone(MEXICO_CITY).date() + timedelta(days=HORIZON_DAYS):
        return SlotProblem.TOO_FAR
    hours = weekly_hours(opening_hours)[local.weekday()]
    if hours is None:
        return SlotProblem.CLOSED_DAY
    grid = slot_starts(opening_hours, local.date(), BAY_SERVICES[service].minutes)
    if not any(local == s for s in grid):
        ends = local + timedelta(minutes=BAY_SERVICES[service].minutes)
        closes = datetime.combine(local.date(), hours[1], tzinfo=MEXICO_CITY)
        fits = hours[0] <= local.time() and ends <= closes
        return SlotProblem.OFF_GRID if fits else SlotProblem.OUTSIDE_HOURS
    return None


def hours_text(opening_hours: dict[str, str], day: date) -> str:
    """A day's hours in words: ``de 08:30 a 19:00`` or ``cerrado``."""
    hours = weekly_hours(opening_hours)[day.weekday()]
    if hours is None:
        return "cerrado"
    return f"de {hours[0]:%H:%M} a {hours[1]:%H:%M}"


def when_text(start: datetime) -> str:
    """``martes 1 de diciembre a las 10:30`` (Mexico City time)."""
    local = as_utc(start).astimezone(MEXICO_CITY)
    return f"{weekday_day_month(local.date())} a las {clock_time(local)}"


def weekday_name(day: date) -> str:
    """``lunes`` ... ``domingo``."""
    return WEEKDAYS[day.weekday()]


def reminder_text(name: str, service: ServiceKind, branch: str, address: str,
                  start: datetime, number: str) -> str:  # fmt: skip
    """The day-before reminder the customer receives."""
    return (
        f"Hola, {name}. Te recordamos tu cita de {BAY_SERVICES[service].name.lower()} mañana "
        f"{when_text(start)} en {branch} ({address}). Folio {number}. Si necesitas moverla o "
        "cancelarla, responde a este mensaje."
    )
