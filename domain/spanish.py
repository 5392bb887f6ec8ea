"""Spanish (es-MX) formatting of dates and times: the one place month and weekday names live."""

from __future__ import annotations

from datetime import date, datetime

from domain.clock import to_mexico

MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def day_month(day: date) -> str:
    """``1 de diciembre``."""
    return f"{day.day} de {MONTHS[day.month - 1]}"


def weekday_day_month(day: date) -> str:
    """``martes 1 de diciembre``."""
    return f"{WEEKDAYS[day.weekday()]} {day_month(day)}"


def clock_time(at: datetime) -> str:
    """``14:30`` (24-hour clock, as Mexican receipts and WhatsApp messages write it)."""
    return f"{at:%H:%M}"


def local_moment(at: datetime) -> str:
    """A stored instant in Mexico City time: ``martes 1 de diciembre, 22:04``."""
    local = to_mexico(at)
    return f"{weekday_day_month(local.date())}, {clock_time(local)}"


def local_day(at: datetime) -> str:
    """The Mexico City day of a stored instant: ``martes 1 de diciembre``."""
    return weekday_day_month(to_mexico(at).date())


def clock_12h(at: datetime) -> str:
    """``2:15 PM`` (the 12-hour clock customers read in delivery messages)."""
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"
