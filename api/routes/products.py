"""GET /api/v1/products and /api/v1/products/{id}."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.cache import ResponseCache
from api.deps import SessionDep, SettingsDep, container_of, require
from api.responses import json_response
from core.security import Scope
from db.engine import data_version
from db.repositories import catalog
from domain.bounds import DbId, Offset
from domain.catalog import Page, ProductFilter, ProductPublic
from domain.tire_size import parse_tire_size

router = APIRouter(
    prefix="/api/v1/products",
    tags=["catalogue"],
    dependencies=[Depends(require(Scope.CATALOG_READ))],
)


@router.get("", summary="Search products", response_model=Page[ProductPublic])
async def search_products(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    flt: Annotated[ProductFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[Offset, Query()] = 0,
    sort: Literal["price", "-price", "brand", "size"] = "price",
) -> Response:
    """Products by size (any format: ``205/55R16``, ``205 55 16``, ``P205/55R16 91V``...), brand,
    line, vehicle (make/model/year through the fitment table), price range and stock."""
    limit = min(limit, settings.max_page_size)
    cache: ResponseCache = container_of(request.app).search_cache
    key = None
    if cache.enabled:
        if flt.size:  # "205 55 16" and "205/55R16" are one entry
            flt = flt.model_copy(update={"size": parse_tire_size(flt.size).canonical})
        version = data_version(container_of(request.app).engine)
        key = (version, flt.model_dump_json(exclude_defaults=True), limit, offset, sort)
        body = cache.get(key)
        if body is not None:
            return Response(content=body, media_type="application/json")
    page = catalog.search_products(session, flt, limit=limit, offset=offset, sort=sort)
    response = json_response(page)
    if key is not None:
        cache.put(key, bytes(response.body))
    return response


@router.get(
    "/{product_id}", summary="One product with stock per branch", response_model=ProductPublic
)
async def get_product(product_id: DbId, session: SessionDep) -> Response:
    """A product with its price (IVA explicit) and stock at every branch."""
    return json_response(catalog.get_product(session, product_id))
