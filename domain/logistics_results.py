"""Typed views of deliveries, routes, vehicles and tracking (API, pages and tools read these)."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, Field

from domain.enums import DeliveryStatus
from domain.logistics import FailureReason, RouteStatus


class VehiclePublic(BaseModel):
    id: int
    plate: str
    branch: str
    kind: str
    capacity_tires: int
    capacity_kg: int
    shift_start: time
    shift_end: time
    cost_per_km_cents: int
    cost_per_hour_cents: int
    active: bool


class VehicleUpdate(BaseModel):
    capacity_tires: int | None = Field(None, ge=1, le=1000)
    capacity_kg: int | None = Field(None, ge=1, le=40_000)
    shift_start: time | None = None
    shift_end: time | None = None
    cost_per_km_cents: int | None = Field(None, ge=0, le=100_000)
    cost_per_hour_cents: int | None = Field(None, ge=0, le=1_000_000)
    active: bool | None = None


class DeliveryPublic(BaseModel):
    id: int
    folio: str
    branch: str | None
    status: DeliveryStatus
    address: str
    latitude: float | None
    longitude: float | None
    window_start: datetime
    window_end: datetime
    tires: int
    service_minutes: int
    route_id: int | None
    eta: datetime | None
    customer_name: str
    customer_phone: str | None
    recipient_name: str | None
    failure_reason: str | None
    survey_score: int | None
    tracking_url: str


class DeliveryCreate(BaseModel):
    folio: str = Field(min_length=3, max_length=16, description="The order's folio, TL-000123")
    address: str = Field(min_length=5, max_length=200)
    latitude: float | None = Field(None, ge=14.0, le=33.0, description="Mexico only")
    longitude: float | None = Field(None, ge=-118.5, le=-86.0)
    window_start: datetime
    window_end: datetime
    tires: int | None = Field(None, ge=1, le=500, description="Default: the order's quantity")


class DeliveryMove(BaseModel):
    window_start: datetime | None = None
    window_end: datetime | None = None
    address: str | None = Field(None, min_length=5, max_length=200)
    latitude: float | None = Field(None, ge=14.0, le=33.0)
    longitude: float | None = Field(None, ge=-118.5, le=-86.0)


class StopPublic(BaseModel):
    sequence: int
    delivery: DeliveryPublic
    planned_arrival: datetime
    planned_start: datetime
    planned_departure: datetime


class RoutePublic(BaseModel):
    id: int
    day: date
    branch: str
    vehicle_id: int
    vehicle_plate: str
    driver_id: int | None
    driver_name: str | None
    status: RouteStatus
    version: int
    planned_start: datetime
    planned_end: datetime
    km: float
    minutes: float
    cost_cents: int
    stops: list[StopPublic]


class PlanRequest(BaseModel):
    day: date
    branch: str | None = Field(None, max_length=8)


class BranchPlanPublic(BaseModel):
    branch: str
    day: date
    routes: int
    deliveries: int
    km: float
    hours: float
    cost_cents: int
    late_stops: int
    feasible: bool
    unplanned: list[str]
    kept_routes: int


class PingCreate(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)


class FailCreate(BaseModel):
    reason: FailureReason
    note: str = Field("", max_length=150)


class TrackingView(BaseModel):
    """What the customer's tracking page shows (no other customer's data, no full names)."""

    folio: str
    status: DeliveryStatus
    status_text: str
    driver_first_name: str | None
    driver_rating: float | None
    window_text: str
    eta_text: str | None
    eta_start: datetime | None
    eta_end: datetime | None
    stops_before: int | None
    destination: tuple[float, float] | None
    branch: tuple[float, float]
    position: tuple[float, float] | None
    position_at: datetime | None
    tile_url: str
