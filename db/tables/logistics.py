"""Deliveries, the delivery fleet, daily route plans, GPS pings and delivery events."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


def new_tracking_token() -> str:
    """The customer's tracking link token: 128 random bits, never the folio."""
    return secrets.token_urlsafe(16)


class FleetVehicle(SQLModel, table=True):
    """A delivery vehicle of a branch: capacity in tires and kg, its shift, its running costs."""

    id: int | None = Field(default=None, primary_key=True)
    plate: str = Field(sa_type=sa.String(12), unique=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    kind: str = Field(sa_type=sa.String(40))
    capacity_tires: int
    capacity_kg: int = 1000
    shift_start: time = Field(default=time(8, 0), sa_type=sa.Time)  # Mexico City local time
    shift_end: time = Field(default=time(19, 0), sa_type=sa.Time)
    cost_per_km_cents: int = 0  # fuel, tires, maintenance
    cost_per_hour_cents: int = 0  # driver and helper wages
    active: bool = True


class Driver(SQLModel, table=True):
    """A delivery driver of a branch; signs in with a per-driver key (role ``driver``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(80))
    phone: str = Field(sa_type=sa.String(16))
    branch_id: int = Field(foreign_key="branch.id", index=True)
    active: bool = True
    rating: float | None = None  # mean of the customers' survey scores (1-5)
    ratings: int = 0
    key_prefix: str | None = Field(default=None, sa_type=sa.String(16), unique=True)


class Delivery(SQLModel, table=True):
    """Taking an order to the customer's address within a time window."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    address: str = Field(sa_type=sa.String(200))
    latitude: float | None = None
    longitude: float | None = None
    window_start: datetime
    window_end: datetime
    status: str = Field(sa_type=sa.String(20), index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="fleetvehicle.id")
    driver_id: int | None = Field(default=None, foreign_key="driver.id")
    branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)
    tires: int = 0  # 0: counted from the order's lines when planned
    kg: int = 0
    service_minutes: int = 0  # 0: from the quantity (domain.logistics.service_minutes)
    tracking_token: str | None = Field(
        default_factory=new_tracking_token, sa_type=sa.String(32), unique=True
    )
    route_id: int | None = Field(default=None, foreign_key="delivery_route.id", index=True)
    eta: datetime | None = None  # latest predicted arrival
    delay_notified_at: datetime | None = None
    departed_at: datetime | None = None
    arrived_at: datetime | None = None
    delivered_at: datetime | None = None
    recipient_name: str | None = Field(default=None, sa_type=sa.String(120))
    proof_photo: str | None = Field(default=None, sa_type=sa.String(200))
    failure_reason: str | None = Field(default=None, sa_type=sa.String(200))
    survey_score: int | None = None
    survey_comment: str | None = Field(default=None, sa_type=sa.String(500))
    surveyed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class DeliveryRoute(SQLModel, table=True):
    """One vehicle's route on one day: the planned stops in order (``RouteStop``)."""

    __tablename__ = "delivery_route"
    __table_args__ = (sa.UniqueConstraint("day", "vehicle_id", name="uq_route_day_vehicle"),)

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    vehicle_id: int = Field(foreign_key="fleetvehicle.id")
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    status: str = Field(default="planned", sa_type=sa.String(12))  # RouteStatus
    version: int = 1  # bumped by each re-optimisation
    planned_start: datetime
    planned_end: datetime
    km: float = 0.0
    minutes: float = 0.0
    cost_cents: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class RouteStop(SQLModel, table=True):
    """A delivery's place in a route, with its planned arrival and service times."""

    __tablename__ = "route_stop"

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="delivery_route.id", index=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    sequence: int
    planned_arrival: datetime
    planned_start: datetime
    planned_departure: datetime


class GpsPing(SQLModel, table=True):
    """A position the driver's phone reported while a route was active."""

    __tablename__ = "gps_ping"

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="delivery_route.id", index=True)
    driver_id: int = Field(foreign_key="driver.id")
    at: datetime = Field(default_factory=utcnow, index=True)
    latitude: float
    longitude: float
    accuracy_m: float | None = None


class DeliveryEvent(SQLModel, table=True):
    """Departed (the route), arrived, delivered (with proof) or failed (with a reason)."""

    __tablename__ = "delivery_event"

    id: int | None = Field(default=None, primary_key=True)
    route_id: int | None = Field(default=None, foreign_key="delivery_route.id", index=True)
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    kind: str = Field(sa_type=sa.String(12))  # DeliveryEventKind
    at: datetime = Field(default_factory=utcnow)
    latitude: float | None = None
    longitude: float | None = None
    recipient_name: str | None = Field(default=None, sa_type=sa.String(120))
    photo: str | None = Field(default=None, sa_type=sa.String(200))
    reason: str | None = Field(default=None, sa_type=sa.String(200))
    actor: str = Field(sa_type=sa.String(80))
