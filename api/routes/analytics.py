"""GET /api/v1/analytics/sales and /api/v1/analytics/inventory."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep, require
from core.security import Scope
from db.repositories import analytics
from domain.analytics import InventoryReport, RankingOrder, SalesGroup, SalesRanking, SalesReport

router = APIRouter(
    prefix="/api/v1/analytics",
    tags=["analytics"],
    dependencies=[Depends(require(Scope.ANALYTICS_READ))],
)


@router.get("/sales", summary="Sales report")
def sales_report(
    session: SessionDep,
    date_from: date | None = None,
    date_to: date | None = None,
    group_by: SalesGroup = "branch",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    branch: Annotated[str | None, Query(max_length=8)] = None,
) -> SalesReport:
    """Units and net revenue in a period (default: the last 30 days of history), grouped by
    branch, brand, size, month or day; ``branch`` keeps one branch's sales."""
    return analytics.sales_report(
        session, date_from=date_from, date_to=date_to, group_by=group_by, limit=limit,
        branch=branch,
    )  # fmt: skip


@router.get("/inventory", summary="Inventory report")
def inventory_report(session: SessionDep, as_of: date | None = None) -> InventoryReport:
    """Inventory value at cost, annualised rotation and low-stock counts per branch."""
    return analytics.inventory_report(session, as_of=as_of)


@router.get("/ranking", summary="Best and worst sellers")
def sales_ranking(
    session: SessionDep,
    order: RankingOrder = "best",
    days: Annotated[int, Query(ge=1, le=3660)] = 30,
    branch: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SalesRanking:
    """Products by units sold over the last ``days`` of history; ``worst`` lists products in
    stock that sell least, including those that sold nothing."""
    return analytics.sales_ranking(session, order=order, days=days, branch=branch, limit=limit)
