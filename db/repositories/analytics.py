"""Sales and inventory reports computed in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import InvalidRequest
from db.repositories.catalog import branch_by_code
from db.tables import (
    Branch,
    Product,
    SalesBranchDay,
    SalesDaily,
    SalesProductMonth,
    Stock,
)
from domain.analytics import (
    InventoryBranchReport,
    InventoryReport,
    RankedProductPublic,
    RankingOrder,
    SalesGroup,
    SalesRanking,
    SalesReport,
    SalesRowPublic,
)


def latest_sales_day(session: Session) -> date | None:
    """The most recent day with sales, or None for an empty history."""
    return session.exec(select(sa.func.max(SalesDaily.day))).one()


def _full_months(start: date, end: date) -> tuple[date, date] | None:
    """The first and last day of the whole calendar months inside ``start..end``, if any."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    following = end + timedelta(days=1)
    last = end if following.day == 1 else end.replace(day=1) - timedelta(days=1)
    return (first, last) if first <= last else None


def _facts(start: date, end: date, *, by_product: bool, branch_id: int | None) -> sa.Subquery:
    """Sales rows over ``start..end`` read from the smallest table that answers exactly.

    Without the product: the day x branch roll-up. With it: the month x product x branch
    roll-up for whole months, daily rows for the partial months at either end. The roll-ups
    are kept by triggers on sales_daily (migration 0011), so every sum equals the daily rows.
    """

    def rows(table: Any, *keys: str) -> sa.Select[Any]:
        names = (*keys, "branch_id", "units", "revenue_cents")
        query = sa.select(*[getattr(table, n).label(n) for n in names])
        return query if branch_id is None else query.where(table.branch_id == branch_id)

    if not by_product:
        day_rows = rows(SalesBranchDay, "day")
        return day_rows.where(
            col(SalesBranchDay.day) >= start, col(SalesBranchDay.day) <= end
        ).subquery()

    def daily(a: date, b: date) -> sa.Select[Any]:
        return rows(SalesDaily, "product_id").where(
            col(SalesDaily.day) >= a, col(SalesDaily.day) <= b
        )

    months = _full_months(start, end)
    if months is None:
        return daily(start, end).subquery()
    first, last = months
    monthly = rows(SalesProductMonth, "product_id").where(
        col(SalesProductMonth.month) >= first, col(SalesProductMonth.month) <= last
    )
    parts = [monthly]
    if start < first:
        parts.append(daily(start, first - timedelta(days=1)))
    if last < end:
        parts.append(daily(last + timedelta(days=1), end))
    return sa.union_all(*parts).subquery() if len(parts) > 1 else monthly.subquery()


def sales_report(
    session: Session,
    *,
    date_from: date | None,
    date_to: date | None,
    group_by: SalesGroup,
    limit: int,
    branch: str | None = None,
) -> SalesReport:
    """Units and net revenue in a period (default: the last 30 days of history), grouped;
    ``branch`` (a code) keeps one branch's sales."""
    end = date_to or latest_sales_day(session) or date.today()
    start = date_from or end - timedelta(days=29)
    if start > end:
        raise InvalidRequest("date_from is after date_to", field="date_from")
    if (end - start).days > 3660:
        raise InvalidRequest("the period may span at most 10 years", field="date_from")
    branch_id = branch_by_code(session, branch).id if branch else None
    facts = _facts(start, end, by_product=group_by in ("brand", "size"), branch_id=branch_id)
    key: Any
    if group_by == "branch":
        key = col(Branch.code)
    elif group_by == "brand":
        key = col(Product.brand)
    elif group_by == "size":
        key = col(Product.size)
    elif group_by == "month":
        key = sa.func.substr(sa.cast(facts.c.day, sa.String), 1, 7)
    else:
        key = sa.cast(facts.c.day, sa.String)
    units = sa.func.sum(facts.c.units)
    revenue = sa.func.sum(facts.c.revenue_cents)
    query = sa.select(key, units, revenue).select_from(facts).group_by(key)
    if group_by in ("brand", "size"):
        query = query.join(Product, col(Product.id) == facts.c.product_id)
    elif group_by == "branch":
        query = query.join(Branch, col(Branch.id) == facts.c.branch_id)
    order = key.asc() if group_by in ("month", "day") else revenue.desc()
    rows = session.execute(query.order_by(order)).all()
    total_units = sum(int(r[1] or 0) for r in rows)
    total_revenue = sum(int(r[2] or 0) for r in rows)
    return SalesReport(
        date_from=start,
        date_to=end,
        group_by=group_by,
        total_units=total_units,
        total_revenue_cents=total_revenue,
        rows=[
            SalesRowPublic(
                key=str(k)[:10] if group_by == "day" else str(k),  # a date, not a brand
                units=int(u or 0),
                revenue_cents=int(r or 0),
                share=round(int(r or 0) / total_revenue, 4) if total_revenue else 0.0,
            )
            for k, u, r in rows[:limit]
        ],
    )


