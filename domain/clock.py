"""Time: we store timezone-aware UTC and speak Mexico City time (one home for both)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The IANA zone, not a fixed UTC-6: the rules live in tzdata, so a future change is an update.
MEXICO_CITY = ZoneInfo("America/Mexico_City")


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A datetime in UTC; naive input is taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def mexico_now() -> datetime:
    """Now, in Mexico City time (what customers and staff call "hoy" and "mañana")."""
    return datetime.now(MEXICO_CITY)


def to_mexico(value: datetime) -> datetime:
    """A stored datetime (aware, or naive UTC) as Mexico City local time."""
    return as_utc(value).astimezone(MEXICO_CITY)


def mexico_today() -> date:
    """Today's date in Mexico City."""
    return mexico_now().date()
