"""The executive dashboard's types: periods, KPI cards, chart series, insights (no I/O)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from domain.analytics import SalesRowPublic

Period = Literal["day", "week", "month", "year"]
PERIOD_LABEL: dict[str, str] = {
    "day": "Día",
    "week": "Últimos 7 días",
    "month": "Mes en curso",
    "year": "Año en curso",
}
Unit = Literal["mxn", "units", "pct", "count", "score", "turns", "days"]
Status = Literal["ok", "alert", "pending"]
PENDING = "pendiente"


def period_bounds(period: Period, as_of: date) -> tuple[date, date]:
    """The first and last day of a period that ends on ``as_of`` (to date)."""
    if period == "day":
        return as_of, as_of
    if period == "week":
        return as_of - timedelta(days=6), as_of
    if period == "month":
        return as_of.replace(day=1), as_of
    return as_of.replace(month=1, day=1), as_of


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` earlier (negative) or later, clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def prorated_target(monthly: dict[date, int], start: date, end: date) -> int | None:
    """The target for ``start..end``: each day gets its month's target / days in the month.
    None when a month in the range has no target."""
    total = 0.0
    day = start
    while day <= end:
        target = monthly.get(month_start(day))
        if target is None:
            return None
        total += target / calendar.monthrange(day.year, day.month)[1]
        day += timedelta(days=1)
    return round(total)


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change, None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return round((current - previous) / previous, 4)


class Kpi(BaseModel):
    """One card: a figure, how it compares and whether it is out of range."""

    key: str
    label: str
    value: float | None = Field(description="None = pendiente (no data source yet)")
    unit: Unit
    status: Status
    hint: str = Field("", description="What the figure is, or why it is pending")
    target: float | None = None
    vs_previous_month: float | None = Field(None, description="Relative change")
    vs_previous_year: float | None = Field(None, description="Relative change")
    link: str | None = None


class Insight(BaseModel):
    """A rule that fired: what it saw, what to do and where to do it."""

    rule: str
    severity: Literal["alta", "media", "info"]
    text: str
    action: str
    link: str


class TrendPoint(BaseModel):
    """Revenue of one day (or month) and of the same day a year earlier."""

    key: str
    revenue_cents: int
    revenue_last_year_cents: int


class Dashboard(BaseModel):
    """Everything the executive dashboard shows for one branch (or all) and one period."""

    as_of: date
    period: Period
    branch: str | None
    date_from: date
    date_to: date
    sales: list[Kpi]
    inventory: list[Kpi]
    logistics: list[Kpi]
    agents: list[Kpi]
    trend: list[TrendPoint]
    by_branch: list[SalesRowPublic]
    by_brand: list[SalesRowPublic]
    by_size: list[SalesRowPublic]
    insights: list[Insight]
    branches: list[str]
