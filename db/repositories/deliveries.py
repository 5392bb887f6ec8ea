"""Deliveries, routes and vehicles: views, changes, what drivers report, pings and live ETAs.

Each function takes the caller's session; messages go to the outbox in the same transaction
(the caller sends the returned outbox ids after commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

import db.tables as t
from core.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from db.delivery_planning import DONE, city_of, route_stops
from db.repositories.audit import record
from db.repositories.outbox import queue_message
from domain import logistics_text as text
from domain.clock import as_utc, to_mexico, utcnow
from domain.enums import DeliveryStatus, OrderStatus
from domain.logistics import (
    DeliveryEventKind,
    RouteStatus,
    eta_window,
    minutes_late,
)
from domain.logistics_results import (
    DeliveryPublic,
    RoutePublic,
    StopPublic,
    TrackingView,
    VehiclePublic,
)
from engines.routing import HaversineMatrix, Point


def tracking_url(base_url: str, token: str | None) -> str:
    return f"{base_url.rstrip('/')}/track/{token or ''}"


def vehicle_public(session: Session, v: t.FleetVehicle) -> VehiclePublic:
    branch = session.get(t.Branch, v.branch_id)
    return VehiclePublic(
        id=v.id or 0, plate=v.plate, branch=branch.code if branch else "", kind=v.kind,
        capacity_tires=v.capacity_tires, capacity_kg=v.capacity_kg, shift_start=v.shift_start,
        shift_end=v.shift_end, cost_per_km_cents=v.cost_per_km_cents,
        cost_per_hour_cents=v.cost_per_hour_cents, active=v.active,
    )  # fmt: skip


def delivery_public(session: Session, d: t.Delivery, base_url: str) -> DeliveryPublic:
    order = session.get(t.Order, d.order_id)
    customer = session.get(t.Customer, order.customer_id) if order else None
    branch = session.get(t.Branch, d.branch_id or (order.branch_id if order else 0))
    return DeliveryPublic(
        id=d.id or 0, folio=(order.folio if order else None) or "", branch=branch.code if branch else None,
        status=DeliveryStatus(d.status), address=d.address, latitude=d.latitude,
        longitude=d.longitude, window_start=as_utc(d.window_start),
        window_end=as_utc(d.window_end), tires=d.tires, service_minutes=d.service_minutes,
        route_id=d.route_id, eta=as_utc(d.eta) if d.eta else None,
        customer_name=customer.name if customer else "",
        customer_phone=customer.phone if customer else None,
        recipient_name=d.recipient_name, failure_reason=d.failure_reason,
        survey_score=d.survey_score, tracking_url=tracking_url(base_url, d.tracking_token),
    )  # fmt: skip


def route_public(session: Session, r: t.DeliveryRoute, base_url: str) -> RoutePublic:
    vehicle = session.get(t.FleetVehicle, r.vehicle_id)
    driver = session.get(t.Driver, r.driver_id) if r.driver_id else None
    branch = session.get(t.Branch, r.branch_id)
    stops = [
        StopPublic(
            sequence=s.sequence,
            delivery=delivery_public(session, d, base_url),
            planned_arrival=as_utc(s.planned_arrival),
            planned_start=as_utc(s.planned_start),
            planned_departure=as_utc(s.planned_departure),
        )  # fmt: skip
        for s, d in route_stops(session, r.id or 0)
    ]
    return RoutePublic(
        id=r.id or 0, day=r.day, branch=branch.code if branch else "", vehicle_id=r.vehicle_id,
        vehicle_plate=vehicle.plate if vehicle else "", driver_id=r.driver_id,
        driver_name=driver.name if driver else None, status=RouteStatus(r.status),
        version=r.version, planned_start=as_utc(r.planned_start),
        planned_end=as_utc(r.planned_end), km=r.km, minutes=r.minutes,
        cost_cents=r.cost_cents, stops=stops,
    )  # fmt: skip


def get_delivery(session: Session, delivery_id: int) -> t.Delivery:
    row = session.get(t.Delivery, delivery_id)
    if row is None:
        raise NotFound(f"no delivery {delivery_id}", field="delivery_id")
    return row


def get_route(session: Session, route_id: int) -> t.DeliveryRoute:
    row = session.get(t.DeliveryRoute, route_id)
    if row is None:
        raise NotFound(f"no route {route_id}", field="route_id")
    return row


def driver_by_key(session: Session, key_prefix: str) -> t.Driver:
    driver = session.exec(select(t.Driver).where(t.Driver.key_prefix == key_prefix)).first()
    if driver is None or not driver.active:
        raise PermissionDenied("this key belongs to no active driver")
    return driver


def driver_route(session: Session, driver: t.Driver, day: date) -> t.DeliveryRoute | None:
    """The driver's route of ``day``; else their next one not finished."""
    routes = session.exec(
        select(t.DeliveryRoute)
        .where(t.DeliveryRoute.driver_id == driver.id, t.DeliveryRoute.day >= day)
        .order_by(col(t.DeliveryRoute.day))
    ).all()
    today = [r for r in routes if r.day == day]
    if today:
        return today[0]
    return next((r for r in routes if r.status != RouteStatus.DONE.value), None)


