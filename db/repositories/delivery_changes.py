"""Deliveries as chat asks about them: a customer's delivery, the windows a day can still serve,
moving it (the old and new days re-planned), pickup instead, a new address, the fee for an
address; for staff, late deliveries, a vehicle's progress and a day's figures.

Each function takes the caller's session (one transaction per tool call); customer notices go
to the outbox in that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

import db.tables as t
from core.settings import Settings
from db.delivery_planning import (
    DONE,
    OPEN,
    day_bounds,
    plan_branch_day,
    replan_if_planned,
    route_stops,
)
from domain.clock import as_utc, to_mexico
from domain.dialogue import TimeWindow
from domain.enums import DeliveryStatus
from domain.logistics import (
    DeliveryFee,
    RouteStatus,
    delivery_fee,
    geocode,
    road_km,
    zone_of,
)
from domain.orders import WINDOW_HOURS, window_bounds

HORIZON_DAYS = 14  # how far ahead a customer may move a delivery in chat
LEAD = timedelta(minutes=90)  # a window of today is offered only if it starts this far ahead
TRAVEL_MINUTES = 20  # a rough drive between two stops, for a window's load
NO_DELIVERY_WEEKDAY = 6  # Sunday: the trucks rest


def newest_delivery(session: Session, order_id: int) -> t.Delivery | None:
    """The order's latest delivery row (a moved or failed one is the same row)."""
    return session.exec(
        select(t.Delivery).where(t.Delivery.order_id == order_id).order_by(col(t.Delivery.id).desc())
    ).first()


def _tires(session: Session, delivery: t.Delivery) -> int:
    if delivery.tires > 0:
        return delivery.tires
    quantities = session.exec(
        select(t.OrderLine.quantity).where(t.OrderLine.order_id == delivery.order_id)
    ).all()
    return int(sum(quantities))


def _branch_of(session: Session, delivery: t.Delivery) -> t.Branch:
    order = session.get(t.Order, delivery.order_id)
    branch = session.get(t.Branch, delivery.branch_id or (order.branch_id if order else 0))
    assert branch is not None
    return branch


@dataclass(frozen=True)
class Window:
    """A window of a day a delivery can be moved to."""

    day: date
    window: TimeWindow
    start: datetime
    end: datetime


def _day_load(
    session: Session, branch: t.Branch, day: date, skip: int | None
) -> list[t.Delivery]:
    start, end = day_bounds(day)
    return list(
        session.exec(
            select(t.Delivery)
            .join(t.Order, col(t.Order.id) == t.Delivery.order_id)
            .where(
                sa.or_(
                    col(t.Delivery.branch_id) == branch.id, col(t.Order.branch_id) == branch.id
                ),
                col(t.Delivery.window_start) >= start,
                col(t.Delivery.window_start) < end,
                col(t.Delivery.status).in_(OPEN),
                col(t.Delivery.id) != (skip or -1),
            )
        ).all()
    )


def open_windows(
    session: Session, delivery: t.Delivery, day: date, now: datetime
) -> list[Window]:
    """The named windows of ``day`` the branch's trucks can still serve for this delivery:
    not over (today: starting at least 90 minutes from now), inside a truck's shift, with room
    left in the trucks (tires) and in the window's hours (stops x service and driving)."""
    if day.weekday() == NO_DELIVERY_WEEKDAY or day < to_mexico(now).date():
        return []
    if day > to_mexico(now).date() + timedelta(days=HORIZON_DAYS):
        return []
    branch = _branch_of(session, delivery)
    vehicles = session.exec(
        select(t.FleetVehicle).where(
            t.FleetVehicle.branch_id == branch.id, col(t.FleetVehicle.active)
        )
    ).all()
    others = _day_load(session, branch, day, delivery.id)
    tires = _tires(session, delivery)
    capacity = sum(v.capacity_tires for v in vehicles)
    if sum(_tires(session, d) for d in others) + tires > capacity:
        return []
    out = []
    for window, (first, last) in WINDOW_HOURS.items():
        start, end = window_bounds(day, window)
        if start < now + LEAD:
            continue
        trucks = [
            v for v in vehicles
            if v.shift_start.hour < last and v.shift_end.hour * 60 + v.shift_end.minute
            >= first * 60 + 30
        ]  # fmt: skip
        if not trucks:
            continue
        inside = [d for d in others if as_utc(d.window_start) < end and as_utc(d.window_end) > start]
        busy = sum((d.service_minutes or 30) + TRAVEL_MINUTES for d in inside)
        room = len(trucks) * (last - first) * 60
        if busy + (delivery.service_minutes or 30) + TRAVEL_MINUTES > room:
            continue
        out.append(Window(day, window, start, end))
    return out


