"""Purchase-order DTOs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.bounds import DbId
from domain.enums import PurchaseOrderStatus


class PurchaseOrderLineCreate(BaseModel):
    """A SKU and quantity to buy."""

    sku: str = Field(min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=10_000)


class PurchaseOrderCreate(BaseModel):
    """A draft purchase order for one branch from one supplier."""

    supplier_id: DbId
    branch_code: str = Field(min_length=2, max_length=8)
    lines: list[PurchaseOrderLineCreate] = Field(min_length=1, max_length=200)


class PurchaseOrderLinePublic(BaseModel):
    """A priced purchase-order line (net cents)."""

    sku: str
    quantity: int
    unit_cost_cents: int


class PurchaseOrderPublic(BaseModel):
    """A purchase order."""

    id: int
    folio: str
    supplier_id: int
    branch_code: str
    status: PurchaseOrderStatus
    total_cents: int
    expected_on: date | None
    lines: list[PurchaseOrderLinePublic]
    created_at: datetime
