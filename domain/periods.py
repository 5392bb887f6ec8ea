"""Reporting periods staff name ("este mes", "el mes pasado", "octubre", "la semana pasada"):
a closed set of relative periods, or a calendar month, resolved against a reference day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.spanish import MONTHS, day_month


class Period(StrEnum):
    """A period relative to the reference day (the last day with sales)."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"
    THIS_YEAR = "this_year"


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")  # "2026-10": a calendar month
PERIOD_HELP = "today, yesterday, this_week, last_week, this_month, last_month, last_7_days, " \
    "last_30_days, last_90_days, this_year, o un mes AAAA-MM"  # fmt: skip


@dataclass(frozen=True)
class Span:
    """A closed range of days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days it covers."""
        return (self.end - self.start).days + 1

    def label(self) -> str:
        """ "del 1 al 19 de noviembre" in Spanish."""
        if self.start == self.end:
            return f"el {day_month(self.start)}"
        if self.start.month == self.end.month and self.start.year == self.end.year:
            return f"del {self.start.day} al {day_month(self.end)}"
        return f"del {day_month(self.start)} al {day_month(self.end)}"


def _month(year: int, month: int) -> Span:
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Span(start, following - timedelta(days=1))


def valid_period(value: str) -> bool:
    """Whether ``value`` names a period this module resolves."""
    if value in Period._value2member_map_:
        return True
    found = MONTH_PATTERN.match(value)
    return found is not None and 1 <= int(found[2]) <= 12


def resolve(value: str, reference: date) -> Span:
    """The days of a period, cut at ``reference`` (a month still running ends there).

    Raises:
        ValueError: an unknown period (the message lists the valid ones).
    """
    found = MONTH_PATTERN.match(value)
    if found:
        month = int(found[2])
        if not 1 <= month <= 12:
            raise ValueError(f"periodo inválido {value!r}: {PERIOD_HELP}")
        span = _month(int(found[1]), month)
        return Span(span.start, min(span.end, reference)) if span.start <= reference else span
    try:
        period = Period(value)
    except ValueError as exc:
        raise ValueError(f"periodo inválido {value!r}: {PERIOD_HELP}") from exc
    r = reference
    monday = r - timedelta(days=r.weekday())
    spans = {
        Period.TODAY: Span(r, r),
        Period.YESTERDAY: Span(r - timedelta(days=1), r - timedelta(days=1)),
        Period.THIS_WEEK: Span(monday, r),
        Period.LAST_WEEK: Span(monday - timedelta(days=7), monday - timedelta(days=1)),
        Period.THIS_MONTH: Span(r.replace(day=1), r),
        Period.LAST_MONTH: _month(*_previous_month(r)),
        Period.LAST_7_DAYS: Span(r - timedelta(days=6), r),
        Period.LAST_30_DAYS: Span(r - timedelta(days=29), r),
        Period.LAST_90_DAYS: Span(r - timedelta(days=89), r),
        Period.THIS_YEAR: Span(date(r.year, 1, 1), r),
    }
    return spans[period]


def _previous_month(day: date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def previous(span: Span, value: str) -> Span:
    """The period before: the previous calendar month for a month (same days elapsed when the
    month is still running), otherwise the same number of days just before."""
    if value == Period.THIS_MONTH or MONTH_PATTERN.match(value) or value == Period.LAST_MONTH:
        year, month = _previous_month(span.start)
        whole = _month(year, month)
        if span.end != _month(span.start.year, span.start.month).end:
            # "este mes" to the 19th is compared with the 1st-19th of the month before.
            end = min(whole.start + timedelta(days=span.days - 1), whole.end)
            return Span(whole.start, end)
        return whole
    return Span(span.start - timedelta(days=span.days), span.start - timedelta(days=1))


def year_before(span: Span) -> Span:
    """The same days one year earlier (29 February becomes the 28th)."""

    def back(day: date) -> date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return Span(back(span.start), back(span.end))


def month_name(value: str) -> str | None:
    """ "octubre de 2026" for "2026-10"."""
    found = MONTH_PATTERN.match(value)
    if not found:
        return None
    return f"{MONTHS[int(found[2]) - 1]} de {found[1]}"
