"""Analytics DTOs for sales and inventory reports."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

SalesGroup = Literal["branch", "brand", "size", "month", "day"]


class SalesRowPublic(BaseModel):
    """Sales of one group in the period."""

    key: str
    units: int
    revenue_cents: int = Field(description="Net of IVA")
    share: float = Field(description="Fraction of the period's revenue, 0-1")


class SalesReport(BaseModel):
    """Sales in a period, grouped."""

    date_from: date
    date_to: date
    group_by: SalesGroup
    total_units: int
    total_revenue_cents: int
    rows: list[SalesRowPublic]


class InventoryBranchReport(BaseModel):
    """Inventory health of one branch."""

    branch_code: str
    skus_stocked: int
    units_on_hand: int
    units_reserved: int
    value_cents: int = Field(description="Units on hand at net cost")
    low_stock_skus: int = Field(description="Rows at or below their reorder point")
    out_of_stock_skus: int
    cogs_90d_cents: int = Field(description="Cost of the units sold in the last 90 days")
    rotation_per_year: float = Field(description="Annualised inventory turns: COGS / value")
    days_of_supply: float | None


class InventoryReport(BaseModel):
    """Inventory value, rotation and low-stock counts per branch and overall."""

    as_of: date
    branches: list[InventoryBranchReport]
    total_value_cents: int
    total_low_stock_skus: int


RankingOrder = Literal["best", "worst"]


class RankedProductPublic(BaseModel):
    """One product's sales over a period, and what is available now."""

    sku: str
    product: str = Field(description="Brand, line and size")
    units: int
    revenue_cents: int = Field(description="Net of IVA")
    available: int


class SalesRanking(BaseModel):
    """Best or worst sellers over a period (worst includes products in stock that sold nothing)."""

    order: RankingOrder
    date_from: date
    date_to: date
    branch: str | None = None
    items: list[RankedProductPublic]
