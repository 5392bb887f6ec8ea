"""Catalogue tools: tires for a vehicle, tires by size/brand/price, branches and shop services."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from core.errors import NotFound
from db.repositories import catalog
from domain.catalog import ProductFilter, ProductPublic
from domain.pricing import with_iva
from domain.services import SERVICES
from domain.tire_size import parse_tire_size
from tools.base import ToolContext, ToolSpec

TOP_BRANDS = frozenset({"Michelin", "Continental", "Pirelli", "Bridgestone", "Goodyear"})


class VehicleArgs(BaseModel):
    """Arguments of find_tires_for_vehicle."""

    make: str | None = Field(None, max_length=40, description="Marca del auto, p. ej. Volkswagen")
    model: str = Field(min_length=1, max_length=60, description="Modelo, p. ej. Jetta")
    year: int = Field(ge=1980, le=2030, description="Año del modelo")
    quantity: int = Field(4, ge=1, le=40, description="Cuántas llantas")


class SearchArgs(BaseModel):
    """Arguments of search_tires."""

    size: str | None = Field(
        None, max_length=30, description="Medida en cualquier formato: 205/55R16"
    )
    brand: str | None = Field(None, max_length=40)
    max_unit_price_pesos: int | None = Field(
        None, ge=1, le=100_000, description="Precio máx. c/u con IVA"
    )
    quantity: int = Field(4, ge=1, le=40)


class NoArgs(BaseModel):
    """A tool without arguments."""


def _option(p: ProductPublic, quantity: int, branch_hint: str | None) -> dict[str, Any]:
    stock = sorted(p.stock, key=lambda s: (s.branch_code != branch_hint, -s.available))
    best = next((s for s in stock if s.available >= quantity), stock[0] if stock else None)
    return {
        "sku": p.sku,
        "brand": p.brand,
        "line": p.line,
        "size": p.size,
        "tier": p.tier.value,
        "unit_price_cents": p.price.total_cents,
        "total_cents": p.price.total_cents * quantity,
        "warranty_km": p.warranty_km,
        "warranty_months": p.warranty_months,
        "run_flat": p.run_flat,
        "branch": best.branch_code if best else None,
        "available_at_branch": best.available if best else 0,
    }


def group_options(
    products: list[ProductPublic], quantity: int, branch_hint: str | None
) -> dict[str, Any]:
    """Recommended (best-value top brand), economical (lowest price) and premium (top line)."""
    stocked = [p for p in products if p.available >= 1]
    enough = [p for p in stocked if any(s.available >= quantity for s in p.stock)] or stocked
    if not enough:
        return {}
    by_price = sorted(enough, key=lambda p: (p.price.total_cents, p.sku))
    top = [p for p in by_price if p.brand in TOP_BRANDS and p.tier.value in ("premium", "mid")]
    recommended = next(
        (p for p in top if p.tier.value == "premium"), top[0] if top else by_price[-1]
    )
    economical = by_price[0] if by_price[0].sku != recommended.sku else None
    premium_pool = [p for p in by_price if p.tier.value == "premium" and p.sku != recommended.sku]
    premium = premium_pool[-1] if premium_pool else None
    groups = {"recommended": _option(recommended, quantity, branch_hint)}
    if economical is not None:
        groups["economical"] = _option(economical, quantity, branch_hint)
    if premium is not None and premium.price.total_cents > recommended.price.total_cents:
        groups["premium"] = _option(premium, quantity, branch_hint)
    return groups


def _in_stock(session: Session, size: str, **filters: Any) -> list[ProductPublic]:
    flt = ProductFilter(size=size, in_stock=True, **filters)
    return catalog.search_products(session, flt, limit=200, offset=0).items


def find_tires_for_vehicle(ctx: ToolContext, args: VehicleArgs) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        rows = catalog.find_fitment(session, make=args.make, model=args.model, year=args.year)
        if not rows:
            vehicle = " ".join(x for x in (args.make, args.model, str(args.year)) if x)
            raise NotFound(f"no tengo la medida original de {vehicle}; pide la medida del costado")
        fronts = Counter(r.front_size for r in rows)
        sizes = sorted(fronts, key=lambda s: (-fronts[s], parse_tire_size(s).rim, s))
        primary = sizes[0]
        products = _in_stock(session, primary)
    first = rows[0]
    return {
        "vehicle": {"make": first.make, "model": first.model, "year": args.year},
        "size": primary,
        "other_sizes": [
            {"size": r.front_size, "trim": r.trim} for r in rows if r.front_size != primary
        ][:3],
        "quantity": args.quantity,
        "options": group_options(products, args.quantity, ctx.branch_code),
        "installation": "gratis",
        "deposit_cents": ctx.settings.payments.deposit_cents,
    }


def search_tires(ctx: ToolContext, args: SearchArgs) -> dict[str, Any]:
    if not args.size:
        raise NotFound("necesito la medida (p. ej. 205/55R16) o el auto y año para buscar")
    size = parse_tire_size(args.size).canonical
    filters: dict[str, Any] = {}
    if args.brand:
        filters["brand"] = args.brand
    if args.max_unit_price_pesos:
        filters["max_price_cents"] = round(args.max_unit_price_pesos * 100 / 1.16)
    with Session(ctx.engine) as session:
        products = _in_stock(session, size, **filters)
    return {
        "vehicle": None,
        "size": size,
        "other_sizes": [],
        "quantity": args.quantity,
        "brand": args.brand,
        "options": group_options(products, args.quantity, ctx.branch_code),
        "installation": "gratis",
        "deposit_cents": ctx.settings.payments.deposit_cents,
    }


def get_branches(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        branches = catalog.list_branches(session)
    return {
        "branches": [
            {
                "code": b.code,
                "name": b.name,
                "city": b.city,
                "address": b.address,
                "hours": b.opening_hours,
            }
            for b in branches
        ]
    }


def get_service_prices(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    return {
        "services": [
            {"code": s.code, "name": s.name, "unit": s.unit, "price_cents": with_iva(s.price_cents)}
            for s in SERVICES
        ]
    }


FIND_TIRES_FOR_VEHICLE = ToolSpec(
    "find_tires_for_vehicle",
    "Busca llantas en existencia para un vehículo (marca, modelo, año) usando la medida original "
    "de fábrica. Úsala cuando el cliente da su auto y año. Devuelve la medida y opciones "
    "recomendada / económica / premium con precio c/u con IVA, total por la cantidad, garantía y "
    "sucursal con existencia. Si no hay año, pregúntalo antes de llamarla.",
    VehicleArgs,
    find_tires_for_vehicle,
)
SEARCH_TIRES = ToolSpec(
    "search_tires",
    "Busca llantas en existencia por medida (cualquier formato: 205/55R16, 205 55 16), con "
    "marca y precio máximo por llanta (con IVA) opcionales. Devuelve opciones agrupadas.",
    SearchArgs,
    search_tires,
)
GET_BRANCHES = ToolSpec(
    "get_branches",
    "Sucursales con dirección y horario. Úsala para preguntas de ubicación u horario.",
    NoArgs,
    get_branches,
)
GET_SERVICE_PRICES = ToolSpec(
    "get_service_prices",
    "Precios con IVA de instalación, balanceo, alineación, válvulas y nitrógeno.",
    NoArgs,
    get_service_prices,
)