def own_route(session: Session, driver: t.Driver, route_id: int) -> t.DeliveryRoute:
    route = get_route(session, route_id)
    if route.driver_id != driver.id:
        raise PermissionDenied("that route is not yours", field="route_id")
    return route


def own_delivery(session: Session, driver: t.Driver, delivery_id: int) -> t.Delivery:
    delivery = get_delivery(session, delivery_id)
    route = session.get(t.DeliveryRoute, delivery.route_id) if delivery.route_id else None
    if route is None or route.driver_id != driver.id:
        raise PermissionDenied("that delivery is not on your route", field="delivery_id")
    return delivery


@dataclass
class Outcome:
    """What a change wrote: outbox rows to send after commit."""

    outbox_ids: list[int] = field(default_factory=list)


def _recipient(session: Session, delivery: t.Delivery) -> tuple[t.Order, t.Customer | None]:
    order = session.get(t.Order, delivery.order_id)
    assert order is not None
    return order, session.get(t.Customer, order.customer_id)


def _notify(session: Session, delivery: t.Delivery, kind: str, body: str, out: Outcome) -> None:
    order, customer = _recipient(session, delivery)
    if customer is None or not customer.phone:
        return
    row = queue_message(
        session, kind=kind, channel="whatsapp", to=customer.phone, customer_id=customer.id,
        order_id=order.id, body=body,
        status="queued" if customer.consent_notifications else "blocked",
        error=None if customer.consent_notifications else "opted out (BAJA)",
    )  # fmt: skip
    if row.id is not None and row.status == "queued":
        out.outbox_ids.append(row.id)


def notify_customer(session: Session, delivery: t.Delivery, kind: str, body: str) -> Outcome:
    """Queue a notice about this delivery to its customer's WhatsApp (none when opted out)."""
    out = Outcome()
    _notify(session, delivery, kind, body, out)
    return out


def _move_order(session: Session, order: t.Order, to: OrderStatus, actor: str) -> None:
    from db.repositories.orders import update_order
    from domain.orders import TRANSITIONS
    from domain.sales import OrderUpdate

    if to in TRANSITIONS.get(OrderStatus(order.status), frozenset()):
        update_order(session, order.id or 0, OrderUpdate(status=to), actor=actor, hold_hours=48)


def _event(session: Session, kind: DeliveryEventKind, actor: str, **values: object) -> None:
    session.add(t.DeliveryEvent(kind=kind.value, actor=actor, **values))  # type: ignore[arg-type]


