"""Staff tools: stock by size/brand/branch, low stock, best and worst sellers, and who asked
for a person. Customers are refused; none of these writes anything."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import InvalidRequest
from db.repositories import crm
from domain.catalog import ProductFilter
from domain.clock import MEXICO_CITY, as_utc, mexico_today
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
from tools.base import STAFF_ONLY, ToolContext, ToolRefused, tool
from tools.identity import find_branch


class StockArgs(BaseModel):
    """Arguments of check_stock."""

    size: str | None = Field(None, max_length=30, description="Medida, p. ej. 205/55R16")
    brand: str | None = Field(None, max_length=40)
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
    branch_code: str | None = Field(None, max_length=40)
    limit: int = Field(10, ge=1, le=50)


class HandoffRequestsArgs(BaseModel):
    """Arguments of list_handoff_requests."""

    days: int = Field(1, ge=1, le=90, description="1 = hoy; 7 = los últimos 7 días")
    status: Literal["new", "contacted", "won", "lost"] | None = None


def check_stock(ctx: ToolContext, args: StockArgs) -> StockResult:
    """Existencias disponibles (en mano menos apartadas) por medida y/o marca, por sucursal.
    Solo personal."""
    if not args.size and not args.brand:
        raise ToolRefused(messages.NEED_SIZE_OR_BRAND)
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        flt = ProductFilter(size=args.size, brand=args.brand, branch=branch)
        try:
            page = tx.erp.search_products(flt, limit=50, offset=0, sort="brand")
        except InvalidRequest as exc:
            raise ToolRefused(messages.bad_size(args.size or "")) from exc
        return StockResult(
            size=args.size,
            brand=args.brand,
            branch=branch,
            products=[
                StockRow(
                    sku=p.sku,
                    product=f"{p.brand} {p.line} {p.size}",
                    stock={s.branch_code: s.available for s in p.stock},
                )
                for p in page.items
            ],
            total_available=sum(p.available for p in page.items),
        )


def list_low_stock(ctx: ToolContext, args: LowStockArgs) -> LowStockResult:
    """Productos en o bajo su punto de reorden, por sucursal. Solo personal."""
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
    existencia y no vendieron nada) en los últimos N días, por unidades, con lo disponible hoy;
    opcionalmente de una sucursal. Solo personal."""
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        ranking = tx.erp.sales_ranking(
            order=args.order, days=args.days, branch=branch, limit=args.limit
        )
        return SalesRanking(
            order=ranking.order,
            days=args.days,
            since=ranking.date_from,
            until=ranking.date_to,
            branch=ranking.branch,
            items=[
                RankedProduct(
                    sku=r.sku,
                    product=r.product,
                    units=r.units,
                    revenue_cents=r.revenue_cents,
                    available=r.available,
                )
                for r in ranking.items
            ],
        )


def list_handoff_requests(ctx: ToolContext, args: HandoffRequestsArgs) -> HandoffRequests:
    """Qué clientes pidieron hablar con una persona (casos de asesor, técnico o reembolso):
    desde el inicio del día de hoy (hora de CDMX) o de los últimos N días, el más nuevo
    primero, con nombre, teléfono, canal y motivo. Solo consulta: no crea nada. Solo
    personal."""
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