def next_windows(
    session: Session, delivery: t.Delivery, now: datetime, *, days: int = 3
) -> list[Window]:
    """The first delivery days (from today) with a window left, up to ``days`` of them."""
    found: list[Window] = []
    day = to_mexico(now).date()
    seen = 0
    for _ in range(HORIZON_DAYS + 1):
        windows = open_windows(session, delivery, day, now)
        if windows:
            found += windows
            seen += 1
            if seen >= days:
                break
        day += timedelta(days=1)
    return found


def replan_after_move(
    session: Session, delivery: t.Delivery, old_route_id: int | None, *, settings: Settings,
    actor: str,
) -> None:  # fmt: skip
    """The day it left loses the stop, the day it went to gains it (when that day has a plan);
    trucks on the road keep their load."""
    if old_route_id is not None:
        route = session.get(t.DeliveryRoute, old_route_id)
        delivery.route_id = delivery.vehicle_id = delivery.driver_id = None
        session.add(delivery)
        session.flush()
        if route is not None and route.status == RouteStatus.PLANNED.value:
            branch = session.get(t.Branch, route.branch_id)
            assert branch is not None
            plan_branch_day(session, branch, route.day, seconds=min(settings.logistics.solver_seconds, 2.0),
                            max_iterations=2_000, actor=actor)  # fmt: skip
    if delivery.status in OPEN:
        replan_if_planned(session, delivery, settings=settings, actor=actor)
    session.flush()


def relocate(session: Session, delivery: t.Delivery, address: str) -> tuple[float, float] | None:
    """Put a new address on the delivery with a point in its branch's area (None: no colonia
    of ours is named, nothing changed)."""
    branch = _branch_of(session, delivery)
    point = geocode(address, branch.code)
    if point is None:
        return None
    delivery.address = " ".join(address.split())[:200]
    delivery.latitude, delivery.longitude = point
    session.add(delivery)
    return point


@dataclass(frozen=True)
class FeeQuote:
    branch: str
    zone: str | None  # the colonia recognised
    fee: DeliveryFee


def fee_for_address(session: Session, address: str, branch_code: str | None) -> FeeQuote | None:
    """The delivery fee for an address: the colonia it names in the branch's area (or any
    branch's), road km from that branch, the fee band. None: no colonia we know."""
    query = select(t.Branch).order_by(col(t.Branch.id))
    if branch_code:
        query = query.where(t.Branch.code == branch_code.upper())
    for branch in session.exec(query).all():
        point = geocode(address, branch.code)
        if point is None:
            continue
        zone = zone_of(address, branch.code)
        km = road_km(branch.latitude, branch.longitude, point[0], point[1])
        return FeeQuote(branch.code, zone, delivery_fee(km))
    return None


# --- staff -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Late:
    delivery: t.Delivery
    folio: str
    branch: str
    minutes_late: int
    eta: datetime | None
    driver: str | None


def late_deliveries(
    session: Session, now: datetime, *, branch: str | None, tolerance_minutes: int
) -> list[Late]:
    """Open deliveries of today that are (or are predicted to be) past their window by more
    than the tolerance, latest first."""
    start, end = day_bounds(to_mexico(now).date())
    query = (
        select(t.Delivery, t.Order, t.Branch)
        .join(t.Order, col(t.Order.id) == t.Delivery.order_id)
        .join(t.Branch, col(t.Branch.id) == t.Order.branch_id)
        .where(
            col(t.Delivery.window_start) >= start,
            col(t.Delivery.window_start) < end,
            col(t.Delivery.status).in_(OPEN),
        )
    )
    if branch:
        query = query.where(t.Branch.code == branch.upper())
    out = []
    for d, order, b in session.exec(query).all():
        predicted = max(as_utc(d.eta), now) if d.eta else now
        late = (predicted - as_utc(d.window_end)).total_seconds() / 60
        if late > tolerance_minutes:
            driver = session.get(t.Driver, d.driver_id) if d.driver_id else None
            out.append(Late(d, order.folio or "", b.code, round(late),
                            as_utc(d.eta) if d.eta else None, driver.name if driver else None))  # fmt: skip
    return sorted(out, key=lambda x: -x.minutes_late)


