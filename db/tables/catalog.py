"""Catalogue, branches, stock and vehicle fitment tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class Product(SQLModel, table=True):
    """One tire SKU. Prices are net of IVA, in integer cents (MXN)."""

    __table_args__ = (
        sa.Index("ix_product_dims", "width", "aspect", "rim"),
        sa.CheckConstraint("price_cents >= 0 AND cost_cents >= 0", name="ck_product_money"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(sa_type=sa.String(40), unique=True, index=True)
    brand: str = Field(sa_type=sa.String(40), index=True)
    line: str = Field(sa_type=sa.String(80))
    size: str = Field(sa_type=sa.String(24), index=True)
    width: int
    aspect: int | None = None
    construction: str = Field(default="R", sa_type=sa.String(2))
    rim: int
    size_prefix: str = Field(default="", sa_type=sa.String(4))
    load_index: int
    speed_rating: str = Field(sa_type=sa.String(2))
    run_flat: bool = False
    vehicle_type: str = Field(sa_type=sa.String(16))
    terrain: str = Field(sa_type=sa.String(16))
    tier: str = Field(sa_type=sa.String(12))
    price_cents: int
    cost_cents: int
    iva_bp: int = 1600
    warranty_km: int = 0
    warranty_months: int = 0
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Branch(SQLModel, table=True):
    """A branch with a warehouse and a shop."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(8), unique=True, index=True)
    name: str = Field(sa_type=sa.String(80))
    city: str = Field(sa_type=sa.String(60))
    state: str = Field(sa_type=sa.String(60))
    address: str = Field(sa_type=sa.String(200))
    latitude: float
    longitude: float
    phone: str = Field(default="", sa_type=sa.String(20))
    opening_hours: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # Branch facts that used to be constants in code: the main branch (reservations fall back
    # to it) and the phone area codes it serves (a 33 number is nearest to Guadalajara).
    is_main: bool = False
    area_codes: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class Stock(SQLModel, table=True):
    """Units of one product at one branch. Available = on_hand - reserved."""

    __table_args__ = (
        sa.UniqueConstraint("product_id", "branch_id", name="uq_stock_product_branch"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    on_hand: int = 0
    reserved: int = 0
    reorder_point: int = 0
    max_level: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class StockLot(SQLModel, table=True):
    """Units on hand by DOT production week (``WWYY`` on the sidewall)."""

    id: int | None = Field(default=None, primary_key=True)
    stock_id: int = Field(foreign_key="stock.id", index=True)
    dot_week: int = Field(ge=1, le=53)
    dot_year: int
    quantity: int


class Fitment(SQLModel, table=True):
    """Original-equipment tire sizes of a vehicle (make, model, year range, trim)."""

    __table_args__ = (
        sa.Index("ix_fitment_vehicle", "make_key", "model_key"),
        sa.UniqueConstraint(
            "make_key", "model_key", "year_from", "year_to", "trim", name="uq_fitment_key"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    make: str = Field(sa_type=sa.String(40))
    model: str = Field(sa_type=sa.String(60))
    make_key: str = Field(sa_type=sa.String(40))
    model_key: str = Field(sa_type=sa.String(60))
    year_from: int
    year_to: int
    trim: str = Field(default="", sa_type=sa.String(80))
    front_size: str = Field(sa_type=sa.String(24))
    rear_size: str | None = Field(default=None, sa_type=sa.String(24))
    notes: str = Field(default="", sa_type=sa.String(200))
