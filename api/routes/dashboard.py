"""GET /api/v1/dashboard: the executive dashboard's figures for API clients (the page and the
reports compute them with the same function)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep, SettingsDep, require
from core.security import Scope
from db.repositories.dashboard import build_dashboard
from domain.dashboard import Dashboard, Period

router = APIRouter(
    prefix="/api/v1", tags=["analytics"], dependencies=[Depends(require(Scope.ANALYTICS_READ))]
)


@router.get("/dashboard", summary="Executive dashboard figures")
def dashboard(
    session: SessionDep,
    settings: SettingsDep,
    period: Period = "month",
    branch: Annotated[str | None, Query(max_length=8)] = None,
) -> Dashboard:
    """Sales (day, period, target, vs last month and year), inventory (critical, rotation,
    capital vs optimum), logistics and AI agents KPIs with their status against the thresholds
    in settings, the trend, breakdowns and rule-based insights. ``null`` values are pending:
    their source does not exist yet."""
    return build_dashboard(
        session, settings.dashboard, period=period, branch=branch,
        quote_hours=settings.reports.abandoned_quote_hours,
    )  # fmt: skip
