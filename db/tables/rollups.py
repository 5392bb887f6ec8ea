"""Roll-ups of ``sales_daily`` kept by database triggers on every insert, update and delete
(migration 0011), so a report over months reads hundreds of rows instead of a hundred
thousand and still equals the daily rows to the cent."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class SalesBranchDay(SQLModel, table=True):
    """Units and net revenue of one branch on one day (every product)."""

    __tablename__ = "sales_branch_day"

    day: date = Field(primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    units: int
    revenue_cents: int


class SalesProductMonth(SQLModel, table=True):
    """Units and net revenue of one product at one branch in one month (``month``: its 1st)."""

    __tablename__ = "sales_product_month"

    month: date = Field(primary_key=True)
    product_id: int = Field(foreign_key="product.id", primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    units: int
    revenue_cents: int
