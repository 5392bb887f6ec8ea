"""Orders, their lines and the reservations that hold stock."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class Order(SQLModel, table=True):
    """A customer order; ``folio`` (TL-000123) is what customers see. Amounts in cents."""

    __tablename__ = "orders"  # "order" is an SQL keyword

    id: int | None = Field(default=None, primary_key=True)
    folio: str | None = Field(default=None, sa_type=sa.String(16), unique=True, index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    status: str = Field(sa_type=sa.String(20), index=True)
    channel: str = Field(default="api", sa_type=sa.String(12))
    fulfillment: str = Field(default="pickup", sa_type=sa.String(12))  # FulfillmentMode
    # When and where: the pickup day, or the day, time window and address of a home visit.
    fulfillment_day: date | None = None
    fulfillment_window: str | None = Field(default=None, sa_type=sa.String(12))  # TimeWindow
    fulfillment_address: str | None = Field(default=None, sa_type=sa.String(200))
    subtotal_cents: int = 0
    discount_cents: int = 0
    iva_cents: int = 0
    total_cents: int = 0
    deposit_cents: int = 0
    paid_cents: int = 0  # payments received (payment links, or recorded at the counter)
    notes: str = Field(default="", sa_type=sa.String(500))
    created_by: str = Field(default="", sa_type=sa.String(80))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderLine(SQLModel, table=True):
    """One product in an order, priced when the order was made."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    quantity: int = Field(gt=0)
    unit_price_cents: int
    discount_cents: int = 0
    iva_cents: int = 0
    total_cents: int = 0


class Reservation(SQLModel, table=True):
    """Units held at a branch for an order until ``expires_at``."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    branch_id: int = Field(foreign_key="branch.id")
    quantity: int
    status: str = Field(default="active", sa_type=sa.String(12), index=True)
    expires_at: datetime = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class OrderInvoice(SQLModel, table=True):
    """CFDI 4.0 receiver data a customer gave for an order, for the ERP to stamp the invoice."""

    __tablename__ = "order_invoice"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", unique=True, index=True)
    rfc: str = Field(sa_type=sa.String(13))
    name: str = Field(sa_type=sa.String(254))  # razón social / nombre, as on the Constancia
    regime: str = Field(sa_type=sa.String(3))  # c_RegimenFiscal
    use: str = Field(sa_type=sa.String(4))  # c_UsoCFDI
    zip_code: str = Field(sa_type=sa.String(5))  # DomicilioFiscalReceptor
    status: str = Field(default="requested", sa_type=sa.String(12))  # requested, issued
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
