"""Catalogue tools: tires for a vehicle (by trim), tires by size and preferences, a branch's
stock of the tires on the table, branches and shop services."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from adapters.erp.base import ErpClient
from core.errors import InvalidRequest
from domain.catalog import FitmentPublic, ProductFilter, ProductPublic
from domain.dialogue import TerrainPreference, VehicleSlot
from domain.pricing import with_iva
from domain.services import SERVICES
from domain.text import fold
from domain.tire_size import parse_tire_size
from domain.tool_results import (
    BranchAvailability,
    Branches,
    BranchStock,
    ServicePrice,
    ServicePrices,
    TireOptions,
    TrimSize,
    VehicleInfo,
)
from tools import messages
from tools.base import ToolContext, ToolRefused, ToolTx, tool
from tools.identity import branches, find_branch, speaker
from tools.offers import (
    Filters,
    Pricing,
    apply_filters,
    choose,
    option,
    quantity_or_default,
    record_offers,
    same_construction,
)
from tools.order_views import branch_info

MAX_QUANTITY = 200  # what one order line takes; dealers and fleets buy by the dozen


class PreferenceArgs(BaseModel):
    """Preferences shared by the catalogue searches."""

    quantity: int | None = Field(
        None, ge=1, le=MAX_QUANTITY, description="Cuántas llantas (vacío = las de la plática, o 4)"
    )
    brand: str | None = Field(None, max_length=40, description="Marca, p. ej. Michelin")
    terrain: TerrainPreference | None = Field(
        None,
        description="Uso: highway (HT, carretera), all_terrain (AT, todo terreno), "
        "mud_terrain (MT, lodo)",
    )
    run_flat: bool | None = Field(None, description="true = solo run flat")
    light_truck: bool | None = Field(None, description="true = solo de carga (LT o C)")
    max_unit_price_pesos: int | None = Field(
        None, ge=1, le=100_000, description="Precio máximo por llanta, con IVA, en pesos"
    )


class VehicleArgs(PreferenceArgs):
    """Arguments of find_tires_for_vehicle."""

    make: str | None = Field(None, max_length=40, description="Marca del auto, p. ej. Volkswagen")
    model: str = Field(min_length=1, max_length=60, description="Modelo, p. ej. Jetta")
    year: int = Field(ge=1980, le=2035, description="Año del modelo")
    trim: str | None = Field(None, max_length=60, description="Versión, p. ej. GLI o TRD Off-Road")


class SearchArgs(PreferenceArgs):
    """Arguments of search_tires."""

    size: str | None = Field(
        None, max_length=30, description="Medida en cualquier formato: 205/55R16, 205 55 16"
    )
    line: str | None = Field(None, max_length=60, description="Línea, p. ej. Primacy")
    branch_code: str | None = Field(None, max_length=40, description="Solo esta sucursal")


class BranchStockArgs(BaseModel):
    """Arguments of check_branch_stock."""

    branch_code: str = Field(
        min_length=2, max_length=40, description="Sucursal: CDMX, GDL, MTY o la ciudad"
    )
    skus: list[str] | None = Field(
        None, max_length=10, description="SKUs a revisar; vacío = las llantas ofrecidas o elegida"
    )
    quantity: int | None = Field(None, ge=1, le=MAX_QUANTITY)


class NoArgs(BaseModel):
    """A tool without arguments."""


def _in_stock(erp: ErpClient, size: str, branch: str | None = None) -> list[ProductPublic]:
    """Every product of a size with stock (at one branch when given), with stock per branch."""
    flt = ProductFilter(size=size, in_stock=True, branch=branch)
    return erp.search_products(flt, limit=200, offset=0).items


def _pricing(tx: ToolTx, ctx: ToolContext) -> Pricing:
    who = speaker(tx, ctx) if ctx.role == "customer" else None
    if who is None:
        return Pricing()
    return Pricing(discount_bp=who.discount_bp, customer_kind=who.kind.value)


def _options(
    tx: ToolTx,
    ctx: ToolContext,
    *,
    size: str,
    quantity: int,
    filters: Filters,
    branch: str | None,
    unmatched_first: list[str] | None = None,
) -> TireOptions:
    pricing = _pricing(tx, ctx)
    products = _in_stock(tx.erp, size, branch)
    if not filters.light_truck:  # asked for LT/C, the size's load-range variants stay
        products = same_construction(products, size)
    filtered = apply_filters(products, filters, pricing)
    chosen = choose(filtered.products, quantity, pricing)
    return TireOptions(
        size=size,
        quantity=quantity,
        brand=filters.brand,
        terrain=filters.terrain,
        run_flat=filters.run_flat,
        light_truck=filters.light_truck,
        max_unit_price_pesos=filters.max_unit_price_pesos,
        branch_code=branch,
        unmatched_filters=[*(unmatched_first or []), *filtered.unmatched],
        options=[
            option(key, product, quantity, pricing, branch or ctx.branch_code)
            for key, product in chosen
        ],
        discount_bp=pricing.discount_bp,
        customer_kind=pricing.customer_kind,
        deposit_cents=ctx.settings.payments.deposit_cents,
    )


def _filters(args: PreferenceArgs, line: str | None = None) -> Filters:
    return Filters(
        brand=args.brand,
        line=line,
        terrain=args.terrain,
        run_flat=args.run_flat,
        light_truck=args.light_truck,
        max_unit_price_pesos=args.max_unit_price_pesos,
    )


def _trim_parts(row: FitmentPublic) -> list[str]:
    return [part.strip() for part in row.trim.split("/") if part.strip()]


def match_trim(rows: list[FitmentPublic], wanted: str) -> tuple[FitmentPublic, str] | None:
    """The fitment row of a named trim and the trim's own name: case, accents, spaces and
    dashes do not matter ("trd off road" is "TRD Off-Road", "gli" one of "Sportline/GLI");
    otherwise the one trim whose name contains what was written."""
    key = fold(wanted)
    if not key:
        return None
    exact = [(r, part) for r in rows for part in _trim_parts(r) if fold(part) == key]
    if exact:
        return exact[0]
    partial = [(r, part) for r in rows for part in _trim_parts(r) if key in fold(part)]
    return partial[0] if len({fold(p) for _, p in partial}) == 1 else None


def _sizes_by_use(rows: list[FitmentPublic]) -> list[str]:
    """A vehicle's front sizes, most common first (ties: passenger before C, smaller rim)."""
    counts = Counter(r.front_size for r in rows)
    return sorted(
        counts,
        key=lambda s: (-counts[s], parse_tire_size(s).commercial, parse_tire_size(s).rim, s),
    )


