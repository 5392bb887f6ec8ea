"""Staff figures computed in SQL over every row: stock totals by size/brand/line/branch, and
sales totals, groups and rankings with filters and any date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from db.repositories.catalog import branch_by_code
from db.tables import Branch, Product, SalesDaily, Stock
from domain.tire_size import parse_tire_size

SalesGroup = Literal["branch", "brand", "size", "line"]


@dataclass(frozen=True)
class ProductScope:
    """Which products a figure covers (None: any)."""

    size: str | None = None
    brand: str | None = None
    line: str | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """SQL conditions on ``Product`` (a size matches in any written form)."""
        conds: list[sa.ColumnElement[bool]] = [col(Product.active).is_(True)]
        if self.size:
            size = parse_tire_size(self.size)
            if size.is_flotation or size.prefix == "LT" or size.commercial:
                conds.append(col(Product.size) == size.canonical)
            else:
                conds += [
                    col(Product.width) == size.width,
                    col(Product.aspect) == size.aspect,
                    col(Product.rim) == size.rim,
                ]
        if self.brand:
            conds.append(sa.func.lower(Product.brand) == self.brand.strip().lower())
        if self.line:
            conds.append(
                sa.func.lower(Product.line).contains(self.line.strip().lower(), autoescape=True)
            )
        return conds


@dataclass(frozen=True)
class StockTotals:
    """Available units (on hand minus reserved) over every matching product."""

    total: int
    by_branch: dict[str, int]
    products: int  # matching products with any stock row
    top: list[tuple[str, str, dict[str, int]]]  # (sku, product, branch -> available), most first


def _branch_id(session: Session, branch: str | None) -> int | None:
    return branch_by_code(session, branch).id if branch else None


def stock_totals(
    session: Session, scope: ProductScope, *, branch: str | None = None, top: int = 8
) -> StockTotals:
    """Totals by SQL aggregate (never a page of products), per branch, and the products with
    the most units for a short list."""
    available = col(Stock.on_hand) - col(Stock.reserved)
    where = scope.conditions()
    branch_id = _branch_id(session, branch)
    if branch_id is not None:
        where.append(col(Stock.branch_id) == branch_id)
    base = (
        sa.select(col(Branch.code), sa.func.coalesce(sa.func.sum(available), 0))
        .select_from(Stock)
        .join(Product, col(Product.id) == Stock.product_id)
        .join(Branch, col(Branch.id) == Stock.branch_id)
        .where(*where)
        .group_by(col(Branch.code))
        .order_by(col(Branch.code))
    )
    by_branch = {str(code): int(units) for code, units in session.execute(base).all()}
    count = session.execute(
        sa.select(sa.func.count(sa.distinct(col(Stock.product_id))))
        .select_from(Stock)
        .join(Product, col(Product.id) == Stock.product_id)
        .where(*where)
    ).scalar_one()
    per_product = sa.func.sum(available)
    leaders = session.execute(
        sa.select(
            col(Product.id),
            col(Product.sku),
            col(Product.brand),
            col(Product.line),
            col(Product.size),
            per_product,
        )  # fmt: skip
        .select_from(Stock)
        .join(Product, col(Product.id) == Stock.product_id)
        .where(*where)
        .group_by(col(Product.id))
        .having(per_product > 0)
        .order_by(per_product.desc(), col(Product.sku))
        .limit(top)
    ).all()
    ids = [r[0] for r in leaders]
    split: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        rows = session.execute(
            sa.select(col(Stock.product_id), col(Branch.code), available)
            .join(Branch, col(Branch.id) == Stock.branch_id)
            .where(col(Stock.product_id).in_(ids), *(
                [col(Stock.branch_id) == branch_id] if branch_id is not None else []))
            .order_by(col(Branch.code))
        ).all()  # fmt: skip
        for product_id, code, units in rows:
            split[product_id][str(code)] = int(units)
    return StockTotals(
        total=sum(by_branch.values()),
        by_branch=by_branch,
        products=int(count),
        top=[(sku, f"{b} {ln} {sz}", split[pid]) for pid, sku, b, ln, sz, _ in leaders],
    )


def _sales_where(
    session: Session, scope: ProductScope, start: date, end: date, branch: str | None
) -> list[sa.ColumnElement[bool]]:
    where = [col(SalesDaily.day) >= start, col(SalesDaily.day) <= end, *scope.conditions()]
    branch_id = _branch_id(session, branch)
    if branch_id is not None:
        where.append(col(SalesDaily.branch_id) == branch_id)
    return where


def sales_totals(
    session: Session, scope: ProductScope, start: date, end: date, *, branch: str | None = None
) -> tuple[int, int]:
    """(units, net revenue in cents) sold in the days ``start``..``end``."""
    row = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(SalesDaily.units), 0),
            sa.func.coalesce(sa.func.sum(SalesDaily.revenue_cents), 0),
        )
        .select_from(SalesDaily)
        .join(Product, col(Product.id) == SalesDaily.product_id)
        .where(*_sales_where(session, scope, start, end, branch))
    ).one()
    return int(row[0]), int(row[1])


def sales_groups(
    session: Session,
    scope: ProductScope,
    start: date,
    end: date,
    group_by: SalesGroup,
    *,
    branch: str | None = None,
    limit: int = 10,
) -> list[tuple[str, int, int]]:
    """(key, units, net revenue) per branch, brand, size or line, most revenue first."""
    key: Any = {
        "branch": col(Branch.code),
        "brand": col(Product.brand),
        "size": col(Product.size),
        "line": col(Product.brand).concat(" ").concat(col(Product.line)),
    }[group_by]
    revenue = sa.func.sum(SalesDaily.revenue_cents)
    rows = session.execute(
        sa.select(key, sa.func.sum(SalesDaily.units), revenue)
        .select_from(SalesDaily)
        .join(Product, col(Product.id) == SalesDaily.product_id)
        .join(Branch, col(Branch.id) == SalesDaily.branch_id)
        .where(*_sales_where(session, scope, start, end, branch))
        .group_by(key)
        .order_by(revenue.desc(), key)
        .limit(limit)
    ).all()
    return [(str(k), int(u or 0), int(r or 0)) for k, u, r in rows]


def ranking(
    session: Session,
    scope: ProductScope,
    start: date,
    end: date,
    *,
    order: Literal["best", "worst"],
    branch: str | None = None,
    limit: int = 10,
) -> list[tuple[str, str, int, int, int]]:
    """(sku, product, units, revenue, available now): best sellers (most units), or worst
    (fewest units among products on the shelf, counting those that sold nothing)."""
    branch_id = _branch_id(session, branch)
    sold_where = [col(SalesDaily.day) >= start, col(SalesDaily.day) <= end]
    stock_where: list[sa.ColumnElement[bool]] = [sa.true()]
    if branch_id is not None:
        sold_where.append(col(SalesDaily.branch_id) == branch_id)
        stock_where.append(col(Stock.branch_id) == branch_id)
    sold = (
        sa.select(
            col(SalesDaily.product_id).label("product_id"),
            sa.func.sum(SalesDaily.units).label("units"),
            sa.func.sum(SalesDaily.revenue_cents).label("revenue"),
        )
        .where(*sold_where)
        .group_by(col(SalesDaily.product_id))
        .subquery()
    )
    shelf = (
        sa.select(
            col(Stock.product_id).label("product_id"),
            sa.func.sum(col(Stock.on_hand) - col(Stock.reserved)).label("available"),
        )
        .where(*stock_where)
        .group_by(col(Stock.product_id))
        .subquery()
    )
    units = sa.func.coalesce(sold.c.units, 0)
    revenue = sa.func.coalesce(sold.c.revenue, 0)
    available = sa.func.coalesce(shelf.c.available, 0)
    query = (
        sa.select(
            col(Product.sku),
            col(Product.brand),
            col(Product.line),
            col(Product.size),
            units,
            revenue,
            available,
        )  # fmt: skip
        .select_from(Product)
        .join(sold, sold.c.product_id == Product.id, isouter=True)
        .join(shelf, shelf.c.product_id == Product.id, isouter=True)
        .where(*scope.conditions())
    )
    if order == "best":
        query = query.where(units > 0).order_by(units.desc(), revenue.desc(), Product.sku)
    else:
        query = query.where(available > 0).order_by(units.asc(), revenue.asc(), Product.sku)
    return [
        (sku, f"{b} {ln} {sz}", int(u), int(r), int(a))
        for sku, b, ln, sz, u, r, a in session.execute(query.limit(limit)).all()
    ]
