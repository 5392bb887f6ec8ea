"""Inventory intelligence: forecast runs and rows, reorder suggestions, alerts, transfers, and
the staff who are told about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class ForecastRun(SQLModel, table=True):
    """One nightly forecast: its date, horizon and the model chosen per demand group."""

    __tablename__ = "forecast_run"

    id: int | None = Field(default=None, primary_key=True)
    run_date: date = Field(index=True)
    horizon_weeks: int
    freq: str = Field(default="W", sa_type=sa.String(4))
    series: int = 0
    # demand group -> stack | select | mean; model -> number of series it serves
    strategy: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    model_counts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    seconds: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


class ForecastRow(SQLModel, table=True):
    """Forecast demand of one SKU at one branch in one week (``week`` = its first day)."""

    __tablename__ = "forecast_row"
    __table_args__ = (sa.Index("ix_forecast_row_run_product", "run_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="forecast_run.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    branch_id: int = Field(foreign_key="branch.id")
    week: date
    mean: float
    p10: float
    p50: float
    p90: float
    model: str = Field(default="", sa_type=sa.String(40))


class ReorderSuggestion(SQLModel, table=True):
    """A purchase the nightly policy suggests to one supplier for one branch.

    ``status``: open → confirmed (a purchase order was made) | dismissed | superseded (a later
    run replaced it). ``lines``: [{sku, product_id, quantity, unit_cost_cents}].
    """

    __tablename__ = "reorder_suggestion"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="forecast_run.id", index=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    status: str = Field(default="open", sa_type=sa.String(12), index=True)
    order_by: date
    arrives_on: date
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    total_cents: int = 0
    savings_cents: int = 0
    purchase_order_id: int | None = Field(default=None, foreign_key="purchaseorder.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InventoryAlert(SQLModel, table=True):
    """A situation staff must act on. ``dedup_key`` (urgency:sku:branch) stays open while the
    situation lasts, so the same thing is not sent twice; it is resolved when it ends.

    ``state``: open → acknowledged → resolved (or open → resolved).
    """

    __tablename__ = "inventory_alert"
    __table_args__ = (sa.Index("ix_inventory_alert_key_state", "dedup_key", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(sa_type=sa.String(120))
    urgency: str = Field(sa_type=sa.String(16), index=True)  # AlertUrgency
    product_id: int | None = Field(default=None, foreign_key="product.id")
    branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)
    sku: str = Field(default="", sa_type=sa.String(40))
    text: str = Field(sa_type=sa.Text)
    action: str = Field(default="", sa_type=sa.Text)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    state: str = Field(default="open", sa_type=sa.String(14), index=True)
    run_id: int | None = Field(default=None, foreign_key="forecast_run.id")
    notified: int = 0  # outbox messages written for it
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    acknowledged_by: str | None = Field(default=None, sa_type=sa.String(80))
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


class StockTransfer(SQLModel, table=True):
    """Units of one SKU moved between branches: requested → in_transit → received (or
    cancelled before it ships). Shipping takes them off the origin's stock, receiving adds
    them at the destination; in between they are in transit."""

    __tablename__ = "stock_transfer"

    id: int | None = Field(default=None, primary_key=True)
    folio: str | None = Field(default=None, sa_type=sa.String(16), unique=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    from_branch_id: int = Field(foreign_key="branch.id")
    to_branch_id: int = Field(foreign_key="branch.id")
    quantity: int
    status: str = Field(default="requested", sa_type=sa.String(12), index=True)
    reason: str = Field(default="", sa_type=sa.String(200))
    created_by: str = Field(sa_type=sa.String(80))
    created_at: datetime = Field(default_factory=utcnow)
    shipped_at: datetime | None = None
    received_at: datetime | None = None


class StaffMember(SQLModel, table=True):
    """A person who gets inventory alerts for a branch (or every branch when ``branch_id`` is
    empty), by their preferred channel (``notify_channel``: whatsapp, email or sms)."""

    __tablename__ = "staff_member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(80))
    branch_id: int | None = Field(default=None, foreign_key="branch.id", index=True)
    job: str = Field(default="", sa_type=sa.String(40))
    phone: str | None = Field(default=None, sa_type=sa.String(16))
    email: str | None = Field(default=None, sa_type=sa.String(254))
    notify_channel: str = Field(default="whatsapp", sa_type=sa.String(12))
    receives_alerts: bool = True
    active: bool = True