def depart(
    session: Session, driver: t.Driver, route_id: int, *, base_url: str, actor: str
) -> Outcome:
    """ "Salí": the route becomes active, its deliveries go out and each customer is told."""
    route = own_route(session, driver, route_id)
    if route.status != RouteStatus.PLANNED.value:
        raise Conflict(f"route {route_id} already left", field="route_id")
    now = utcnow()
    route.status, route.started_at = RouteStatus.ACTIVE.value, now
    session.add(route)
    _event(session, DeliveryEventKind.DEPARTED, actor, route_id=route.id)
    out = Outcome()
    shift = now - as_utc(route.planned_start)  # late leaving pushes every planned time
    for stop, delivery in route_stops(session, route.id or 0):
        if delivery.status != DeliveryStatus.SCHEDULED.value:
            continue
        delivery.status = DeliveryStatus.OUT_FOR_DELIVERY.value
        delivery.departed_at = now
        eta = as_utc(stop.planned_start) + max(shift, timedelta(0))
        delivery.eta = eta
        session.add(delivery)
        order, customer = _recipient(session, delivery)
        _move_order(session, order, OrderStatus.OUT_FOR_DELIVERY, actor)
        body = text.out_for_delivery(
            customer.name if customer else "", order.folio or "", now, eta, eta_window(eta),
            driver.name, tracking_url(base_url, delivery.tracking_token),
        )  # fmt: skip
        _notify(session, delivery, text.KINDS["out"], body, out)
    record(session, actor=actor, action="depart", entity="delivery_route", entity_id=route.id)
    return out


def _open_on_route(session: Session, driver: t.Driver, delivery_id: int) -> t.Delivery:
    delivery = own_delivery(session, driver, delivery_id)
    if delivery.status in DONE:
        raise Conflict(f"delivery {delivery_id} is already {delivery.status}", field="status")
    route = session.get(t.DeliveryRoute, delivery.route_id)
    if route is None or route.status != RouteStatus.ACTIVE.value:
        raise Conflict("press 'salí' first: the route has not left", field="route_id")
    return delivery


def arrive(session: Session, driver: t.Driver, delivery_id: int, *, actor: str) -> Outcome:
    delivery = _open_on_route(session, driver, delivery_id)
    delivery.arrived_at = utcnow()
    session.add(delivery)
    _event(session, DeliveryEventKind.ARRIVED, actor, route_id=delivery.route_id,
           delivery_id=delivery.id)  # fmt: skip
    return Outcome()


def deliver(
    session: Session, driver: t.Driver, delivery_id: int, *, recipient: str, photo: str | None,
    actor: str,
) -> Outcome:  # fmt: skip
    """Delivered with proof: the recipient's name and a photo; thanks and the survey go out."""
    recipient = " ".join(recipient.split())
    if not recipient:
        raise InvalidRequest("the recipient's name is required", field="recipient_name")
    delivery = _open_on_route(session, driver, delivery_id)
    now = utcnow()
    delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED.value, now
    delivery.recipient_name, delivery.proof_photo = recipient[:120], photo
    delivery.arrived_at = delivery.arrived_at or now
    session.add(delivery)
    _event(session, DeliveryEventKind.DELIVERED, actor, route_id=delivery.route_id,
           delivery_id=delivery.id, recipient_name=recipient[:120], photo=photo)  # fmt: skip
    order, customer = _recipient(session, delivery)
    _move_order(session, order, OrderStatus.DELIVERED, actor)
    out = Outcome()
    name = customer.name if customer else ""
    _notify(session, delivery, text.KINDS["delivered"],
            text.delivered(name, order.folio or "", recipient), out)  # fmt: skip
    _notify(
        session, delivery, text.KINDS["survey"], text.survey(order.folio or "", driver.name), out
    )
    _finish_if_done(session, delivery.route_id)
    return out


def fail(
    session: Session, driver: t.Driver, delivery_id: int, *, reason: str, actor: str
) -> Outcome:
    delivery = _open_on_route(session, driver, delivery_id)
    delivery.status, delivery.failure_reason = DeliveryStatus.FAILED.value, reason[:200]
    session.add(delivery)
    _event(session, DeliveryEventKind.FAILED, actor, route_id=delivery.route_id,
           delivery_id=delivery.id, reason=reason[:200])  # fmt: skip
    order, customer = _recipient(session, delivery)
    out = Outcome()
    _notify(session, delivery, text.KINDS["failed"],
            text.failed(customer.name if customer else "", order.folio or ""), out)  # fmt: skip
    _finish_if_done(session, delivery.route_id)
    return out


