"""Deliveries that exist before a logistics task's conversation, and the end-state criteria on
deliveries and route plans.

Times are relative to the moment the task runs (the tools judge windows against the real
clock): ``day`` counts delivery days from today (Sundays skipped); a delivery out on the road,
late or delivered is today's, with its window placed around now. Orders are made through the
same code as the API (stock held and consumed alike); a delivery on the road has a route of
its own with the branch's first truck and driver.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from core.settings import Settings
from db.delivery_planning import plan_branch_day
from db.engine import session_scope
from db.repositories.orders import create_order, update_order
from domain.clock import as_utc, mexico_now, to_mexico, utcnow
from domain.dialogue import TimeWindow
from domain.enums import DeliveryStatus, OrderStatus
from domain.logistics import RouteStatus, geocode, service_minutes
from domain.orders import window_bounds, window_of
from domain.sales import OrderCreate, OrderLineCreate, OrderUpdate
from evals.models import DeliveryExpect, DeliverySetup, PlanExpect

SETUP_ACTOR = "eval-setup"


def delivery_day(offset: int, now: datetime | None = None) -> date:
    """The ``offset``-th delivery day from today (Sundays skipped; 0 = today)."""
    day = to_mexico(now or utcnow()).date()
    left = offset
    while left > 0 or day.weekday() == 6:
        day += timedelta(days=1)
        if day.weekday() != 6:
            left -= 1
    return day


@dataclass
class Made:
    """What a setup delivery became (for the criteria)."""

    delivery_id: int
    order_id: int
    folio: str
    window: TimeWindow | None
    day: date


def _order(session: Session, customer: t.Customer, branch: t.Branch, quantity: int,
           address: str, day: date, window: TimeWindow | None) -> t.Order:  # fmt: skip
    stocks = session.exec(
        select(t.Stock)
        .where(t.Stock.branch_id == branch.id, col(t.Stock.on_hand) - col(t.Stock.reserved) >= quantity)
        .order_by(col(t.Stock.id))
    ).all()
    stock = stocks[0]
    product = session.get(t.Product, stock.product_id)
    assert product is not None
    payload = OrderCreate(
        customer_id=customer.id or 0, branch_code=branch.code,
        lines=[OrderLineCreate(sku=product.sku, quantity=quantity)], status="reserved",
        channel="whatsapp", fulfillment="delivery",
    )  # fmt: skip
    made = create_order(session, payload, actor=SETUP_ACTOR, hold_hours=48)
    update_order(session, made.id, OrderUpdate(status=OrderStatus.PAID), actor=SETUP_ACTOR,
                 hold_hours=48)  # fmt: skip
    row = session.get(t.Order, made.id)
    assert row is not None
    row.paid_cents = row.total_cents
    row.fulfillment_address, row.fulfillment_day = address, day
    row.fulfillment_window = window.value if window else None
    session.add(row)
    return row


def _route(session: Session, branch: t.Branch, day: date) -> t.DeliveryRoute:
    """Today's route of the branch's first truck, on the road."""
    vehicle = session.exec(
        select(t.FleetVehicle).where(t.FleetVehicle.branch_id == branch.id)
        .order_by(col(t.FleetVehicle.id))
    ).first()  # fmt: skip
    driver = session.exec(
        select(t.Driver).where(t.Driver.branch_id == branch.id).order_by(col(t.Driver.id))
    ).first()
    assert vehicle is not None and driver is not None
    route = session.exec(
        select(t.DeliveryRoute).where(
            t.DeliveryRoute.day == day, t.DeliveryRoute.vehicle_id == vehicle.id
        )
    ).first()
    if route is None:
        now = utcnow()
        route = t.DeliveryRoute(
            day=day, branch_id=branch.id or 0, vehicle_id=vehicle.id or 0, driver_id=driver.id,
            status=RouteStatus.ACTIVE.value, planned_start=now - timedelta(hours=3),
            planned_end=now + timedelta(hours=4), km=42.5, minutes=420.0, cost_cents=185_000,
            started_at=now - timedelta(hours=3),
        )  # fmt: skip
        session.add(route)
        session.flush()
        session.add(t.GpsPing(route_id=route.id or 0, driver_id=driver.id or 0,
                              at=now - timedelta(minutes=3), latitude=branch.latitude + 0.01,
                              longitude=branch.longitude - 0.01, accuracy_m=12.0))  # fmt: skip
    return route


def make_delivery(engine: Engine, setup: DeliverySetup, customer: t.Customer) -> Made:
    """One setup delivery, in its own transaction."""
    now = utcnow()
    today = to_mexico(now).date()
    with session_scope(engine, write=True) as session:
        branch = session.exec(select(t.Branch).where(t.Branch.code == setup.branch)).one()
        point = geocode(f"Col. {setup.colonia}", branch.code)
        if point is None:
            raise ValueError(f"no colonia {setup.colonia!r} in {branch.code}'s area")
        number = random.Random(f"{customer.id}:{setup.colonia}:{setup.day}").randint(10, 2999)
        address = f"Calle Durango {number}, Col. {setup.colonia}, {branch.city}"
        road = setup.status != "scheduled"
        day = today if road else delivery_day(setup.day, now)
        if road:
            if setup.status in ("delivered", "failed"):
                start, end = now - timedelta(hours=5), now - timedelta(hours=1)
            elif setup.status == "late":
                start, end = now - timedelta(hours=4), now - timedelta(minutes=40)
            else:
                start, end = now - timedelta(minutes=30), now + timedelta(hours=3)
            window = None
        else:
            window = setup.window
            start, end = window_bounds(day, window)
        order = _order(session, customer, branch, setup.quantity, address, day, window)
        d = t.Delivery(
            order_id=order.id or 0, branch_id=branch.id, address=address, latitude=point[0],
            longitude=point[1], window_start=as_utc(start), window_end=as_utc(end),
            status=DeliveryStatus.SCHEDULED.value, tires=setup.quantity, kg=setup.quantity * 11,
            service_minutes=service_minutes(setup.quantity),
        )  # fmt: skip
        session.add(d)
        session.flush()
        if road:
            route = _route(session, branch, day)
            stops = session.exec(select(t.RouteStop).where(t.RouteStop.route_id == route.id)).all()
            eta = now + timedelta(minutes=20 + 25 * len(stops))
            session.add(t.RouteStop(
                route_id=route.id or 0, delivery_id=d.id or 0, sequence=len(stops) + 1,
                planned_arrival=eta, planned_start=eta, planned_departure=eta + timedelta(minutes=30),
            ))  # fmt: skip
            d.route_id, d.vehicle_id, d.driver_id = route.id, route.vehicle_id, route.driver_id
            d.departed_at, d.eta = route.started_at, eta
            d.status = DeliveryStatus.OUT_FOR_DELIVERY.value
            order.status = OrderStatus.OUT_FOR_DELIVERY.value
            if setup.status in ("delivered", "failed"):
                done = (end - timedelta(minutes=30)) if setup.on_time else (end + timedelta(minutes=45))
                d.status, d.eta = setup.status, None
                if setup.status == "delivered":
                    d.delivered_at, d.arrived_at = done, done
                    d.recipient_name = "Recibió: familiar"
                    order.status = OrderStatus.DELIVERED.value
                else:
                    d.failure_reason = "nadie_en_casa"
                    order.status = OrderStatus.PAID.value
            session.add(order)
            session.add(d)
        return Made(d.id or 0, order.id or 0, order.folio or "", window, day)


def plan(engine: Engine, settings: Settings, branch: str, day: date) -> None:
    """Plan a branch's day (bounded search: the same deliveries give the same plan)."""
    with session_scope(engine, write=True) as session:
        row = session.exec(select(t.Branch).where(t.Branch.code == branch)).one()
        plan_branch_day(session, row, day, seconds=2.0, max_iterations=1_500, actor=SETUP_ACTOR)


