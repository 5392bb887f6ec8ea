"""Staff tools over stock: availability by size/SKU/branch and the low-stock list."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from core.errors import NotFound
from db.repositories import catalog
from domain.catalog import ProductFilter
from tools.base import ToolContext, ToolSpec

STAFF = frozenset({"staff"})


class StockArgs(BaseModel):
    """Arguments of check_stock."""

    size: str | None = Field(None, max_length=30)
    brand: str | None = Field(None, max_length=40)
    branch_code: str | None = Field(None, max_length=8)


class LowStockArgs(BaseModel):
    """Arguments of list_low_stock."""

    branch_code: str | None = Field(None, max_length=8)
    limit: int = Field(10, ge=1, le=50)


def check_stock(ctx: ToolContext, args: StockArgs) -> dict[str, Any]:
    if not args.size and not args.brand:
        raise NotFound("dime la medida o la marca a revisar")
    flt = ProductFilter(size=args.size, brand=args.brand, branch=args.branch_code)
    with Session(ctx.engine) as session:
        page = catalog.search_products(session, flt, limit=50, offset=0, sort="brand")
    rows = [
        {
            "sku": p.sku,
            "product": f"{p.brand} {p.line} {p.size}",
            "stock": {s.branch_code: s.available for s in p.stock},
        }
        for p in page.items
    ]
    return {
        "size": args.size,
        "brand": args.brand,
        "branch": args.branch_code,
        "products": rows,
        "total_available": sum(p.available for p in page.items),
    }


def list_low_stock(ctx: ToolContext, args: LowStockArgs) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        page = catalog.list_inventory(
            session, branch=args.branch_code, low_stock=True, sku=None, limit=args.limit, offset=0
        )
    return {
        "total_low": page.total,
        "items": [
            {
                "sku": i.sku,
                "product": f"{i.brand} {i.line} {i.size}",
                "branch": i.branch_code,
                "available": i.available,
                "reorder_point": i.reorder_point,
            }
            for i in page.items
        ],
    }


CHECK_STOCK = ToolSpec(
    "check_stock",
    "Existencias disponibles por medida y/o marca, por sucursal (solo personal).",
    StockArgs,
    check_stock,
    roles=STAFF,
)
LIST_LOW_STOCK = ToolSpec(
    "list_low_stock",
    "Productos en o bajo su punto de reorden, por sucursal (solo personal).",
    LowStockArgs,
    list_low_stock,
    roles=STAFF,
)
