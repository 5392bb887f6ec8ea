"""PyVRP backend: our Problem to ProblemData, best solution back to (vehicle id, client ids)."""

from __future__ import annotations

import warnings

import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from engines.routing._weights import objective_weights
from engines.routing.model import Problem

RouteList = list[tuple[str, list[str]]]


def _data(problem: Problem) -> pyvrp.ProblemData:
    weights = objective_weights(problem)
    with_kg = problem.uses_weight
    unlimited = 10**12
    locations = [
        pyvrp.Location(x=p.x, y=p.y)
        for p in [d.point for d in problem.depots] + [c.point for c in problem.clients]
    ]
    depots = [
        pyvrp.Depot(location=i, tw_early=d.opens, tw_late=d.closes, name=d.id)
        for i, d in enumerate(problem.depots)
    ]
    clients = [
        pyvrp.Client(
            location=problem.client_location(i),
            delivery=[c.tires, c.kg] if with_kg else [c.tires],
            service_duration=c.service,
            tw_early=c.window_start,
            tw_late=c.window_end,
            name=c.id,
        )
        for i, c in enumerate(problem.clients)
    ]
    vehicle_types = []
    for i, v in enumerate(problem.vehicle_types):
        kg = unlimited if v.capacity_kg is None else v.capacity_kg
        start, end = problem.depots[v.start_depot], problem.depots[v.end_depot]
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=v.count,
                capacity=[v.capacity_tires, kg] if with_kg else [v.capacity_tires],
                start_depot=v.start_depot,
                end_depot=v.end_depot,
                fixed_cost=weights.fixed[i],
                tw_early=max(v.shift_start, start.opens),
                tw_late=min(v.shift_end, end.closes),
                unit_distance_cost=weights.per_distance[i],
                unit_duration_cost=weights.per_duration[i],
                name=v.id,
            )
        )
    return pyvrp.ProblemData(
        locations,
        clients,
        depots,
        vehicle_types,
        [problem.distance],  # type: ignore[list-item]  # the stub's ndarray[int] is not a real shape
        [problem.duration],  # type: ignore[list-item]
    )


def solve_pyvrp(
    problem: Problem, *, time_limit_s: float, seed: int, max_iterations: int | None
) -> RouteList:
    data = _data(problem)
    stop: StoppingCriterion = MaxRuntime(time_limit_s)
    if max_iterations is not None:
        stop = MultipleCriteria([MaxIterations(max_iterations), MaxRuntime(time_limit_s)])
    with warnings.catch_warnings():
        # PyVRP warns when its penalties saturate on hard instances; our checker reports the
        # outcome (feasible or not) on the plan, so the warning would only be noise on stderr
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    routes: RouteList = []
    for route in result.best.routes():
        vehicle = problem.vehicle_types[route.vehicle_type()].id
        clients = [problem.clients[a.idx].id for a in route if a.is_client()]
        routes.append((vehicle, clients))
    return routes
