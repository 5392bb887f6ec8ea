"""Daily delivery plans: a branch's deliveries of a day through the routing engine, stored as
routes with planned stop times; re-planning keeps stops already done or under way fixed.

Wraps ``engines.routing`` (builder, solve, checker) without touching it: the database rows become
a ``Problem`` (one vehicle type per truck, minutes after local midnight, haversine travel times
with the city's hourly speeds), the ``RoutePlan`` comes back as ``DeliveryRoute``/``RouteStop``
rows. A truck already on the road keeps what it loaded: its remaining stops are re-sequenced
from the stop it is at or heading to; everything else is planned afresh on the trucks still at
the branch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from core.errors import NotFound
from core.settings import Settings
from db.engine import session_scope
from db.repositories.audit import record
from domain.clock import MEXICO_CITY, mexico_now, to_mexico
from domain.enums import DeliveryStatus
from domain.logistics import RouteStatus, geocode, service_minutes
from engines.routing import (
    City,
    HaversineMatrix,
    Point,
    Problem,
    ProblemBuilder,
    ProblemError,
    RoutePlan,
    solve,
)

log = logging.getLogger("topllantas.routes")
CITIES = {"CDMX": City.MEXICO_CITY, "GDL": City.GUADALAJARA, "MTY": City.MONTERREY}
DEPOT_OPENS, DEPOT_CLOSES = 7 * 60.0, 21 * 60.0
KG_PER_TIRE = 11
OPEN = (DeliveryStatus.SCHEDULED.value, DeliveryStatus.OUT_FOR_DELIVERY.value)
DONE = (
    DeliveryStatus.DELIVERED.value,
    DeliveryStatus.FAILED.value,
    DeliveryStatus.CANCELLED.value,
)


@dataclass
class BranchPlan:
    """What one planning run did for one branch and day."""

    branch: str
    day: date
    routes: int = 0
    deliveries: int = 0
    km: float = 0.0
    hours: float = 0.0
    cost_cents: int = 0
    late_stops: int = 0
    feasible: bool = True
    unplanned: list[str] = field(default_factory=list)  # "folio: reason"
    kept_routes: int = 0  # routes already on the road, re-sequenced only


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=MEXICO_CITY)
    return start, start + timedelta(days=1)


def minute_of(day: date, at: datetime) -> float:
    """Minutes after local midnight of ``day``."""
    start, _ = day_bounds(day)
    return (to_mexico(at) - start).total_seconds() / 60.0


def at_minute(day: date, minute: float) -> datetime:
    start, _ = day_bounds(day)
    return start + timedelta(minutes=minute)


def _minutes_of_time(value: time) -> float:
    return value.hour * 60.0 + value.minute


def city_of(branch: t.Branch) -> City:
    return CITIES.get(branch.code, City.MEXICO_CITY)


def branches(session: Session, code: str | None) -> list[t.Branch]:
    query = select(t.Branch).order_by(col(t.Branch.id))
    if code is not None:
        query = query.where(t.Branch.code == code.upper())
    found = list(session.exec(query).all())
    if code is not None and not found:
        raise NotFound(f"no branch {code!r}", field="branch")
    return found


def day_deliveries(session: Session, branch: t.Branch, day: date) -> list[t.Delivery]:
    """Open deliveries of a branch whose window starts on ``day`` (entry order)."""
    start, end = day_bounds(day)
    rows = session.exec(
        select(t.Delivery)
        .join(t.Order, col(t.Order.id) == t.Delivery.order_id)
        .where(
            sa.or_(col(t.Delivery.branch_id) == branch.id, col(t.Order.branch_id) == branch.id),
            col(t.Delivery.window_start) >= start,
            col(t.Delivery.window_start) < end,
            col(t.Delivery.status).in_(OPEN),
        )
        .order_by(col(t.Delivery.created_at), col(t.Delivery.id))
    ).all()
    return list(rows)


def complete_facts(session: Session, branch: t.Branch, delivery: t.Delivery) -> str | None:
    """Fill what a delivery made in chat lacks (branch, tires, kg, service time, a point from
    its neighbourhood); the reason it cannot be planned, or None."""
    delivery.branch_id = delivery.branch_id or branch.id
    if delivery.tires <= 0:
        quantities = session.exec(
            select(t.OrderLine.quantity).where(t.OrderLine.order_id == delivery.order_id)
        ).all()
        delivery.tires = int(sum(quantities))
    if delivery.kg <= 0:
        delivery.kg = delivery.tires * KG_PER_TIRE
    if delivery.service_minutes <= 0:
        delivery.service_minutes = service_minutes(delivery.tires)
    if delivery.latitude is None or delivery.longitude is None:
        point = geocode(delivery.address, branch.code)
        if point is None:
            return "no coordinates for the address (name the colonia or give latitude/longitude)"
        delivery.latitude, delivery.longitude = point
    session.add(delivery)
    return None


def _folio(session: Session, delivery: t.Delivery) -> str:
    order = session.get(t.Order, delivery.order_id)
    return (order.folio if order else None) or f"delivery {delivery.id}"


@dataclass(frozen=True)
class Start:
    """Where and when a truck becomes free to serve the stops it is given."""

    point: Point
    minute: float


def build_problem(
    branch: t.Branch,
    vehicles: Sequence[tuple[t.FleetVehicle, Start | None]],
    deliveries: Sequence[t.Delivery],
    *,
    unplanned: dict[int, str],
) -> Problem | None:
    """The routing problem; clients the builder proves unreachable go to ``unplanned``."""
    todo = [d for d in deliveries if d.id not in unplanned]
    while todo:
        builder = ProblemBuilder()
        home = Point.geo(branch.latitude, branch.longitude)
        builder.add_depot("branch", home, opens=DEPOT_OPENS, closes=DEPOT_CLOSES)
        for vehicle, start in vehicles:
            depot = "branch"
            shift_start = _minutes_of_time(vehicle.shift_start)
            if start is not None:
                depot = f"at-v{vehicle.id}"
                builder.add_depot(depot, start.point, opens=0.0, closes=DEPOT_CLOSES)
                shift_start = start.minute
            builder.add_vehicle_type(
                f"v{vehicle.id}",
                depot=depot,
                end_depot="branch",
                capacity_tires=vehicle.capacity_tires,
                capacity_kg=vehicle.capacity_kg,
                shift_start=shift_start,
                shift_end=max(_minutes_of_time(vehicle.shift_end), shift_start),
                cost_per_km=vehicle.cost_per_km_cents / 100,
                cost_per_hour=vehicle.cost_per_hour_cents / 100,
            )
        try:
            for d in todo:
                builder.add_client(
                    f"d{d.id}",
                    Point.geo(d.latitude or 0.0, d.longitude or 0.0),
                    tires=d.tires,
                    kg=d.kg,
                    window_start=minute_of(_day_of(d), d.window_start),
                    window_end=minute_of(_day_of(d), d.window_end),
                    service_minutes=d.service_minutes,
                )
            return builder.build(HaversineMatrix(city_of(branch), start_hour=8.0, end_hour=19.0))
        except ProblemError as exc:
            culprit = _client_of(exc.field)
            if culprit is None:
                raise
            unplanned[culprit] = exc.reason
            todo = [d for d in todo if d.id != culprit]
    return None


def build_and_solve(
    branch: t.Branch,
    vehicles: Sequence[tuple[t.FleetVehicle, Start | None]],
    deliveries: Sequence[t.Delivery],
    *,
    seconds: float,
    seed: int,
    max_iterations: int | None,
    unplanned: dict[int, str],
) -> RoutePlan | None:
    """Build and solve; ``None`` when no delivery can be planned."""
    problem = build_problem(branch, vehicles, deliveries, unplanned=unplanned)
    if problem is None:
        return None
    return solve(problem, time_limit_s=seconds, seed=seed, max_iterations=max_iterations)


def _day_of(delivery: t.Delivery) -> date:
    return to_mexico(delivery.window_start).date()


def _client_of(text: str) -> int | None:
    for word in str(text).replace(".", " ").split():
        if word.startswith("d") and word[1:].isdigit():
            return int(word[1:])
    return None


def plan_branch_day(
    session: Session,
    branch: t.Branch,
    day: date,
    *,
    seconds: float,
    seed: int = 1,
    max_iterations: int | None = None,
    actor: str,
) -> BranchPlan:
    """(Re)plan a branch's day in the caller's transaction."""
    outcome = BranchPlan(branch.code, day)
    vehicles = session.exec(
        select(t.FleetVehicle)
        .where(t.FleetVehicle.branch_id == branch.id, col(t.FleetVehicle.active))
        .order_by(col(t.FleetVehicle.id))
    ).all()
    routes = session.exec(
        select(t.DeliveryRoute).where(
            t.DeliveryRoute.branch_id == branch.id, t.DeliveryRoute.day == day
        )
    ).all()
    on_road = [r for r in routes if r.status != RouteStatus.PLANNED.value]
    planned = [r for r in routes if r.status == RouteStatus.PLANNED.value]
    version = max((r.version for r in routes), default=0) + 1
    busy = {r.vehicle_id for r in on_road}
    unplanned: dict[int, str] = {}
    deliveries = day_deliveries(session, branch, day)
    loaded = {r.id for r in on_road}
    free = [d for d in deliveries if d.route_id not in loaded or d.route_id is None]
    for d in free:
        reason = complete_facts(session, branch, d)
        if reason is not None:
            unplanned[d.id or 0] = reason
    # Trucks still at the branch: everything not loaded on a truck on the road, afresh.
    previous_driver = {r.vehicle_id: r.driver_id for r in planned}
    for r in planned:
        _drop_route(session, r)
    session.flush()
    at_branch = [v for v in vehicles if v.id not in busy]
    if free and at_branch:
        plan = build_and_solve(
            branch, [(v, None) for v in at_branch], free,
            seconds=seconds, seed=seed, max_iterations=max_iterations, unplanned=unplanned,
        )  # fmt: skip
        if plan is not None:
            _store(session, branch, day, plan, free, version, previous_driver, outcome)
    elif free:
        for d in free:
            unplanned.setdefault(d.id or 0, "no truck left at the branch")
    # Trucks on the road: re-sequence what they still carry from the stop they are at.
    for route in on_road:
        if _resequence(session, branch, day, route, seconds=seconds, seed=seed,
                       max_iterations=max_iterations):  # fmt: skip
            outcome.kept_routes += 1
    by_id = {d.id: d for d in deliveries}
    outcome.unplanned = [f"{_folio(session, by_id[i])}: {why}" for i, why in unplanned.items()]
    for i in unplanned:
        by_id[i].route_id = None
        session.add(by_id[i])
    session.flush()
    record(
        session, actor=actor, action="plan", entity="delivery_route",
        entity_id=f"{branch.code}:{day.isoformat()}", version=version, routes=outcome.routes,
        deliveries=outcome.deliveries, unplanned=len(outcome.unplanned),
        km=round(outcome.km, 1), late_stops=outcome.late_stops,
    )  # fmt: skip
    return outcome


def _drop_route(session: Session, route: t.DeliveryRoute) -> None:
    for stop in session.exec(select(t.RouteStop).where(t.RouteStop.route_id == route.id)).all():
        session.delete(stop)
    for d in session.exec(select(t.Delivery).where(t.Delivery.route_id == route.id)).all():
        d.route_id = d.vehicle_id = d.driver_id = None
        session.add(d)
    session.flush()
    session.delete(route)


def _store(
    session: Session,
    branch: t.Branch,
    day: date,
    plan: RoutePlan,
    deliveries: Sequence[t.Delivery],
    version: int,
    previous_driver: dict[int, int | None],
    outcome: BranchPlan,
) -> None:
    by_client = {f"d{d.id}": d for d in deliveries}
    late = {v.client for v in plan.violations if v.client and v.kind.value == "time_window"}
    drivers = session.exec(
        select(t.Driver)
        .where(t.Driver.branch_id == branch.id, col(t.Driver.active))
        .order_by(col(t.Driver.id))
    ).all()
    taken = {
        r.driver_id
        for r in session.exec(
            select(t.DeliveryRoute).where(
                t.DeliveryRoute.day == day, t.DeliveryRoute.branch_id == branch.id
            )
        ).all()
    }
    for route in plan.routes:
        vehicle_id = int(route.vehicle_type[1:])
        driver_id = previous_driver.get(vehicle_id)
        if driver_id is None or driver_id in taken:
            driver_id = next((d.id for d in drivers if d.id not in taken), None)
        taken.add(driver_id)
        row = t.DeliveryRoute(
            day=day, branch_id=branch.id or 0, vehicle_id=vehicle_id, driver_id=driver_id,
            status=RouteStatus.PLANNED.value, version=version,
            planned_start=at_minute(day, route.start), planned_end=at_minute(day, route.end),
            km=round(route.distance, 2), minutes=round(route.duration, 1),
            cost_cents=round(route.cost * 100),
        )  # fmt: skip
        session.add(row)
        session.flush()
        for n, stop in enumerate(route.stops, start=1):
            d = by_client[stop.client_id]
            session.add(
                t.RouteStop(
                    route_id=row.id or 0, delivery_id=d.id or 0, sequence=n,
                    planned_arrival=at_minute(day, stop.arrival),
                    planned_start=at_minute(day, stop.start),
                    planned_departure=at_minute(day, stop.departure),
                )
            )  # fmt: skip
            d.route_id, d.vehicle_id, d.driver_id = row.id, vehicle_id, driver_id
            d.eta = at_minute(day, stop.start)
            session.add(d)
        outcome.routes += 1
        outcome.deliveries += len(route.stops)
        outcome.km += route.distance
        outcome.hours += route.duration / 60
        outcome.cost_cents += round(route.cost * 100)
    outcome.late_stops += len(late)
    outcome.feasible = outcome.feasible and plan.feasible
    for cid in plan.unserved:
        outcome.unplanned.append(f"{_folio(session, by_client[cid])}: not served by the plan")


def route_stops(session: Session, route_id: int) -> list[tuple[t.RouteStop, t.Delivery]]:
    rows = session.exec(
        select(t.RouteStop, t.Delivery)
        .join(t.Delivery, col(t.Delivery.id) == t.RouteStop.delivery_id)
        .where(t.RouteStop.route_id == route_id)
        .order_by(col(t.RouteStop.sequence))
    ).all()
    return [(s, d) for s, d in rows]


def _resequence(
    session: Session,
    branch: t.Branch,
    day: date,
    route: t.DeliveryRoute,
    *,
    seconds: float,
    seed: int,
    max_iterations: int | None,
) -> bool:
    """Keep done stops and the one under way; re-order the rest from there."""
    stops = route_stops(session, route.id or 0)
    pending = [(s, d) for s, d in stops if d.status not in DONE]
    if route.status == RouteStatus.DONE.value or len(pending) <= 2:
        return False
    anchor_stop, anchor = pending[0]  # the stop it is at or driving to: fixed
    rest = [d for _, d in pending[1:]]
    vehicle = session.get(t.FleetVehicle, route.vehicle_id)
    if vehicle is None:
        return False
    now_minute = minute_of(day, mexico_now())
    free_at = max(minute_of(day, anchor_stop.planned_departure), now_minute)
    start = Start(Point.geo(anchor.latitude or 0.0, anchor.longitude or 0.0), free_at)
    unplanned: dict[int, str] = {}
    plan = build_and_solve(
        branch, [(vehicle, start)], rest,
        seconds=min(seconds, 2.0), seed=seed, max_iterations=max_iterations, unplanned=unplanned,
    )  # fmt: skip
    if plan is None or not plan.routes:
        return False
    order = {cid: n for n, cid in enumerate(plan.routes[0].client_ids)}
    times = {s.client_id: s for s in plan.routes[0].stops}
    base = anchor_stop.sequence
    by_delivery = {d.id: s for s, d in pending[1:]}
    for d in rest:
        key = f"d{d.id}"
        stop = by_delivery[d.id]
        if key not in order:
            continue
        stop.sequence = base + 1 + order[key]
        planned = times[key]
        stop.planned_arrival = at_minute(day, planned.arrival)
        stop.planned_start = at_minute(day, planned.start)
        stop.planned_departure = at_minute(day, planned.departure)
        session.add(stop)
    route.version += 1
    session.add(route)
    return True


def plan_day(
    engine: Engine,
    day: date,
    *,
    branch: str | None = None,
    settings: Settings,
    seed: int = 1,
    max_iterations: int | None = None,
    actor: str = "system:routes",
) -> list[BranchPlan]:
    """Plan (or re-plan) ``day`` for one branch or all, one transaction per branch."""
    with session_scope(engine) as session:
        codes = [b.code for b in branches(session, branch)]
    outcomes = []
    for code in codes:
        with session_scope(engine, write=True) as session:
            row = branches(session, code)[0]
            outcomes.append(
                plan_branch_day(
                    session, row, day, seconds=settings.logistics.solver_seconds, seed=seed,
                    max_iterations=max_iterations, actor=actor,
                )
            )  # fmt: skip
    return outcomes


def replan_if_planned(
    session: Session, delivery: t.Delivery, *, settings: Settings, actor: str
) -> BranchPlan | None:
    """After a delivery was added, moved or cancelled: re-plan its day if that day has a plan."""
    order = session.get(t.Order, delivery.order_id)
    branch = session.get(t.Branch, delivery.branch_id or (order.branch_id if order else 0))
    if branch is None:
        return None
    day = _day_of(delivery)
    exists = session.exec(
        select(t.DeliveryRoute.id).where(
            t.DeliveryRoute.branch_id == branch.id, t.DeliveryRoute.day == day
        )
    ).first()
    if exists is None and delivery.route_id is None:
        return None
    return plan_branch_day(
        session, branch, day, seconds=min(settings.logistics.solver_seconds, 2.0),
        max_iterations=2_000, actor=actor,
    )  # fmt: skip


EVENING_ACTOR = "system:evening-plan"


def evening_plan_due(engine: Engine, settings: Settings) -> date | None:
    """Tomorrow (Mexico City) when the evening run is enabled, its hour has come and it has not
    planned tomorrow yet; else None. The server's sweep asks this every pass."""
    if not settings.logistics_planning:
        return None
    now = mexico_now()
    if now.hour < settings.logistics.plan_hour:
        return None
    tomorrow = now.date() + timedelta(days=1)
    with session_scope(engine) as session:
        done = session.exec(
            select(t.AuditLog.id).where(
                t.AuditLog.actor == EVENING_ACTOR,
                col(t.AuditLog.entity_id).endswith(tomorrow.isoformat()),
            )
        ).first()
    return None if done is not None else tomorrow


def run_evening_plan(engine: Engine, settings: Settings, day: date) -> list[BranchPlan]:
    """Plan ``day`` for every branch (the audit rows it writes mark the run as done)."""
    return plan_day(engine, day, settings=settings, actor=EVENING_ACTOR)