def _finish_if_done(session: Session, route_id: int | None) -> None:
    route = session.get(t.DeliveryRoute, route_id) if route_id else None
    if route is None:
        return
    session.flush()
    if all(d.status in DONE for _, d in route_stops(session, route.id or 0)):
        route.status, route.finished_at = RouteStatus.DONE.value, utcnow()
        session.add(route)


def ping(
    session: Session, driver: t.Driver, lat: float, lon: float, accuracy: float | None,
    *, tolerance_minutes: int, base_url: str, dispatch_to: str | None,
) -> Outcome:  # fmt: skip
    """Store a position of the driver's active route and refresh the ETAs of its open stops."""
    route = session.exec(
        select(t.DeliveryRoute).where(
            t.DeliveryRoute.driver_id == driver.id,
            t.DeliveryRoute.status == RouteStatus.ACTIVE.value,
        )
    ).first()
    if route is None:
        raise Conflict("no active route: press 'salí' first", field="route_id")
    now = utcnow()
    session.add(t.GpsPing(route_id=route.id or 0, driver_id=driver.id or 0, at=now,
                          latitude=lat, longitude=lon, accuracy_m=accuracy))  # fmt: skip
    return refresh_etas(
        session, route, Point.geo(lat, lon), now, tolerance_minutes=tolerance_minutes,
        base_url=base_url, dispatch_to=dispatch_to, driver=driver,
    )  # fmt: skip


def refresh_etas(
    session: Session, route: t.DeliveryRoute, here: Point, now: datetime, *,
    tolerance_minutes: int, base_url: str, dispatch_to: str | None, driver: t.Driver,
) -> Outcome:  # fmt: skip
    """ETA of each open stop: from the last position through the remaining plan, at the city's
    speed for this hour; a stop newly predicted past its window + tolerance warns the customer
    (new window) and dispatch, once."""
    out = Outcome()
    pending = [(s, d) for s, d in route_stops(session, route.id or 0) if d.status not in DONE]
    if not pending:
        return out
    branch = session.get(t.Branch, route.branch_id)
    assert branch is not None
    points = [here, *(Point.geo(d.latitude or 0.0, d.longitude or 0.0) for _, d in pending)]
    hour = to_mexico(now).hour + to_mexico(now).minute / 60
    minutes = HaversineMatrix(city_of(branch), start_hour=hour).matrices(points).duration
    clock = now
    for i, (_, delivery) in enumerate(pending):
        if delivery.arrived_at is not None and i == 0:
            arrival = as_utc(delivery.arrived_at)
        else:
            arrival = clock + timedelta(minutes=float(minutes[i, i + 1]))
        start = max(arrival, as_utc(delivery.window_start))
        delivery.eta = start
        session.add(delivery)
        clock = start + timedelta(minutes=delivery.service_minutes)
        late = minutes_late(start, as_utc(delivery.window_end))
        if late > tolerance_minutes and delivery.delay_notified_at is None:
            delivery.delay_notified_at = now
            order, customer = _recipient(session, delivery)
            window = eta_window(start)
            url = tracking_url(base_url, delivery.tracking_token)
            body = text.delayed(customer.name if customer else "", order.folio or "", window, url)
            _notify(session, delivery, text.KINDS["delayed"], body, out)
            if dispatch_to:
                row = queue_message(
                    session, kind=text.KINDS["dispatch"], channel="whatsapp", to=dispatch_to,
                    body=text.dispatch_alert(order.folio or "", round(late), driver.name, window),
                )  # fmt: skip
                if row.id is not None:
                    out.outbox_ids.append(row.id)
            record(session, actor="system:eta", action="delay", entity="delivery",
                   entity_id=delivery.id, minutes_late=round(late))  # fmt: skip
    return out


def dispatch_contact(session: Session, branch_id: int) -> str | None:
    """Who gets dispatch alerts: the branch's warehouse staff member with a phone."""
    staff = session.exec(
        select(t.StaffMember)
        .where(t.StaffMember.branch_id == branch_id)
        .order_by(col(t.StaffMember.id))
    ).all()
    chosen = next((s for s in staff if "almac" in s.job.lower() and s.phone), None)
    chosen = chosen or next((s for s in staff if s.phone), None)
    return chosen.phone if chosen else None


