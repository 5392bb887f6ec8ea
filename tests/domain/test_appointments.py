"""The slot grid from a branch's opening hours, and why a time cannot be booked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from core.errors import InvalidRequest
from domain.appointments import (
    ServiceKind,
    SlotProblem,
    local_start,
    parse_appointment_number,
    parse_service,
    slot_problem,
    slot_starts,
    weekly_hours,
)
from domain.clock import MEXICO_CITY

HOURS = {"lun-vie": "08:30-19:00", "sab": "08:30-15:00", "dom": "cerrado"}
MONDAY = date(2026, 11, 30)
SATURDAY = date(2026, 12, 5)
SUNDAY = date(2026, 12, 6)
NOW = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Sunday 10:00 in Mexico City


def test_weekly_hours_read_day_ranges_single_days_and_closed() -> None:
    week = weekly_hours(HOURS)
    assert week[0] == week[4] == (time(8, 30), time(19, 0))
    assert week[5] == (time(8, 30), time(15, 0))
    assert week[6] is None
    assert weekly_hours({"lun-mié": "09:00-14:00", "sáb": "10:00-12:00"})[2] == (
        time(9),
        time(14),
    )
    assert weekly_hours({"lun-mié": "09:00-14:00"})[3] is None  # not stated: closed
    assert weekly_hours({"vie-lun": "09:00-14:00"})[6] == (time(9), time(14))  # wraps the week
    with pytest.raises(InvalidRequest):
        weekly_hours({"feriados": "09:00-14:00"})


def test_the_grid_steps_by_the_service_length_and_ends_by_closing_time() -> None:
    hourly = slot_starts(HOURS, MONDAY, 60)
    assert [f"{s:%H:%M}" for s in hourly[:2]] == ["08:30", "09:30"]
    assert f"{hourly[-1]:%H:%M}" == "17:30"  # 18:30-19:30 would end after closing
    assert len(hourly) == 10
    half = slot_starts(HOURS, MONDAY, 30)
    assert len(half) == 21 and f"{half[-1]:%H:%M}" == "18:30"
    assert f"{slot_starts(HOURS, SATURDAY, 30)[-1]:%H:%M}" == "14:30"
    assert slot_starts(HOURS, SUNDAY, 30) == []
    assert all(s.tzinfo is MEXICO_CITY for s in hourly)
    # Mexico City has no DST since 2022: 08:30 there is 14:30 UTC all year.
    assert hourly[0].astimezone(UTC).hour == 14


@pytest.mark.parametrize(
    ("day", "at", "problem"),
    [
        (MONDAY, time(9, 30), None),
        (MONDAY, time(17, 30), None),
        (MONDAY, time(18, 30), SlotProblem.OUTSIDE_HOURS),  # would end after 19:00
        (MONDAY, time(7, 0), SlotProblem.OUTSIDE_HOURS),
        (MONDAY, time(9, 0), SlotProblem.OFF_GRID),
        (SUNDAY, time(10, 30), SlotProblem.CLOSED_DAY),
        (date(2026, 11, 29), time(10, 0), SlotProblem.PAST),  # now
        (date(2026, 11, 28), time(10, 30), SlotProblem.PAST),
        (date(2027, 3, 1), time(9, 30), SlotProblem.TOO_FAR),
    ],
)
def test_slot_problems_for_an_hour_long_service(
    day: date, at: time, problem: SlotProblem | None
) -> None:
    assert slot_problem(HOURS, ServiceKind.ALIGNMENT, local_start(day, at), NOW) == problem


def test_a_slot_closer_than_the_lead_time_counts_as_past() -> None:
    monday_morning = datetime(2026, 11, 30, 14, 15, tzinfo=UTC)  # 08:15 in Mexico City
    first = local_start(MONDAY, time(8, 30))
    assert slot_problem(HOURS, ServiceKind.BALANCING, first, monday_morning) == SlotProblem.PAST
    assert slot_problem(HOURS, ServiceKind.BALANCING, local_start(MONDAY, time(9)), NOW) is None


def test_services_and_numbers_are_read_the_way_people_write_them() -> None:
    assert parse_service("alineación") == ServiceKind.ALIGNMENT
    assert parse_service("quiero que me alineen") == ServiceKind.ALIGNMENT
    assert parse_service("Balanceo") == ServiceKind.BALANCING
    assert parse_service("warranty_inspection") == ServiceKind.WARRANTY_INSPECTION
    assert parse_service("revision de garantia") == ServiceKind.WARRANTY_INSPECTION
    with pytest.raises(InvalidRequest, match="alineación"):
        parse_service("afinación")
    assert parse_appointment_number("CT-000123") == 123
    assert parse_appointment_number("ct 45") == 45
    with pytest.raises(InvalidRequest):
        parse_appointment_number("TL-000123")
