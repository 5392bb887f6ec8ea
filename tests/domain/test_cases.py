from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict, InvalidRequest
from domain.cases import (
    GENERAL_PROBLEM,
    TRANSITIONS,
    CasePriority,
    CaseStatus,
    attaches,
    case_number,
    check_transition,
    parse_case_number,
    priority_for,
    problem_kind,
    sla_due,
)


def test_case_numbers_round_trip_in_the_ways_people_write_them() -> None:
    assert case_number(123) == "CS-000123"
    for text in ("CS-000123", "cs 123", "#CS-123", " Cs-0123 "):
        assert parse_case_number(text) == 123
    for bad in ("TL-000123", "CS-", "123", "CS-000000"):
        with pytest.raises(InvalidRequest) as err:
            parse_case_number(bad)
        assert err.value.field == "number"


def test_the_status_machine_moves_forward_and_a_closed_case_stays_closed() -> None:
    check_transition("new", CaseStatus.ASSIGNED, number="CS-000001")
    check_transition("assigned", CaseStatus.WAITING_CUSTOMER, number="CS-000001")
    check_transition("waiting_customer", CaseStatus.RESOLVED, number="CS-000001")
    check_transition("resolved", CaseStatus.CLOSED, number="CS-000001")
    assert TRANSITIONS[CaseStatus.CLOSED] == frozenset()
    with pytest.raises(Conflict, match="cannot move to closed"):
        check_transition("new", CaseStatus.CLOSED, number="CS-000001")
    with pytest.raises(Conflict, match="the case is closed"):
        check_transition("closed", CaseStatus.ASSIGNED, number="CS-000001")


def test_priority_follows_the_worst_problem_and_a_hint_only_raises_it() -> None:
    assert priority_for(["bulge"]) == CasePriority.URGENT  # do not drive on it
    assert priority_for(["vibration", "bulge"]) == CasePriority.URGENT
    assert priority_for(["puncture"]) == CasePriority.HIGH
    assert priority_for([]) == CasePriority.NORMAL
    assert priority_for(["bulge"], CasePriority.LOW) == CasePriority.URGENT
    assert priority_for([], CasePriority.HIGH) == CasePriority.HIGH
    assert priority_for(["not_a_code"]) == CasePriority.NORMAL


def test_sla_is_shorter_for_more_urgent_cases() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert sla_due(now, CasePriority.URGENT) == now + timedelta(hours=1)
    assert sla_due(now, CasePriority.URGENT) < sla_due(now, CasePriority.HIGH)
    assert sla_due(now, CasePriority.NORMAL) < sla_due(now, CasePriority.LOW)


def test_a_message_without_a_known_problem_attaches_to_any_open_case() -> None:
    assert problem_kind([]) == GENERAL_PROBLEM
    assert problem_kind(["vibration", "pulling"]) == "vibration"
    assert attaches("vibration", GENERAL_PROBLEM)
    assert attaches(GENERAL_PROBLEM, "bulge")
    assert attaches("bulge", "bulge")
    assert not attaches("bulge", "vibration")
