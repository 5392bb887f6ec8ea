"""GET /api/v1/products and /api/v1/products/{id}."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep, SettingsDep, require
from core.security import Scope
from db.repositories import catalog
from domain.catalog import Page, ProductFilter, ProductPublic

router = APIRouter(
    prefix="/api/v1/products",
    tags=["catalogue"],
    dependencies=[Depends(require(Scope.CATALOG_READ))],
)


@router.get("", summary="Search products")
def search_products(
    session: SessionDep,
    settings: SettingsDep,
    flt: Annotated[ProductFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Literal["price", "-price", "brand", "size"] = "price",
) -> Page[ProductPublic]:
    """Products by size (any format: ``205/55R16``, ``205 55 16``, ``P205/55R16 91V``...), brand,
    line, vehicle (make/model/year through the fitment table), price range and stock."""
    return catalog.search_products(
        session, flt, limit=min(limit, settings.max_page_size), offset=offset, sort=sort
    )


@router.get("/{product_id}", summary="One product with stock per branch")
def get_product(product_id: int, session: SessionDep) -> ProductPublic:
    """A product with its price (IVA explicit) and stock at every branch."""
    return catalog.get_product(session, product_id)
