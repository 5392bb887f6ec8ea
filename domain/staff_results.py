"""Typed results of the staff analytics tools (sales figures, inventory value), shared by the
tools and the offline model's reply templates."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.tool_results import Result


class PeriodFigures(Result):
    """Units and net revenue sold in a range of days."""

    since: date
    until: date
    units: int
    revenue_cents: int = Field(description="Net of IVA")


class SalesGroupRow(Result):
    """One branch, brand, size or line in a period."""

    key: str
    units: int
    revenue_cents: int


class SalesSummary(Result):
    """get_sales_summary: a period's sales, the period before and the same days a year ago."""

    period: str
    since: date
    until: date
    branch: str | None = None
    brand: str | None = None
    size: str | None = None
    units: int
    revenue_cents: int = Field(description="Net of IVA")
    previous: PeriodFigures
    last_year: PeriodFigures
    history_starts: date | None = Field(None, description="First day with sales on record")
    group_by: str | None = None
    rows: list[SalesGroupRow] = Field(default_factory=list)


class BranchValue(Result):
    """Inventory of one branch at cost, with its rotation."""

    branch: str
    units_on_hand: int
    value_cents: int = Field(description="Units on hand at net cost (internal cost data)")
    rotation_per_year: float = Field(description="Annualised turns: 90-day COGS / value")
    days_of_supply: float | None
    low_stock_skus: int


class InventoryValue(Result):
    """get_inventory_value: value at cost and rotation per branch (staff only)."""

    as_of: date
    branches: list[BranchValue]
    total_value_cents: int
    total_units: int