@dataclass(frozen=True)
class Progress:
    route: t.DeliveryRoute
    plate: str
    branch: str
    driver: str | None
    done: int
    total: int
    next_folio: str | None
    next_eta: datetime | None
    position: tuple[float, float] | None
    position_at: datetime | None


def route_progress(session: Session, route: t.DeliveryRoute) -> Progress:
    vehicle = session.get(t.FleetVehicle, route.vehicle_id)
    driver = session.get(t.Driver, route.driver_id) if route.driver_id else None
    branch = session.get(t.Branch, route.branch_id)
    stops = route_stops(session, route.id or 0)
    pending = [(s, d) for s, d in stops if d.status not in DONE]
    nxt = pending[0] if pending else None
    folio = None
    if nxt is not None:
        order = session.get(t.Order, nxt[1].order_id)
        folio = order.folio if order else None
    last = session.exec(
        select(t.GpsPing)
        .where(t.GpsPing.route_id == route.id)
        .order_by(col(t.GpsPing.at).desc(), col(t.GpsPing.id).desc())
    ).first()
    eta = None
    if nxt is not None:
        eta = as_utc(nxt[1].eta) if nxt[1].eta else as_utc(nxt[0].planned_start)
    return Progress(
        route=route, plate=vehicle.plate if vehicle else "", branch=branch.code if branch else "",
        driver=driver.name if driver else None, done=len(stops) - len(pending), total=len(stops),
        next_folio=folio, next_eta=eta,
        position=(last.latitude, last.longitude) if last else None,
        position_at=as_utc(last.at) if last else None,
    )  # fmt: skip


def day_routes(session: Session, day: date, branch: str | None) -> list[t.DeliveryRoute]:
    query = (
        select(t.DeliveryRoute)
        .join(t.Branch, col(t.Branch.id) == t.DeliveryRoute.branch_id)
        .where(t.DeliveryRoute.day == day)
        .order_by(col(t.DeliveryRoute.branch_id), col(t.DeliveryRoute.vehicle_id))
    )
    if branch:
        query = query.where(t.Branch.code == branch.upper())
    return list(session.exec(query).all())


@dataclass(frozen=True)
class DayFigures:
    day: date
    branch: str | None
    deliveries: int  # every delivery of the day but cancelled ones
    delivered: int
    on_time: int  # delivered by the end of the customer's window
    failed: int
    pending: int
    routes: int
    km: float
    cost_cents: int  # the day's planned route cost


def day_figures(session: Session, day: date, branch: str | None) -> DayFigures:
    start, end = day_bounds(day)
    query = (
        select(t.Delivery)
        .join(t.Order, col(t.Order.id) == t.Delivery.order_id)
        .join(t.Branch, col(t.Branch.id) == t.Order.branch_id)
        .where(
            col(t.Delivery.window_start) >= start,
            col(t.Delivery.window_start) < end,
            t.Delivery.status != DeliveryStatus.CANCELLED.value,
        )
    )
    if branch:
        query = query.where(t.Branch.code == branch.upper())
    rows = session.exec(query).all()
    delivered = [d for d in rows if d.status == DeliveryStatus.DELIVERED.value]
    on_time = [
        d for d in delivered
        if d.delivered_at is not None and as_utc(d.delivered_at) <= as_utc(d.window_end)
    ]  # fmt: skip
    routes = day_routes(session, day, branch)
    return DayFigures(
        day=day, branch=branch.upper() if branch else None, deliveries=len(rows),
        delivered=len(delivered), on_time=len(on_time),
        failed=sum(d.status == DeliveryStatus.FAILED.value for d in rows),
        pending=sum(d.status in OPEN for d in rows), routes=len(routes),
        km=round(sum(r.km for r in routes), 1), cost_cents=sum(r.cost_cents for r in routes),
    )  # fmt: skip
