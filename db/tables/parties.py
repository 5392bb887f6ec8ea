"""Customers, suppliers with volume price breaks, and purchase orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class Customer(SQLModel, table=True):
    """A retail customer, a dealer (with discount and credit) or a fleet."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(12), index=True)
    dealer_type: str | None = Field(default=None, sa_type=sa.String(16))
    name: str = Field(sa_type=sa.String(120))
    phone: str | None = Field(default=None, sa_type=sa.String(16), unique=True, index=True)
    whatsapp_id: str | None = Field(default=None, sa_type=sa.String(20), unique=True)
    email: str | None = Field(default=None, sa_type=sa.String(120))
    rfc: str | None = Field(default=None, sa_type=sa.String(13))
    city: str = Field(default="", sa_type=sa.String(60))
    discount_bp: int = 0
    credit_limit_cents: int = 0
    # This customer's id in an external store of record (RestErp); None when this database
    # is the store of record or the customer is not known there yet.
    erp_customer_id: int | None = None
    consent_marketing: bool = False
    consent_notifications: bool = True
    # Test data (fictional demo customers, eval personas): the only customers evaluator keys
    # may speak as in /v1/chat.
    is_test: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Supplier(SQLModel, table=True):
    """A tire supplier (manufacturer or wholesaler)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(120), unique=True)
    rfc: str | None = Field(default=None, sa_type=sa.String(13))
    email: str = Field(default="", sa_type=sa.String(120))
    phone: str = Field(default="", sa_type=sa.String(20))
    lead_time_days: int = 7
    # the smallest order the supplier accepts (net cents); 0 = no minimum
    min_order_cents: int = 0
    brands: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class SupplierPrice(SQLModel, table=True):
    """Net unit cost of a product from a supplier when buying at least ``min_quantity``."""

    __table_args__ = (
        sa.UniqueConstraint("supplier_id", "product_id", "min_quantity", name="uq_supplier_break"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    min_quantity: int
    unit_cost_cents: int


class PurchaseOrder(SQLModel, table=True):
    """An order to a supplier for one branch."""

    id: int | None = Field(default=None, primary_key=True)
    folio: str | None = Field(default=None, sa_type=sa.String(16), unique=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    branch_id: int = Field(foreign_key="branch.id")
    status: str = Field(sa_type=sa.String(12), index=True)
    total_cents: int = 0
    expected_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class PurchaseOrderLine(SQLModel, table=True):
    """One product on a purchase order."""

    id: int | None = Field(default=None, primary_key=True)
    purchase_order_id: int = Field(foreign_key="purchaseorder.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    quantity: int
    unit_cost_cents: int