def run_setup(
    engine: Engine, settings: Settings, setups: list[DeliverySetup], persona: t.Customer | None,
    pick: Any,
) -> list[Made]:  # fmt: skip
    """Make every setup delivery; then plan the days asked for."""
    made: list[Made] = []
    for setup in setups:
        with session_scope(engine) as session:
            customer = pick(session, setup.customer) if setup.customer is not None else None
        customer = customer or persona
        if customer is None:
            raise ValueError("a setup delivery without a customer needs a customer persona")
        made.append(make_delivery(engine, setup, customer))
    planned = {(s.branch, m.day) for s, m in zip(setups, made, strict=True) if s.planned}
    for branch, day in sorted(planned):
        plan(engine, settings, branch, day)
    return made


def delivery_problems(
    engine: Engine, wants: list[DeliveryExpect], made: list[Made]
) -> list[str]:
    """What differs from the expected end state of the setup deliveries."""
    problems: list[str] = []
    now = utcnow()
    with session_scope(engine) as session:
        for want in wants:
            if want.setup >= len(made):
                problems.append(f"setup delivery {want.setup} does not exist")
                continue
            m = made[want.setup]
            d = session.get(t.Delivery, m.delivery_id)
            order = session.get(t.Order, m.order_id)
            assert d is not None and order is not None
            name = f"delivery of {m.folio}"
            day = to_mexico(d.window_start).date()
            window = window_of(d.window_start)
            if want.status is not None and d.status != want.status:
                problems.append(f"{name} is {d.status}, expected {want.status}")
            if want.moved is not None:
                moved = day != m.day or window != m.window
                if moved != want.moved:
                    problems.append(f"{name} {'moved' if moved else 'did not move'} ({day} {window})")
            if want.weekday is not None and day.weekday() != want.weekday:
                problems.append(f"{name} is on weekday {day.weekday()}, expected {want.weekday}")
            if want.window is not None and window != want.window:
                problems.append(f"{name} window {window}, expected {want.window.value}")
            if want.day_offset is not None and day != delivery_day(want.day_offset, now):
                problems.append(f"{name} is on {day}, expected {delivery_day(want.day_offset, now)}")
            if want.fulfillment is not None and order.fulfillment != want.fulfillment:
                problems.append(f"order {m.folio} fulfilment {order.fulfillment}")
            if want.address_has is not None:
                from domain.text import fold

                if fold(want.address_has) not in fold(d.address):
                    problems.append(f"{name} address {d.address!r} lacks {want.address_has!r}")
            if want.routed is not None and (d.route_id is not None) != want.routed:
                problems.append(f"{name} route {d.route_id}, expected routed={want.routed}")
            if want.surveyed is not None and (d.survey_score is not None) != want.surveyed:
                problems.append(f"{name} survey answered={d.survey_score is not None}")
            if want.survey_score is not None and d.survey_score != want.survey_score:
                problems.append(f"{name} survey {d.survey_score}, expected {want.survey_score}")
    return problems


def plan_problems(engine: Engine, wants: list[PlanExpect]) -> list[str]:
    problems = []
    now = mexico_now()
    with session_scope(engine) as session:
        for want in wants:
            day = delivery_day(want.day, now)
            branch = session.exec(select(t.Branch).where(t.Branch.code == want.branch)).one()
            routes = session.exec(
                select(t.DeliveryRoute).where(
                    t.DeliveryRoute.branch_id == branch.id, t.DeliveryRoute.day == day
                )
            ).all()
            if bool(routes) != want.routes:
                problems.append(f"{len(routes)} routes for {want.branch} on {day}")
    return problems