def inventory_report(session: Session, *, as_of: date | None = None) -> InventoryReport:
    """Inventory value at cost, rotation over the last 90 days of sales and low-stock counts."""
    as_of = as_of or latest_sales_day(session) or date.today()
    available = col(Stock.on_hand) - col(Stock.reserved)
    stock_rows = session.execute(
        sa.select(
            col(Branch.code),
            sa.func.count().filter(col(Stock.on_hand) > 0),
            sa.func.coalesce(sa.func.sum(Stock.on_hand), 0),
            sa.func.coalesce(sa.func.sum(Stock.reserved), 0),
            sa.func.coalesce(sa.func.sum(col(Stock.on_hand) * col(Product.cost_cents)), 0),
            sa.func.count().filter(available <= col(Stock.reorder_point)),
            sa.func.count().filter(available <= 0),
        )
        .select_from(Stock)
        .join(Product, col(Product.id) == Stock.product_id)
        .join(Branch, col(Branch.id) == Stock.branch_id)
        .group_by(Branch.code)
        .order_by(Branch.code)
    ).all()
    since = as_of - timedelta(days=89)
    cogs = dict(
        session.exec(
            select(Branch.code, sa.func.sum(col(SalesDaily.units) * col(Product.cost_cents)))
            .select_from(SalesDaily)
            .join(Product, col(Product.id) == SalesDaily.product_id)
            .join(Branch, col(Branch.id) == SalesDaily.branch_id)
            .where(col(SalesDaily.day) >= since, col(SalesDaily.day) <= as_of)
            .group_by(Branch.code)
        ).all()
    )
    branches = []
    for code, skus, on_hand, reserved, value, low, out in stock_rows:
        cogs_90 = int(cogs.get(code) or 0)
        value = int(value)
        daily_cogs = cogs_90 / 90
        branches.append(
            InventoryBranchReport(
                branch_code=code,
                skus_stocked=int(skus),
                units_on_hand=int(on_hand),
                units_reserved=int(reserved),
                value_cents=value,
                low_stock_skus=int(low),
                out_of_stock_skus=int(out),
                cogs_90d_cents=cogs_90,
                rotation_per_year=round(cogs_90 * 365 / 90 / value, 2) if value else 0.0,
                days_of_supply=round(value / daily_cogs, 1) if daily_cogs else None,
            )
        )
    return InventoryReport(
        as_of=as_of,
        branches=branches,
        total_value_cents=sum(b.value_cents for b in branches),
        total_low_stock_skus=sum(b.low_stock_skus for b in branches),
    )


def sales_ranking(
    session: Session,
    *,
    order: RankingOrder,
    days: int,
    branch: str | None,
    limit: int,
    until: date | None = None,
) -> SalesRanking:
    """Best sellers (most units) or worst sellers (fewest units, counting products in stock
    that sold nothing) over the ``days`` ending on ``until`` (default: the last day of sales)."""
    if not 1 <= days <= 3660:
        raise InvalidRequest("days must be between 1 and 3660", field="days")
    end = until or latest_sales_day(session) or date.today()
    start = end - timedelta(days=days - 1)
    branch_row = branch_by_code(session, branch) if branch else None
    sold_where = [col(SalesDaily.day) >= start, col(SalesDaily.day) <= end]
    stock_where: list[sa.ColumnElement[bool]] = []
    if branch_row is not None:
        sold_where.append(col(SalesDaily.branch_id) == branch_row.id)
        stock_where.append(col(Stock.branch_id) == branch_row.id)
    sold_q = (
        sa.select(
            col(SalesDaily.product_id).label("product_id"),
            sa.func.sum(SalesDaily.units).label("units"),
            sa.func.sum(SalesDaily.revenue_cents).label("revenue"),
        )
        .where(*sold_where)
        .group_by(col(SalesDaily.product_id))
        .subquery()
    )
    stock_q = (
        sa.select(
            col(Stock.product_id).label("product_id"),
            sa.func.sum(col(Stock.on_hand) - col(Stock.reserved)).label("available"),
        )
        .where(sa.true(), *stock_where)
        .group_by(col(Stock.product_id))
        .subquery()
    )
    units = sa.func.coalesce(sold_q.c.units, 0)
    revenue = sa.func.coalesce(sold_q.c.revenue, 0)
    available = sa.func.coalesce(stock_q.c.available, 0)
    query = (
        sa.select(
            col(Product.sku),
            col(Product.brand),
            col(Product.line),
            col(Product.size),
            units,
            revenue,
            available,
        )
        .select_from(Product)
        .join(sold_q, sold_q.c.product_id == Product.id, isouter=True)
        .join(stock_q, stock_q.c.product_id == Product.id, isouter=True)
        .where(col(Product.active).is_(True))
    )
    if order == "best":
        query = query.where(units > 0).order_by(units.desc(), revenue.desc(), Product.sku)
    else:
        # A worst seller is something on the shelf that does not move.
        query = query.where(available > 0).order_by(units.asc(), revenue.asc(), Product.sku)
    rows = session.execute(query.limit(limit)).all()
    return SalesRanking(
        order=order,
        date_from=start,
        date_to=end,
        branch=branch_row.code if branch_row else None,
        items=[
            RankedProductPublic(
                sku=sku,
                product=f"{brand} {line} {size}",
                units=int(u),
                revenue_cents=int(r),
                available=int(a),
            )
            for sku, brand, line, size, u, r, a in rows
        ],
    )
