"""GET /api/v1/inventory, /api/v1/branches and /api/v1/fitment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import SessionDep, SettingsDep, require
from api.responses import json_response
from core.errors import InvalidRequest
from core.security import Principal, Scope
from db.repositories import catalog
from domain.bounds import Offset
from domain.catalog import BranchPublic, FitmentPublic, InventoryItem, Page

router = APIRouter(prefix="/api/v1", tags=["inventory"])


@router.get("/inventory", summary="Stock levels", response_model=Page[InventoryItem])
async def list_inventory(
    principal: Annotated[Principal, Depends(require(Scope.INVENTORY_READ))],
    session: SessionDep,
    settings: SettingsDep,
    branch: str | None = None,
    low_stock: bool = False,
    sku: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Offset, Query()] = 0,
) -> Response:
    """Stock per product and branch with DOT lots; ``low_stock=true`` keeps rows at or below
    their reorder point. ``value_cents`` (at cost) only for roles with ``cost:read``."""
    page = catalog.list_inventory(
        session,
        branch=branch,
        low_stock=low_stock,
        sku=sku,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )
    if Scope.COST_READ in principal.scopes:
        return json_response(page)
    return json_response(page, exclude={"items": {"__all__": {"value_cents"}}})


@router.get("/branches", dependencies=[Depends(require(Scope.CATALOG_READ))], summary="Branches")
async def list_branches(session: SessionDep) -> list[BranchPublic]:
    """Branches with address, coordinates and opening hours."""
    return catalog.list_branches(session)


@router.get(
    "/fitment", dependencies=[Depends(require(Scope.CATALOG_READ))], summary="Vehicle fitment"
)
async def find_fitment(
    session: SessionDep,
    make: Annotated[str | None, Query(max_length=40)] = None,
    model: Annotated[str | None, Query(max_length=60)] = None,
    year: Annotated[int | None, Query(ge=1950, le=2100)] = None,
) -> list[FitmentPublic]:
    """Original-equipment sizes for a vehicle; give at least the make or the model."""
    if not make and not model:
        raise InvalidRequest("give make and/or model", field="model")
    return [
        catalog.fitment_public(f)
        for f in catalog.find_fitment(session, make=make, model=model, year=year)
    ]
