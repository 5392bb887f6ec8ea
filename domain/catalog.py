"""Catalogue DTOs shared by the API, the ERP adapters and the agents' tools."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from domain.bounds import Cents
from domain.enums import Terrain, Tier, VehicleType

T = TypeVar("T")


class Price(BaseModel):
    """A price in MXN cents, with IVA shown explicitly."""

    net_cents: int
    iva_cents: int
    total_cents: int = Field(description="What the customer pays: net + IVA")
    currency: str = "MXN"


class BranchStock(BaseModel):
    """Availability of a product at one branch."""

    branch_code: str
    on_hand: int
    reserved: int
    available: int


class ProductPublic(BaseModel):
    """A tire as integrators, staff and agents see it."""

    id: int
    sku: str
    brand: str
    line: str
    size: str
    load_index: int
    speed_rating: str
    run_flat: bool
    vehicle_type: VehicleType
    terrain: Terrain
    tier: Tier
    price: Price
    warranty_km: int
    warranty_months: int
    active: bool
    stock: list[BranchStock] = Field(default_factory=list)
    available: int = Field(0, description="Units available across the branches listed in stock")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class BranchPublic(BaseModel):
    """A branch (warehouse and shop)."""

    id: int
    code: str
    name: str
    city: str
    address: str
    latitude: float
    longitude: float
    opening_hours: dict[str, str]
    phone: str = ""
    is_main: bool = Field(False, description="Reservations fall back to the main branch")
    area_codes: list[str] = Field(
        default_factory=list, description="Phone area codes of the metro area it serves"
    )


class DotLot(BaseModel):
    """Units on hand from one DOT production week."""

    dot: str = Field(description="WWYY as printed on the sidewall")
    quantity: int


class InventoryItem(BaseModel):
    """Stock of one product at one branch."""

    product_id: int
    sku: str
    brand: str
    line: str
    size: str
    branch_code: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int
    max_level: int
    low_stock: bool
    value_cents: int | None = Field(
        None,
        description="on_hand x unit cost (net); only for roles with cost:read "
        "(admin, staff, integration), left out for the others",
    )
    lots: list[DotLot]
    updated_at: datetime


class FitmentPublic(BaseModel):
    """Original-equipment sizes of a vehicle."""

    make: str
    model: str
    year_from: int
    year_to: int
    trim: str
    front_size: str
    rear_size: str | None
    notes: str


class ProductFilter(BaseModel):
    """Search criteria for products; every field optional."""

    size: str | None = None
    brand: str | None = None
    line: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_year: int | None = Field(None, ge=1950, le=2100)
    in_stock: bool = False
    branch: str | None = None
    min_price_cents: Cents | None = None
    max_price_cents: Cents | None = None
    vehicle_type: VehicleType | None = None
    run_flat: bool | None = None
    include_inactive: bool = False
    sku: list[str] | None = Field(None, max_length=50, description="Only these SKUs")
    terrain: list[Terrain] | None = Field(None, max_length=5, description="Any of these uses")
    light_truck: bool | None = Field(
        None, description="LT and C (commercial) construction tires only, or none of them"
    )
