"""Staff sales analytics: a period's sales against the period before and last year, grouped by
branch, brand, size or line; inventory value at cost and rotation per branch. Staff only (the
role is checked by ``run_tool`` and again inside each tool: value is cost data)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import col, select

from core.errors import InvalidRequest
from db.repositories import staff_reports
from db.repositories.analytics import inventory_report, latest_sales_day
from db.repositories.staff_reports import ProductScope
from db.tables import SalesDaily
from domain.clock import mexico_today
from domain.periods import PERIOD_HELP, Period, Span, previous, resolve, year_before
from domain.staff_results import (
    BranchValue,
    InventoryValue,
    PeriodFigures,
    SalesGroupRow,
    SalesSummary,
)
from tools.base import STAFF_ONLY, ToolContext, ToolRefused, require_staff, tool
from tools.identity import find_branch


class SalesSummaryArgs(BaseModel):
    """Arguments of get_sales_summary."""

    period: str = Field(Period.THIS_MONTH.value, max_length=20, description=PERIOD_HELP)
    branch_code: str | None = Field(None, max_length=40, description="CDMX, GDL, MTY o la ciudad")
    brand: str | None = Field(None, max_length=40)
    size: str | None = Field(None, max_length=30, description="Medida, p. ej. 205/55R16")
    group_by: Literal["branch", "brand", "size", "line"] | None = Field(
        None, description="Desglose por sucursal, marca, medida o línea"
    )
    limit: int = Field(10, ge=1, le=50)


class InventoryValueArgs(BaseModel):
    """Arguments of get_inventory_value."""

    branch_code: str | None = Field(None, max_length=40, description="Una sucursal; vacío: todas")


def get_sales_summary(ctx: ToolContext, args: SalesSummaryArgs) -> SalesSummary:
    """Cuánto se vendió (unidades y venta neta sin IVA) en un periodo (este mes, el mes
    pasado, la semana pasada, ayer, un mes AAAA-MM...), comparado con el periodo anterior y
    con los mismos días del año pasado; opcionalmente de una sucursal, una marca o una medida,
    y con desglose por sucursal, marca, medida o línea. Los periodos se cuentan hasta el
    último día con ventas registradas (las fechas van en el resultado). Solo personal."""
    require_staff(ctx)
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        reference = latest_sales_day(tx.session) or mexico_today()
        try:
            span = resolve(args.period, reference)
            scope = ProductScope(size=args.size, brand=args.brand)
            before, a_year_ago = previous(span, args.period), year_before(span)

            def figures(days: Span) -> PeriodFigures:
                units, revenue = staff_reports.sales_totals(
                    tx.session, scope, days.start, days.end, branch=branch
                )
                return PeriodFigures(
                    since=days.start, until=days.end, units=units, revenue_cents=revenue
                )

            now = figures(span)
            rows = (
                staff_reports.sales_groups(
                    tx.session,
                    scope,
                    span.start,
                    span.end,
                    args.group_by,
                    branch=branch,
                    limit=args.limit,
                )  # fmt: skip
                if args.group_by
                else []
            )
            first = tx.session.exec(
                select(col(SalesDaily.day)).order_by(col(SalesDaily.day))
            ).first()
        except (ValueError, InvalidRequest) as exc:
            raise ToolRefused(str(exc)) from exc
        return SalesSummary(
            period=args.period,
            since=span.start,
            until=span.end,
            branch=branch,
            brand=args.brand,
            size=args.size,
            units=now.units,
            revenue_cents=now.revenue_cents,
            previous=figures(before),
            last_year=figures(a_year_ago),
            history_starts=first,
            group_by=args.group_by,
            rows=[SalesGroupRow(key=k, units=u, revenue_cents=r) for k, u, r in rows],
        )


def get_inventory_value(ctx: ToolContext, args: InventoryValueArgs) -> InventoryValue:
    """Valor del inventario a costo (dato interno), piezas en mano, rotación anual (costo de
    lo vendido en 90 días / valor) y días de inventario, por sucursal o de una sucursal.
    Solo personal: nunca se comparte con clientes."""
    require_staff(ctx)
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        report = inventory_report(tx.session)
        rows = [b for b in report.branches if branch is None or b.branch_code == branch]
        return InventoryValue(
            as_of=report.as_of,
            branches=[
                BranchValue(
                    branch=b.branch_code,
                    units_on_hand=b.units_on_hand,
                    value_cents=b.value_cents,
                    rotation_per_year=b.rotation_per_year,
                    days_of_supply=b.days_of_supply,
                    low_stock_skus=b.low_stock_skus,
                )
                for b in rows
            ],
            total_value_cents=sum(b.value_cents for b in rows),
            total_units=sum(b.units_on_hand for b in rows),
        )


GET_SALES_SUMMARY = tool(get_sales_summary, SalesSummaryArgs, roles=STAFF_ONLY)
GET_INVENTORY_VALUE = tool(get_inventory_value, InventoryValueArgs, roles=STAFF_ONLY)
SALES_ANALYTICS_TOOLS = (GET_SALES_SUMMARY, GET_INVENTORY_VALUE)