def tracking_view(session: Session, token: str, *, tile_url: str) -> TrackingView:
    delivery = session.exec(select(t.Delivery).where(t.Delivery.tracking_token == token)).first()
    if delivery is None or not token:
        raise NotFound("no delivery with that tracking link", field="token")
    order, _ = _recipient(session, delivery)
    branch = session.get(t.Branch, delivery.branch_id or order.branch_id)
    assert branch is not None
    driver = session.get(t.Driver, delivery.driver_id) if delivery.driver_id else None
    route = session.get(t.DeliveryRoute, delivery.route_id) if delivery.route_id else None
    position = None
    position_at = None
    stops_before = None
    if route is not None and delivery.status == DeliveryStatus.OUT_FOR_DELIVERY.value:
        last = session.exec(
            select(t.GpsPing)
            .where(t.GpsPing.route_id == route.id)
            .order_by(col(t.GpsPing.at).desc(), col(t.GpsPing.id).desc())
        ).first()
        if last is not None:
            position, position_at = (last.latitude, last.longitude), as_utc(last.at)
        stops = route_stops(session, route.id or 0)
        mine = next((s.sequence for s, d in stops if d.id == delivery.id), None)
        if mine is not None:
            stops_before = sum(1 for s, d in stops if s.sequence < mine and d.status not in DONE)
    eta = as_utc(delivery.eta) if delivery.eta else None
    window = eta_window(eta) if eta and delivery.status not in DONE else None
    return TrackingView(
        folio=order.folio or "", status=DeliveryStatus(delivery.status),
        status_text=text.STATUS_TEXT.get(delivery.status, delivery.status),
        driver_first_name=text.first_name(driver.name) if driver else None,
        driver_rating=round(driver.rating, 1) if driver and driver.rating else None,
        window_text=text.window_text(delivery.window_start, delivery.window_end),
        eta_text=text.window_text(*window) if window else None,
        eta_start=window[0] if window else None, eta_end=window[1] if window else None,
        stops_before=stops_before,
        destination=(delivery.latitude, delivery.longitude)
        if delivery.latitude is not None and delivery.longitude is not None else None,
        branch=(branch.latitude, branch.longitude), position=position,
        position_at=position_at, tile_url=tile_url,
    )  # fmt: skip


def record_survey(
    session: Session, delivery: t.Delivery, score: int, comment: str, *, actor: str
) -> None:
    """A customer's 1-5 score (and comment) on a delivery; it feeds the driver's mean rating."""
    if not 1 <= score <= 5:
        raise InvalidRequest("the score goes from 1 to 5", field="score")
    first = delivery.survey_score is None
    old = delivery.survey_score
    delivery.survey_score, delivery.survey_comment = score, comment.strip()[:500] or None
    delivery.surveyed_at = utcnow()
    session.add(delivery)
    driver = session.get(t.Driver, delivery.driver_id) if delivery.driver_id else None
    if driver is not None:
        total = (driver.rating or 0.0) * driver.ratings
        if first:
            driver.ratings += 1
            total += score
        else:
            total += score - (old or 0)
        driver.rating = total / driver.ratings if driver.ratings else None
        session.add(driver)
    record(session, actor=actor, action="survey", entity="delivery", entity_id=delivery.id,
           score=score)  # fmt: skip


def awaiting_survey(session: Session, phone: str) -> t.Delivery | None:
    """The customer's latest delivered delivery whose survey went out and is not answered."""
    return session.exec(
        select(t.Delivery)
        .join(t.Order, col(t.Order.id) == t.Delivery.order_id)
        .join(t.Customer, col(t.Customer.id) == t.Order.customer_id)
        .where(
            t.Customer.phone == phone,
            t.Delivery.status == DeliveryStatus.DELIVERED.value,
            col(t.Delivery.survey_score).is_(None),
            col(t.Delivery.delivered_at) >= utcnow() - timedelta(days=3),
        )
        .order_by(col(t.Delivery.delivered_at).desc())
    ).first()
