"""Both backends on a small Mexico City day: feasible by our checker, capacity and windows kept."""

from __future__ import annotations

import pytest

from engines.routing import BACKENDS, Backend, Problem, RoutePlan, check_plan, solve
from engines.routing.plan import PlannedRoute


def _assert_respects_constraints(problem: Problem, plan: RoutePlan) -> None:
    """Independent of the checker: read the plan's own numbers against the problem."""
    vehicles = {v.id: v for v in problem.vehicle_types}
    clients = {c.id: c for c in problem.clients}
    minutes = problem.minutes
    visited: list[str] = []
    for route in plan.routes:
        vt = vehicles[route.vehicle_type]
        assert route.tires <= vt.capacity_tires
        assert vt.capacity_kg is not None and route.kg <= vt.capacity_kg
        assert route.end <= minutes(vt.shift_end)
        for stop in route.stops:
            client = clients[stop.client_id]
            assert minutes(client.window_start) <= stop.start <= minutes(client.window_end)
            assert stop.start >= stop.arrival
        visited += route.client_ids
    assert sorted(visited) == sorted(clients)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backends_plan_the_day_feasibly(city_problem: Problem, backend: Backend) -> None:
    plan = solve(city_problem, time_limit_s=1.0, seed=3, backend=backend)
    assert plan.backend == backend
    assert plan.feasible, plan.violations
    assert not check_plan(city_problem, plan)
    assert not plan.unserved
    _assert_respects_constraints(city_problem, plan)
    assert all(isinstance(r, PlannedRoute) for r in plan.routes)  # our types, not the solver's
    assert plan.cost == pytest.approx(sum(r.cost for r in plan.routes)) and plan.cost > 0


def test_same_seed_same_plan(city_problem: Problem) -> None:
    runs = [solve(city_problem, time_limit_s=30.0, seed=11, max_iterations=2000) for _ in range(2)]
    assert [r.client_ids for r in runs[0].routes] == [r.client_ids for r in runs[1].routes]
    assert runs[0].distance_ticks == runs[1].distance_ticks


def test_several_seeds_in_processes_keep_the_best(city_problem: Problem) -> None:
    """Seeds 11 and 12 side by side: the result is feasible and never worse than seed 11 alone
    (with an iteration budget each seed's run is the same in or out of a worker process)."""
    alone = solve(city_problem, time_limit_s=30.0, seed=11, max_iterations=300)
    both = solve(city_problem, time_limit_s=30.0, seed=11, max_iterations=300, workers=2)
    assert both.feasible and not check_plan(city_problem, both)
    assert (both.cost, both.distance_ticks) <= (alone.cost, alone.distance_ticks)
    with pytest.raises(ValueError, match="workers"):
        solve(city_problem, time_limit_s=1.0, workers=0)


def test_tight_capacity_needs_more_vehicles(city_problem: Problem) -> None:
    """112 tires of demand: no single vehicle (40 or 24) can carry it; several routes, all legal."""
    plan = solve(city_problem, time_limit_s=0.5, seed=1)
    assert sum(c.tires for c in city_problem.clients) > 40
    assert plan.vehicles >= 3
    _assert_respects_constraints(city_problem, plan)


def test_bad_arguments() -> None:
    from tests.engines.routing.conftest import city_builder

    problem = city_builder().build()
    with pytest.raises(ValueError, match="time_limit_s"):
        solve(problem, time_limit_s=0)
    with pytest.raises(ValueError, match="backend"):
        solve(problem, time_limit_s=1, backend="gurobi")  # type: ignore[arg-type]
