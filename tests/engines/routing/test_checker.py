"""Our checker schedules any routes itself and rejects broken plans, whatever produced them."""

from __future__ import annotations

import dataclasses

from engines.routing import Point, Problem, ProblemBuilder, ViolationKind, check_plan, evaluate
from engines.routing.model import Scale


def _line() -> Problem:
    """Clients on a line, 10 units apart; travel time = distance (units read as minutes)."""
    builder = ProblemBuilder(scale=Scale.dimacs()).add_depot("d", Point(0, 0), closes=200)
    builder.add_vehicle_type("v", depot="d", capacity_tires=10, count=2, shift_end=200)
    builder.add_client("a", Point(10, 0), tires=4, window_start=0, window_end=15, service_minutes=5)
    builder.add_client(
        "b", Point(20, 0), tires=4, window_start=30, window_end=40, service_minutes=5
    )
    builder.add_client(
        "c", Point(30, 0), tires=4, window_start=0, window_end=200, service_minutes=5
    )
    return builder.build()


def _kinds(plan_violations: object) -> set[ViolationKind]:
    return {v.kind for v in plan_violations}  # type: ignore[attr-defined]


def test_a_good_plan_passes_with_waiting_and_a_late_departure() -> None:
    problem = _line()
    plan = evaluate(problem, [("v", ["a", "b"]), ("v", ["c"])])
    assert plan.feasible, plan.violations
    first = plan.routes[0]
    # leaving at 0: a at 10 (ends 15), b at 25 -> waits to 30; pushed by the 5 of waiting
    assert first.start == 5.0
    assert [(s.arrival, s.start, s.departure) for s in first.stops] == [(15, 15, 20), (30, 30, 35)]
    assert first.end == 55.0 and first.duration == 50.0
    assert plan.distance == 40 + 60 and not check_plan(problem, plan)


def test_late_arrival_is_rejected() -> None:
    plan = evaluate(_line(), [("v", ["b", "a"]), ("v", ["c"])])  # a after b: starts at 45 > 15
    assert not plan.feasible
    late = [v for v in plan.violations if v.kind is ViolationKind.TIME_WINDOW]
    assert [v.client for v in late] == ["a"]


def test_over_capacity_is_rejected() -> None:
    plan = evaluate(_line(), [("v", ["a", "b", "c"])])  # 12 tires on a 10-tire vehicle
    assert ViolationKind.CAPACITY in _kinds(plan.violations)


def test_missing_and_duplicate_clients_are_rejected() -> None:
    plan = evaluate(_line(), [("v", ["a", "b"]), ("v", ["a"])])
    kinds = _kinds(plan.violations)
    assert {ViolationKind.MISSING_CLIENT, ViolationKind.DUPLICATE_CLIENT} <= kinds
    assert plan.unserved == ("c",)


def test_shift_end_and_fleet_size_are_checked() -> None:
    builder = ProblemBuilder(scale=Scale.dimacs()).add_depot("d", Point(0, 0))
    builder.add_vehicle_type("v", depot="d", capacity_tires=10, shift_end=50)
    builder.add_client("east", Point(20, 0), tires=1)  # 40 there and back: fits the shift alone
    builder.add_client("north", Point(0, 20), tires=1)
    problem = builder.build()
    both = evaluate(problem, [("v", ["east", "north"])])  # 20 + 28.2 + 20 > 50
    assert ViolationKind.SHIFT_END in _kinds(both.violations)
    two = evaluate(problem, [("v", ["east"]), ("v", ["north"])])
    assert _kinds(two.violations) == {ViolationKind.FLEET}  # one vehicle, two routes


def test_tampered_stated_times_are_caught() -> None:
    problem = _line()
    plan = evaluate(problem, [("v", ["a", "b"]), ("v", ["c"])])
    route = plan.routes[0]
    stop = dataclasses.replace(route.stops[1], arrival=18.0, start=18.0, departure=23.0)
    forged = dataclasses.replace(
        plan, routes=(dataclasses.replace(route, stops=(route.stops[0], stop)), plan.routes[1])
    )
    kinds = _kinds(check_plan(problem, forged))
    assert ViolationKind.SCHEDULE in kinds  # before the window start, faster than travel