def find_tires_for_vehicle(ctx: ToolContext, args: VehicleArgs) -> TireOptions:
    """Busca llantas en existencia para un vehículo (marca, modelo, año y, si la dice, la
    versión) con la medida original de fábrica. Úsala cuando el cliente da su auto y año. Si
    nombra la versión (GLI, TRD Off-Road, Highline...), usa la medida de esa versión; si no, la
    más común y en "trims" vienen todas las versiones con su medida (trim_known=false: las
    versiones cambian de medida, pregunta cuál tiene). Filtros opcionales: marca, uso
    (terrain: AT/MT/HT), run flat, de carga (LT), precio máximo por llanta; un filtro que no
    encuentra nada en esa medida se relaja y se nombra en unmatched_filters. Devuelve opciones
    recomendada / económica / premium con el precio para este cliente (con su descuento si es
    distribuidor o flotilla), total por la cantidad, garantía y existencia por sucursal. Si no
    sabes el año, pregúntalo antes de llamarla."""
    with ctx.transaction() as tx:
        rows = tx.erp.find_fitment(make=args.make, model=args.model, year=args.year)
        if not rows:
            vehicle = " ".join(x for x in (args.make, args.model, str(args.year)) if x)
            raise ToolRefused(messages.no_fitment(vehicle))
        trims = [TrimSize(trim=part, size=r.front_size) for r in rows for part in _trim_parts(r)]
        differ = len({r.front_size for r in rows}) > 1
        matched = match_trim(rows, args.trim) if args.trim else None
        filters = _filters(args)
        quantity = quantity_or_default(tx, args.quantity)
        if matched is not None:
            trim: str | None = matched[1]
            sizes = [matched[0].front_size]
        else:
            # Without a trim, the most common size; with preferences ("cuánto las AT"), the
            # first of the vehicle's sizes where they find something.
            trim, sizes = None, _sizes_by_use(rows)
            sizes = sizes if filters != Filters() else sizes[:1]
        result: TireOptions | None = None
        for size in sizes:
            attempt = _options(tx, ctx, size=size, quantity=quantity, filters=filters, branch=None)
            result = result or attempt
            if attempt.options and not attempt.unmatched_filters:
                result = attempt
                break
        assert result is not None
        first = rows[0]
        result = result.model_copy(
            update={
                "vehicle": VehicleInfo(
                    make=first.make, model=first.model, year=args.year, trim=trim
                ),
                "trims": trims,
                "trim_known": matched is not None or not differ,
            }
        )
        record_offers(tx, result)
        tx.dialogue.slots.vehicle = VehicleSlot(
            make=first.make, model=first.model, year=args.year, trim=trim
        )
        # Kept after a trim is named: "ah no, es la SE" picks another one of them.
        tx.dialogue.slots.trims = list(dict.fromkeys(t.trim for t in trims)) if differ else []
    return result


