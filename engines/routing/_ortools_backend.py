"""OR-Tools backend: routing library, parallel cheapest insertion then guided local search.

Every client is a disjunction with a penalty far above any route cost, so OR-Tools returns a plan
even when it cannot place everyone; the clients it drops come back as unserved.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from engines.routing._weights import objective_weights
from engines.routing.model import Problem

RouteList = list[tuple[str, list[str]]]


def solve_ortools(
    problem: Problem, *, time_limit_s: float, seed: int, max_iterations: int | None
) -> RouteList:
    del seed  # the routing library's search is deterministic; only the time limit varies it
    weights = objective_weights(problem)
    nd = len(problem.depots)
    owner: list[int] = [i for i, v in enumerate(problem.vehicle_types) for _ in range(v.count)]
    starts = [problem.vehicle_types[t].start_depot for t in owner]
    ends = [problem.vehicle_types[t].end_depot for t in owner]
    manager = pywrapcp.RoutingIndexManager(problem.num_locations, len(owner), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    service = [0] * nd + [c.service for c in problem.clients]
    distance = problem.distance.tolist()
    travel = (problem.duration + [[s] for s in service]).tolist()  # service at the origin
    arc_callbacks: dict[int, int] = {}
    for vehicle, t in enumerate(owner):
        w = weights.per_distance[t]
        if w not in arc_callbacks:
            arc_callbacks[w] = routing.RegisterTransitMatrix(
                [[w * d for d in row] for row in distance]
            )
        routing.SetArcCostEvaluatorOfVehicle(arc_callbacks[w], vehicle)
        routing.SetFixedCostOfVehicle(weights.fixed[t], vehicle)

    horizon = max([d.closes for d in problem.depots] + [v.shift_end for v in problem.vehicle_types])
    time_cb = routing.RegisterTransitMatrix(travel)
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for vehicle, t in enumerate(owner):
        vt = problem.vehicle_types[t]
        opens = max(vt.shift_start, problem.depots[vt.start_depot].opens)
        due = min(vt.shift_end, problem.depots[vt.end_depot].closes)
        time.CumulVar(routing.Start(vehicle)).SetRange(opens, due)
        time.CumulVar(routing.End(vehicle)).SetRange(opens, due)
        time.SetSpanCostCoefficientForVehicle(weights.per_duration[t], vehicle)
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.Start(vehicle)))
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(vehicle)))
    for i, c in enumerate(problem.clients):
        time.CumulVar(manager.NodeToIndex(nd + i)).SetRange(c.window_start, c.window_end)

    loads = [
        (
            "tires",
            [0] * nd + [c.tires for c in problem.clients],
            [problem.vehicle_types[t].capacity_tires for t in owner],
        )
    ]
    if problem.uses_weight:
        kg_caps = [problem.vehicle_types[t].capacity_kg for t in owner]
        loads.append(
            (
                "kg",
                [0] * nd + [c.kg for c in problem.clients],
                [10**12 if cap is None else cap for cap in kg_caps],
            )
        )
    for name, demand, capacity in loads:
        cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(cb, 0, capacity, True, name)

    max_arc = int(problem.distance.max()) * max(weights.per_distance) + 1
    penalty = max_arc * (len(problem.clients) + 1) * 10 + max(weights.fixed) * 10
    for i in range(len(problem.clients)):
        routing.AddDisjunction([manager.NodeToIndex(nd + i)], penalty)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if max_iterations is not None:
        params.solution_limit = max_iterations
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes: RouteList = []
    for vehicle, t in enumerate(owner):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        clients: list[str] = []
        while not routing.IsEnd(index):
            clients.append(problem.clients[manager.IndexToNode(index) - nd].id)
            index = solution.Value(routing.NextVar(index))
        if clients:
            routes.append((problem.vehicle_types[t].id, clients))
    return routes
