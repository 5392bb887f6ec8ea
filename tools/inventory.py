"""Staff tools: stock by size/brand/line/branch (totals by SQL aggregate over every product),
low stock, best and worst sellers, and who asked for a person. Customers are refused (the role
is checked by ``run_tool`` and again inside each tool); none of these writes anything."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import InvalidRequest
from db.repositories import crm, staff_reports
from db.repositories.analytics import latest_sales_day
from db.repositories.staff_reports import ProductScope, StockTotals
from domain.catalog import ProductFilter
from domain.clock import MEXICO_CITY, as_utc, mexico_today
from domain.periods import PERIOD_HELP, Span, resolve
from domain.tool_results import (
    HandoffRequests,
    LeadRow,
    LowStockResult,
    LowStockRow,
    RankedProduct,
    SalesRanking,
    StockResult,
    StockRow,
)
from tools import messages
from tools.base import STAFF_ONLY, ToolContext, ToolRefused, ToolTx, require_staff, tool
from tools.identity import find_branch


class StockArgs(BaseModel):
    """Arguments of check_stock."""

    size: str | None = Field(None, max_length=30, description="Medida, p. ej. 205/55R16")
    brand: str | None = Field(None, max_length=40)
    line: str | None = Field(None, max_length=60, description="Línea, p. ej. Primacy 4+")
    branch_code: str | None = Field(None, max_length=40, description="CDMX, GDL, MTY o la ciudad")


class LowStockArgs(BaseModel):
    """Arguments of list_low_stock."""

    branch_code: str | None = Field(None, max_length=40)
    limit: int = Field(10, ge=1, le=50)


class RankingArgs(BaseModel):
    """Arguments of get_sales_ranking."""

    order: Literal["best", "worst"] = Field(
        "best", description="best = las más vendidas; worst = las que menos se venden"
    )
    days: int = Field(30, ge=1, le=366, description="Periodo: los últimos N días")
    period: str | None = Field(None, max_length=20, description=f"En vez de days: {PERIOD_HELP}")
    branch_code: str | None = Field(None, max_length=40)
    brand: str | None = Field(None, max_length=40)
    size: str | None = Field(None, max_length=30)
    limit: int = Field(10, ge=1, le=50)


class HandoffRequestsArgs(BaseModel):
    """Arguments of list_handoff_requests."""

    days: int = Field(1, ge=1, le=90, description="1 = hoy; 7 = los últimos 7 días")
    status: Literal["new", "contacted", "won", "lost"] | None = None


def check_stock(ctx: ToolContext, args: StockArgs) -> StockResult:
    """Existencias disponibles (en mano menos apartadas) por medida, marca y/o línea, en una
    sucursal o en todas: el total cuenta TODOS los productos (no una página), con el desglose
    por sucursal y los productos con más piezas. Sin filtros: todo el inventario. Solo
    personal."""
    require_staff(ctx)
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        scope = ProductScope(size=args.size, brand=args.brand, line=args.line)
        try:
            totals = (
                staff_reports.stock_totals(tx.session, scope, branch=branch)
                if tx.erp.shares_database
                else _totals_from_erp(tx, args, branch)
            )
        except (ValueError, InvalidRequest) as exc:
            raise ToolRefused(messages.bad_size(args.size or "")) from exc
        return StockResult(
            size=args.size,
            brand=args.brand,
            line=args.line,
            branch=branch,
            products=[
                StockRow(sku=sku, product=name, stock=split) for sku, name, split in totals.top
            ],
            total_available=totals.total,
            by_branch=totals.by_branch,
            product_count=totals.products,
        )


def _totals_from_erp(tx: ToolTx, args: StockArgs, branch: str | None) -> StockTotals:
    """Another ERP is the store of record: every page of its products through the Protocol
    (never just the first), summed here."""
    flt = ProductFilter(size=args.size, brand=args.brand, line=args.line, branch=branch)
    products, offset = [], 0
    while True:
        page = tx.erp.search_products(flt, limit=50, offset=offset, sort="brand")
        products += page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    by_branch: dict[str, int] = {}
    rows = []
    for p in products:
        split = {s.branch_code: s.available for s in p.stock if branch in (None, s.branch_code)}
        for code, units in split.items():
            by_branch[code] = by_branch.get(code, 0) + units
        rows.append((sum(split.values()), p.sku, f"{p.brand} {p.line} {p.size}", split))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return StockTotals(
        total=sum(by_branch.values()),
        by_branch=dict(sorted(by_branch.items())),
        products=len(products),
        top=[(sku, name, split) for units, sku, name, split in rows[:8] if units > 0],
    )


def list_low_stock(ctx: ToolContext, args: LowStockArgs) -> LowStockResult:
    """Productos en o bajo su punto de reorden, por sucursal. Solo personal."""
    require_staff(ctx)
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        page = tx.erp.list_inventory(branch=branch, low_stock=True, limit=args.limit)
        return LowStockResult(
            total_low=page.total,
            items=[
                LowStockRow(
                    sku=i.sku,
                    product=f"{i.brand} {i.line} {i.size}",
                    branch=i.branch_code,
                    available=i.available,
                    reorder_point=i.reorder_point,
                )
                for i in page.items
            ],
        )


def get_sales_ranking(ctx: ToolContext, args: RankingArgs) -> SalesRanking:
    """Las llantas más vendidas (best) o las que menos se venden (worst: incluye las que hay en
    existencia y no vendieron nada) en los últimos N días o en un periodo (period: este mes,
    el mes pasado, un mes AAAA-MM...), por unidades, con lo disponible hoy; opcionalmente de
    una sucursal, una marca o una medida. Los periodos se cuentan hasta el último día con
    ventas registradas. Solo personal."""
    require_staff(ctx)
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        reference = latest_sales_day(tx.session) or mexico_today()
        try:
            span = (
                resolve(args.period, reference)
                if args.period
                else Span(reference - timedelta(days=args.days - 1), reference)
            )
            scope = ProductScope(size=args.size, brand=args.brand)
            rows = staff_reports.ranking(
                tx.session, scope, span.start, span.end,
                order=args.order, branch=branch, limit=args.limit,
            )  # fmt: skip
        except (ValueError, InvalidRequest) as exc:
            raise ToolRefused(str(exc)) from exc
        return SalesRanking(
            order=args.order,
            days=span.days,
            since=span.start,
            until=span.end,
            branch=branch,
            brand=args.brand,
            size=args.size,
            period=args.period,
            items=[
                RankedProduct(sku=sku, product=name, units=u, revenue_cents=r, available=a)
                for sku, name, u, r, a in rows
            ],
        )


def list_handoff_requests(ctx: ToolContext, args: HandoffRequestsArgs) -> HandoffRequests:
    """Qué clientes pidieron hablar con una persona (casos de asesor, técnico o reembolso):
    desde el inicio del día de hoy (hora de CDMX) o de los últimos N días, el más nuevo
    primero, con nombre, teléfono, canal y motivo. Solo consulta: no crea nada. Solo
    personal."""
    require_staff(ctx)
    since = mexico_today() - timedelta(days=args.days - 1)
    start = datetime.combine(since, time(0), tzinfo=MEXICO_CITY).astimezone(UTC)
    with ctx.transaction() as tx:
        rows = crm.list_leads(tx.session, since=start, status=args.status)
        return HandoffRequests(
            since=since,
            items=[
                LeadRow(
                    lead_id=lead.id or 0,
                    created_at=as_utc(lead.created_at),
                    customer_name=customer.name if customer else None,
                    phone=customer.phone if customer else None,
                    channel=lead.channel,
                    reason=lead.reason,
                    status=lead.status,
                    kind=lead.kind,
                )
                for lead, customer in rows
            ],
        )


CHECK_STOCK = tool(check_stock, StockArgs, roles=STAFF_ONLY)
LIST_LOW_STOCK = tool(list_low_stock, LowStockArgs, roles=STAFF_ONLY)
GET_SALES_RANKING = tool(get_sales_ranking, RankingArgs, roles=STAFF_ONLY)
LIST_HANDOFF_REQUESTS = tool(list_handoff_requests, HandoffRequestsArgs, roles=STAFF_ONLY)