def search_tires(ctx: ToolContext, args: SearchArgs) -> TireOptions:
    """Busca llantas en existencia por medida (cualquier formato: 205/55R16, 205 55 16, LT265/
    70R17), con marca, línea, uso (terrain: AT/MT/HT), run flat, de carga (LT) y precio máximo
    por llanta (con IVA) opcionales, y la cantidad; con branch_code solo cuenta esa sucursal.
    Sin medida usa la de la plática. Un filtro que no encuentra nada se relaja y se nombra en
    unmatched_filters. Devuelve opciones recomendada / económica / premium con el precio para
    este cliente."""
    with ctx.transaction() as tx:
        raw = args.size or tx.dialogue.slots.size
        if not raw:
            raise ToolRefused(messages.NEED_SIZE)
        try:
            size = parse_tire_size(raw).canonical
        except InvalidRequest as exc:
            raise ToolRefused(messages.bad_size(raw)) from exc
        branch = find_branch(tx, args.branch_code).code if args.branch_code else None
        result = _options(
            tx,
            ctx,
            size=size,
            quantity=quantity_or_default(tx, args.quantity),
            filters=_filters(args, args.line),
            branch=branch,
        )
        record_offers(tx, result)
    return result


def check_branch_stock(ctx: ToolContext, args: BranchStockArgs) -> BranchStock:
    """Existencias en una sucursal que nombra el cliente ("¿y en Monterrey tienen?") de las
    llantas de la plática: la elegida o las opciones ofrecidas (o los SKUs que pases). Devuelve
    la sucursal y cuántas piezas hay de cada una, y la cantidad que busca."""
    with ctx.transaction() as tx:
        branch = find_branch(tx, args.branch_code)
        slots = tx.dialogue.slots
        skus = args.skus or (
            [slots.chosen_sku] if slots.chosen_sku else [o.sku for o in slots.offers]
        )
        quantity = quantity_or_default(tx, args.quantity)
        if skus:
            flt = ProductFilter(sku=skus, branch=branch.code)
            products = tx.erp.search_products(flt, limit=len(skus), offset=0).items
            order = {sku.strip().upper(): n for n, sku in enumerate(skus)}
            products.sort(key=lambda p: order.get(p.sku, len(order)))
        elif slots.size:
            products = _in_stock(tx.erp, slots.size, branch.code)[:6]
        else:
            raise ToolRefused(messages.NEED_TIRES_FOR_STOCK)
        slots.branch = branch.code
        return BranchStock(
            branch_code=branch.code,
            branch_name=branch.name,
            city=branch.city,
            quantity=quantity,
            items=[
                BranchAvailability(
                    sku=p.sku,
                    description=f"{p.brand} {p.line} {p.size}",
                    available=sum(s.available for s in p.stock if s.branch_code == branch.code),
                )
                for p in products
            ],
        )


def get_branches(ctx: ToolContext, _: NoArgs) -> Branches:
    """Sucursales con dirección, teléfono y horario. Úsala para preguntas de ubicación u
    horario."""
    with ctx.transaction() as tx:
        return Branches(branches=[branch_info(tx, b.code) for b in branches(tx)])


def get_service_prices(ctx: ToolContext, _: NoArgs) -> ServicePrices:
    """Precios con IVA de instalación (gratis con la compra), balanceo, alineación, válvulas y
    nitrógeno."""
    return ServicePrices(
        services=[
            ServicePrice(code=s.code, name=s.name, unit=s.unit, price_cents=with_iva(s.price_cents))
            for s in SERVICES
        ]
    )


FIND_TIRES_FOR_VEHICLE = tool(find_tires_for_vehicle, VehicleArgs)
SEARCH_TIRES = tool(search_tires, SearchArgs)
CHECK_BRANCH_STOCK = tool(check_branch_stock, BranchStockArgs)
GET_BRANCHES = tool(get_branches, NoArgs)
GET_SERVICE_PRICES = tool(get_service_prices, NoArgs)
