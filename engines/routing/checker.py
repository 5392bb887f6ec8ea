"""Our own feasibility checker and scheduler: any plan, from any solver, re-checked from scratch.

Rules: each client visited exactly once; tires and kg on board within the vehicle's capacity;
service starts inside the client's window (arriving early means waiting); the vehicle leaves no
earlier than its shift start and the depot's opening, and is back at its end depot by the shift
end and the depot's closing; no vehicle type used more times than it has vehicles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from engines.routing.model import Problem
from engines.routing.plan import PlannedRoute, RoutePlan, Stop, Violation, ViolationKind


@dataclass(frozen=True)
class _Timing:
    arrivals: list[int]
    starts: list[int]
    departures: list[int]
    leave: int
    back: int


def _timing(problem: Problem, vehicle: int, clients: Sequence[int], leave: int) -> _Timing:
    vt = problem.vehicle_types[vehicle]
    t = leave
    here = vt.start_depot
    arrivals, starts, departures = [], [], []
    for c in clients:
        client = problem.clients[c]
        loc = problem.client_location(c)
        arrival = t + int(problem.duration[here, loc])
        start = max(arrival, client.window_start)
        arrivals.append(arrival)
        starts.append(start)
        t = start + client.service
        departures.append(t)
        here = loc
    back = t + int(problem.duration[here, vt.end_depot])
    return _Timing(arrivals, starts, departures, leave, back)


def _schedule(problem: Problem, vehicle: int, clients: Sequence[int]) -> _Timing:
    """Earliest schedule, then the departure pushed as late as the windows allow (less waiting)."""
    vt = problem.vehicle_types[vehicle]
    earliest = max(vt.shift_start, problem.depots[vt.start_depot].opens)
    first = _timing(problem, vehicle, clients, earliest)
    waited, delay = 0, None
    for c, arrival, start in zip(clients, first.arrivals, first.starts, strict=True):
        waited += start - arrival
        room = waited + problem.clients[c].window_end - start
        if room < 0:  # already late: leaving later cannot help
            return first
        delay = room if delay is None else min(delay, room)
    push = min(waited, delay or 0)
    return _timing(problem, vehicle, clients, earliest + push) if push > 0 else first


def _route(
    problem: Problem, vehicle: int, clients: Sequence[int], index: int
) -> tuple[PlannedRoute, list[Violation]]:
    vt = problem.vehicle_types[vehicle]
    timing = _schedule(problem, vehicle, clients)
    violations: list[Violation] = []
    tires = sum(problem.clients[c].tires for c in clients)
    kg = sum(problem.clients[c].kg for c in clients)
    if tires > vt.capacity_tires:
        violations.append(
            Violation(
                ViolationKind.CAPACITY,
                f"{tires} tires on a {vt.capacity_tires}-tire vehicle",
                index,
            )
        )
    if vt.capacity_kg is not None and kg > vt.capacity_kg:
        violations.append(
            Violation(ViolationKind.CAPACITY, f"{kg} kg on a {vt.capacity_kg}-kg vehicle", index)
        )
    locations = [vt.start_depot, *(problem.client_location(c) for c in clients), vt.end_depot]
    distance = sum(
        int(problem.distance[a, b]) for a, b in zip(locations, locations[1:], strict=False)
    )
    stops: list[Stop] = []
    on_tires, on_kg = tires, kg
    m = problem.minutes
    for c, arrival, start, departure in zip(
        clients, timing.arrivals, timing.starts, timing.departures, strict=True
    ):
        client = problem.clients[c]
        if start > client.window_end:
            violations.append(
                Violation(
                    ViolationKind.TIME_WINDOW,
                    f"service starts at {m(start):g}, window ends at {m(client.window_end):g}",
                    index,
                    client.id,
                )
            )
        stops.append(Stop(client.id, m(arrival), m(start), m(departure), on_tires, on_kg))
        on_tires -= client.tires
        on_kg -= client.kg
    due = min(vt.shift_end, problem.depots[vt.end_depot].closes)
    if timing.back > due:
        violations.append(
            Violation(
                ViolationKind.SHIFT_END,
                f"back at the depot at {m(timing.back):g}, due by {m(due):g}",
                index,
            )
        )
    duration = timing.back - timing.leave
    route = PlannedRoute(
        vehicle_type=vt.id,
        stops=tuple(stops),
        start=m(timing.leave),
        end=m(timing.back),
        tires=tires,
        kg=kg,
        distance=problem.km(distance),
        duration=m(duration),
        cost=problem.route_cost(vt, distance, duration) if clients else 0.0,
        distance_ticks=distance,
    )
    return route, violations


def evaluate(
    problem: Problem, routes: Sequence[tuple[str, Sequence[str]]], *, backend: str = "given"
) -> RoutePlan:
    """Schedule and check routes given as (vehicle type id, client ids in visiting order)."""
    vehicle_index = {v.id: i for i, v in enumerate(problem.vehicle_types)}
    client_index = {c.id: i for i, c in enumerate(problem.clients)}
    violations: list[Violation] = []
    planned: list[PlannedRoute] = []
    seen: Counter[str] = Counter()
    used: Counter[str] = Counter()
    for vehicle_id, client_ids in routes:
        if not client_ids:
            continue
        index = len(planned)
        if vehicle_id not in vehicle_index:
            violations.append(
                Violation(ViolationKind.UNKNOWN, f"unknown vehicle type {vehicle_id!r}", index)
            )
            continue
        known = []
        for cid in client_ids:
            if cid in client_index:
                known.append(client_index[cid])
                seen[cid] += 1
            else:
                violations.append(
                    Violation(ViolationKind.UNKNOWN, f"unknown client {cid!r}", index, cid)
                )
        used[vehicle_id] += 1
        route, found = _route(problem, vehicle_index[vehicle_id], known, index)
        planned.append(route)
        violations.extend(found)
    for vt in problem.vehicle_types:
        if used[vt.id] > vt.count:
            violations.append(
                Violation(
                    ViolationKind.FLEET,
                    f"{used[vt.id]} routes for {vt.count} vehicles of type {vt.id}",
                )
            )
    for cid, times in seen.items():
        if times > 1:
            violations.append(
                Violation(ViolationKind.DUPLICATE_CLIENT, f"visited {times} times", client=cid)
            )
    unserved = tuple(c.id for c in problem.clients if seen[c.id] == 0)
    for cid in unserved:
        violations.append(
            Violation(ViolationKind.MISSING_CLIENT, "not visited by any route", client=cid)
        )
    return RoutePlan(
        routes=tuple(planned),
        unserved=unserved,
        distance=problem.km(sum(r.distance_ticks for r in planned)),
        duration=sum(r.duration for r in planned),
        cost=sum(r.cost for r in planned),
        feasible=not violations,
        violations=tuple(violations),
        backend=backend,
        distance_ticks=sum(r.distance_ticks for r in planned),
    )


def check_plan(problem: Problem, plan: RoutePlan) -> list[Violation]:
    """Re-check a plan from its routes, and check the times it states against the rules."""
    fresh = evaluate(problem, [(r.vehicle_type, r.client_ids) for r in plan.routes])
    violations = list(fresh.violations)
    violations.extend(_stated_times(problem, plan))
    return violations


def _stated_times(problem: Problem, plan: RoutePlan) -> list[Violation]:
    """Stated arrival/start/departure times must obey travel, waiting, windows and the shift."""
    ticks = problem.scale.time
    clients = {c.id: (i, c) for i, c in enumerate(problem.clients)}
    vehicles = {v.id: v for v in problem.vehicle_types}
    found: list[Violation] = []
    for index, route in enumerate(plan.routes):
        vt = vehicles.get(route.vehicle_type)
        if vt is None:
            continue
        t = round(route.start * ticks)
        if t < max(vt.shift_start, problem.depots[vt.start_depot].opens):
            found.append(
                Violation(
                    ViolationKind.SCHEDULE, "leaves before the shift or the depot opens", index
                )
            )
        here = vt.start_depot
        for stop in route.stops:
            if stop.client_id not in clients:
                break
            position, client = clients[stop.client_id]
            loc = problem.client_location(position)
            arrival, start, departure = (
                round(v * ticks) for v in (stop.arrival, stop.start, stop.departure)
            )
            if arrival < t + int(problem.duration[here, loc]):
                found.append(
                    Violation(
                        ViolationKind.SCHEDULE,
                        "arrives sooner than the travel time allows",
                        index,
                        client.id,
                    )
                )
            if start < max(arrival, client.window_start):
                found.append(
                    Violation(
                        ViolationKind.SCHEDULE,
                        "service starts before arrival or the window",
                        index,
                        client.id,
                    )
                )
            if start > client.window_end:
                found.append(
                    Violation(
                        ViolationKind.TIME_WINDOW,
                        "stated service start after the window",
                        index,
                        client.id,
                    )
                )
            if departure < start + client.service:
                found.append(
                    Violation(
                        ViolationKind.SCHEDULE,
                        "leaves before the service time is over",
                        index,
                        client.id,
                    )
                )
            t, here = departure, loc
        back = round(route.end * ticks)
        if back < t + int(problem.duration[here, vt.end_depot]):
            found.append(
                Violation(
                    ViolationKind.SCHEDULE, "back at the depot sooner than travel allows", index
                )
            )
        if back > min(vt.shift_end, problem.depots[vt.end_depot].closes):
            found.append(
                Violation(ViolationKind.SHIFT_END, "stated return after the shift end", index)
            )
    return found
