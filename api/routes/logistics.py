"""Logistics for staff: /api/v1/deliveries, /api/v1/routes (daily plans), /api/v1/vehicles, and
the per-driver sign-in link. Adding, moving or cancelling a delivery re-plans its day when that
day already has a plan (trucks on the road keep their load and the stop under way)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel
from sqlmodel import col, select

import db.tables as t
from api.deps import EngineDep, SessionDep, SettingsDep, require, run_write
from core.errors import Conflict, InvalidRequest, NotFound
from core.security import Principal, Scope
from db.delivery_planning import BranchPlan, branches, day_bounds, plan_day, replan_if_planned
from db.engine import session_scope
from db.repositories import deliveries as repo
from db.repositories.api_keys import create_key, revoke_key
from db.repositories.delivery_changes import replan_after_move
from domain.clock import as_utc
from domain.enums import DeliveryStatus
from domain.logistics import geocode, service_minutes
from domain.logistics_results import (
    BranchPlanPublic,
    DeliveryCreate,
    DeliveryMove,
    DeliveryPublic,
    PlanRequest,
    RoutePublic,
    VehiclePublic,
    VehicleUpdate,
)

router = APIRouter(tags=["logistics"])
Reader = Annotated[Principal, Depends(require(Scope.LOGISTICS_READ))]
Writer = Annotated[Principal, Depends(require(Scope.LOGISTICS_WRITE))]
DbId = Annotated[int, Path(ge=1, le=2**31 - 1)]
BranchCode = Annotated[str | None, Query(max_length=8, description="CDMX, GDL, MTY")]


class DriverLink(BaseModel):
    driver_id: int
    name: str
    link: str  # shown once: it holds the driver's key


def _plan_public(o: BranchPlan) -> BranchPlanPublic:
    return BranchPlanPublic(**o.__dict__)


@router.get("/api/v1/vehicles", summary="Delivery vehicles of a branch (or all)")
async def list_vehicles(
    session: SessionDep, _: Reader, branch: BranchCode = None
) -> list[VehiclePublic]:
    ids = [b.id for b in branches(session, branch)]
    rows = session.exec(
        select(t.FleetVehicle)
        .where(col(t.FleetVehicle.branch_id).in_(ids))
        .order_by(col(t.FleetVehicle.id))
    ).all()
    return [repo.vehicle_public(session, v) for v in rows]


@router.patch(
    "/api/v1/vehicles/{vehicle_id}", summary="Change a vehicle's capacity, shift or costs"
)
async def update_vehicle(
    request: Request, engine: EngineDep, principal: Writer, vehicle_id: DbId, body: VehicleUpdate
) -> VehiclePublic:
    def write() -> VehiclePublic:
        with session_scope(engine, write=True) as session:
            row = session.get(t.FleetVehicle, vehicle_id)
            if row is None:
                raise NotFound(f"no vehicle {vehicle_id}", field="vehicle_id")
            for name, value in body.model_dump(exclude_unset=True).items():
                setattr(row, name, value)
            if row.shift_end <= row.shift_start:
                raise InvalidRequest("the shift must end after it starts", field="shift_end")
            session.add(row)
            session.flush()
            return repo.vehicle_public(session, row)

    return await run_write(request, write)


@router.get("/api/v1/deliveries", summary="Deliveries of a day (Mexico City), by branch and status")
async def list_deliveries(
    session: SessionDep, settings: SettingsDep, _: Reader, day: date, branch: BranchCode = None,
    status: DeliveryStatus | None = None,
) -> list[DeliveryPublic]:  # fmt: skip
    start, end = day_bounds(day)
    ids = [b.id for b in branches(session, branch)]
    query = (
        select(t.Delivery)
        .join(t.Order, col(t.Order.id) == t.Delivery.order_id)
        .where(col(t.Delivery.window_start) >= start, col(t.Delivery.window_start) < end)
        .where(col(t.Order.branch_id).in_(ids))
        .order_by(col(t.Delivery.window_start), col(t.Delivery.id))
    )
    if status is not None:
        query = query.where(t.Delivery.status == status.value)
    base = settings.public_base_url
    return [repo.delivery_public(session, d, base) for d in session.exec(query).all()]


@router.get("/api/v1/deliveries/{delivery_id}", summary="One delivery")
async def get_delivery(
    session: SessionDep, settings: SettingsDep, _: Reader, delivery_id: DbId
) -> DeliveryPublic:
    return repo.delivery_public(
        session, repo.get_delivery(session, delivery_id), settings.public_base_url
    )


@router.post("/api/v1/deliveries", status_code=201, summary="Schedule a delivery for an order")
async def create_delivery(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    principal: Writer,
    body: DeliveryCreate,
) -> DeliveryPublic:
    if body.window_start.tzinfo is None or body.window_end.tzinfo is None:
        raise InvalidRequest(
            "give the time zone, e.g. 2026-11-30T09:00:00-06:00", field="window_start"
        )
    if body.window_end <= body.window_start:
        raise InvalidRequest("the window must end after it starts", field="window_end")
    if (body.latitude is None) != (body.longitude is None):
        raise InvalidRequest("give both latitude and longitude, or neither", field="longitude")

    def write() -> DeliveryPublic:
        with session_scope(engine, write=True) as session:
            order = session.exec(select(t.Order).where(t.Order.folio == body.folio.upper())).first()
            if order is None:
                raise NotFound(f"no order {body.folio}", field="folio")
            if order.status in ("cancelled", "returned", "delivered", "quote"):
                raise Conflict(f"order {order.folio} is {order.status}", field="folio")
            branch = session.get(t.Branch, order.branch_id)
            assert branch is not None
            point = (
                (body.latitude, body.longitude)
                if body.latitude is not None
                else geocode(body.address, branch.code)
            )
            if point is None:
                raise InvalidRequest(
                    "the address names no neighbourhood we know; give latitude and longitude",
                    field="address",
                )
            open_one = session.exec(
                select(t.Delivery).where(
                    t.Delivery.order_id == order.id,
                    col(t.Delivery.status).in_(("scheduled", "out_for_delivery")),
                )
            ).first()
            if open_one is not None:
                raise Conflict(
                    f"order {order.folio} already has delivery {open_one.id}", field="folio"
                )
            tires = body.tires or sum(
                session.exec(
                    select(t.OrderLine.quantity).where(t.OrderLine.order_id == order.id)
                ).all()
            )
            row = t.Delivery(
                order_id=order.id or 0, branch_id=branch.id, address=" ".join(body.address.split()),
                latitude=point[0], longitude=point[1], window_start=as_utc(body.window_start),
                window_end=as_utc(body.window_end), status=DeliveryStatus.SCHEDULED.value,
                tires=tires, kg=tires * 11, service_minutes=service_minutes(tires),
            )  # fmt: skip
            order.fulfillment, order.fulfillment_address = "delivery", row.address
            session.add(order)
            session.add(row)
            session.flush()
            replan_if_planned(session, row, settings=settings, actor=principal.actor)
            session.flush()
            return repo.delivery_public(session, row, settings.public_base_url)

    return await run_write(request, write)


@router.patch("/api/v1/deliveries/{delivery_id}", summary="Move a delivery (window or address)")
async def move_delivery(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: Writer,
    delivery_id: DbId, body: DeliveryMove,
) -> DeliveryPublic:  # fmt: skip
    def write() -> DeliveryPublic:
        with session_scope(engine, write=True) as session:
            row = repo.get_delivery(session, delivery_id)
            if row.status != DeliveryStatus.SCHEDULED.value:
                raise Conflict(
                    f"delivery {delivery_id} is {row.status}; it can no longer move", field="status"
                )
            old = repo.delivery_public(session, row, "")
            if body.window_start is not None:
                row.window_start = as_utc(body.window_start)
            if body.window_end is not None:
                row.window_end = as_utc(body.window_end)
            if as_utc(row.window_end) <= as_utc(row.window_start):
                raise InvalidRequest("the window must end after it starts", field="window_end")
            if body.address is not None:
                row.address = " ".join(body.address.split())
                row.latitude, row.longitude = body.latitude, body.longitude
                if row.latitude is None and row.branch_id:
                    branch = session.get(t.Branch, row.branch_id)
                    point = geocode(row.address, branch.code) if branch else None
                    if point is None:
                        raise InvalidRequest(
                            "the address names no neighbourhood we know", field="address"
                        )
                    row.latitude, row.longitude = point
            session.add(row)
            session.flush()
            # The old day loses the stop, the new day gains it.
            replan_after_move(session, row, old.route_id, settings=settings, actor=principal.actor)
            return repo.delivery_public(session, row, settings.public_base_url)

    return await run_write(request, write)


@router.post("/api/v1/deliveries/{delivery_id}/cancel", summary="Cancel a delivery not yet out")
async def cancel_delivery(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: Writer, delivery_id: DbId
) -> DeliveryPublic:
    def write() -> DeliveryPublic:
        with session_scope(engine, write=True) as session:
            row = repo.get_delivery(session, delivery_id)
            if row.status != DeliveryStatus.SCHEDULED.value:
                raise Conflict(f"delivery {delivery_id} is {row.status}", field="status")
            row.status = DeliveryStatus.CANCELLED.value
            session.add(row)
            session.flush()
            replan_if_planned(session, row, settings=settings, actor=principal.actor)
            session.flush()
            return repo.delivery_public(session, row, settings.public_base_url)

    return await run_write(request, write)


@router.get("/api/v1/routes", summary="A day's routes (the plan), by branch")
async def list_routes(
    session: SessionDep, settings: SettingsDep, _: Reader, day: date, branch: BranchCode = None
) -> list[RoutePublic]:
    ids = [b.id for b in branches(session, branch)]
    rows = session.exec(
        select(t.DeliveryRoute)
        .where(t.DeliveryRoute.day == day, col(t.DeliveryRoute.branch_id).in_(ids))
        .order_by(col(t.DeliveryRoute.branch_id), col(t.DeliveryRoute.vehicle_id))
    ).all()
    return [repo.route_public(session, r, settings.public_base_url) for r in rows]


@router.get("/api/v1/routes/{route_id}", summary="One route with its stops")
async def get_route(
    session: SessionDep, settings: SettingsDep, _: Reader, route_id: DbId
) -> RoutePublic:
    return repo.route_public(session, repo.get_route(session, route_id), settings.public_base_url)


@router.post("/api/v1/routes/plan", summary="Plan (or re-plan) a day for one branch or all")
async def plan_routes(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: Writer, body: PlanRequest
) -> list[BranchPlanPublic]:
    def write() -> list[BranchPlanPublic]:
        outcomes = plan_day(
            engine, body.day, branch=body.branch, settings=settings, actor=principal.actor
        )
        return [_plan_public(o) for o in outcomes]

    return await run_write(request, write)


@router.post("/api/v1/drivers/{driver_id}/link", summary="A new sign-in link for a driver")
async def driver_link(
    request: Request, engine: EngineDep, settings: SettingsDep, principal: Writer, driver_id: DbId
) -> DriverLink:
    """Creates a ``driver`` key for the driver (revoking the previous one) and returns the link
    that signs their phone in; it is shown once."""

    def write() -> DriverLink:
        with session_scope(engine, write=True) as session:
            driver = session.get(t.Driver, driver_id)
            if driver is None:
                raise NotFound(f"no driver {driver_id}", field="driver_id")
            if driver.key_prefix:
                revoke_key(session, driver.key_prefix, actor=principal.actor)
            key, info = create_key(
                session, role="driver", name=f"driver:{driver.id}", actor=principal.actor
            )
            driver.key_prefix = info.prefix
            session.add(driver)
            base = settings.public_base_url.rstrip("/")
            return DriverLink(
                driver_id=driver_id, name=driver.name, link=f"{base}/driver/login?key={key}"
            )

    return await run_write(request, write)
