"""From products in stock to the options shown to a customer: filters (relaxed when they match
nothing), recommended / economical / premium, priced for this customer, and the dialogue slots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.catalog import ProductPublic
from domain.dialogue import DEFAULT_QUANTITY, Offer, OptionKey, TerrainPreference
from domain.enums import Terrain, Tier
from domain.pricing import unit_total_cents
from domain.text import fold
from domain.tire_size import is_light_truck, parse_tire_size
from domain.tool_results import TireOption, TireOptions
from tools.base import ToolTx

TOP_BRANDS = frozenset({"Michelin", "Continental", "Pirelli", "Bridgestone", "Goodyear"})
# What each use a customer names covers in the catalogue's terrain column.
TERRAINS: dict[TerrainPreference, frozenset[Terrain]] = {
    TerrainPreference.HIGHWAY: frozenset({Terrain.HIGHWAY, Terrain.ALL_SEASON}),
    TerrainPreference.ALL_TERRAIN: frozenset({Terrain.ALL_TERRAIN}),
    TerrainPreference.MUD_TERRAIN: frozenset({Terrain.MUD_TERRAIN}),
}


@dataclass(frozen=True)
class Filters:
    """What the customer asked for beyond the size (every field optional)."""

    brand: str | None = None
    line: str | None = None
    terrain: TerrainPreference | None = None
    run_flat: bool | None = None
    light_truck: bool | None = None
    max_unit_price_pesos: int | None = None


@dataclass
class Pricing:
    """Prices for one customer: their discount applies to every option."""

    discount_bp: int = 0
    customer_kind: str = "retail"

    def unit(self, product: ProductPublic) -> int:
        """What one tire costs this customer, IVA included."""
        return unit_total_cents(product.price.net_cents, self.discount_bp)


@dataclass
class Filtered:
    """Products left after the filters, and the filters that matched nothing (relaxed)."""

    products: list[ProductPublic]
    unmatched: list[str] = field(default_factory=list)


def _checks(f: Filters, pricing: Pricing) -> list[tuple[str, Callable[[ProductPublic], bool]]]:
    """One predicate per given filter, in the order they are relaxed when together they match
    nothing (price first: a budget bends before a brand, a brand before the tire's use)."""
    checks: list[tuple[str, Callable[[ProductPublic], bool]]] = []
    if f.max_unit_price_pesos is not None:
        cap = f.max_unit_price_pesos * 100
        checks.append(("max_unit_price_pesos", lambda p: pricing.unit(p) <= cap))
    if f.line:
        line = fold(f.line)
        checks.append(("line", lambda p: line in fold(p.line)))
    if f.brand:
        brand = fold(f.brand)
        checks.append(("brand", lambda p: fold(p.brand) == brand))
    if f.run_flat is not None:
        run_flat = f.run_flat
        checks.append(("run_flat", lambda p: p.run_flat == run_flat))
    if f.light_truck is not None:
        light_truck = f.light_truck
        checks.append(("light_truck", lambda p: is_light_truck(p.size) == light_truck))
    if f.terrain is not None:
        wanted = TERRAINS[f.terrain]
        checks.append(("terrain", lambda p: p.terrain in wanted))
    return checks


def apply_filters(products: list[ProductPublic], f: Filters, pricing: Pricing) -> Filtered:
    """Keep the products every filter accepts. A filter that alone matches nothing in the size
    is relaxed and named; if the rest still match nothing together, they are relaxed in order
    until something is left."""
    checks = _checks(f, pricing)
    unmatched = [name for name, ok in checks if not any(ok(p) for p in products)]
    active = [(name, ok) for name, ok in checks if name not in unmatched]
    while active:
        kept = [p for p in products if all(ok(p) for _, ok in active)]
        if kept:
            return Filtered(kept, unmatched)
        unmatched.append(active.pop(0)[0])
    return Filtered(list(products), unmatched)


def same_construction(products: list[ProductPublic], size: str) -> list[ProductPublic]:
    """A passenger size never gets C (van) tires: they are a different product. LT tires of the
    same dimensions stay (a pickup's AT in LT265/70R17 fits a 265/70R17)."""
    wanted = parse_tire_size(size)
    if wanted.commercial:
        return products
    return [p for p in products if not parse_tire_size(p.size).commercial]


def _enough(product: ProductPublic, quantity: int) -> bool:
    return any(s.available >= quantity for s in product.stock)


def choose(
    products: list[ProductPublic], quantity: int, pricing: Pricing
) -> list[tuple[OptionKey, ProductPublic]]:
    """Recommended (a top brand's premium or mid tire), economical (the cheapest) and premium
    (the dearest premium above the recommended), among products with the quantity at one branch
    (or, when none has it, those with any stock)."""
    stocked = [p for p in products if p.available >= 1]
    pool = [p for p in stocked if _enough(p, quantity)] or stocked
    if not pool:
        return []
    by_price = sorted(pool, key=lambda p: (pricing.unit(p), p.sku))
    top = [p for p in by_price if p.brand in TOP_BRANDS and p.tier in (Tier.PREMIUM, Tier.MID)]
    recommended = next((p for p in top if p.tier == Tier.PREMIUM), top[0] if top else by_price[-1])
    chosen: list[tuple[OptionKey, ProductPublic]] = [(OptionKey.RECOMMENDED, recommended)]
    if by_price[0].sku != recommended.sku:
        chosen.append((OptionKey.ECONOMICAL, by_price[0]))
    premium = [p for p in by_price if p.tier == Tier.PREMIUM and p.sku != recommended.sku]
    if premium and pricing.unit(premium[-1]) > pricing.unit(recommended):
        chosen.append((OptionKey.PREMIUM, premium[-1]))
    return chosen


def option(
    key: OptionKey,
    product: ProductPublic,
    quantity: int,
    pricing: Pricing,
    branch_hint: str | None,
) -> TireOption:
    """One option as the customer sees it: their price, and where the quantity is (their
    branch first; otherwise the branch with the most units, and the truth about how many)."""
    stock = sorted(product.stock, key=lambda s: (s.branch_code != branch_hint, -s.available))
    best = next((s for s in stock if s.available >= quantity), None)
    if best is None:
        best = max(product.stock, key=lambda s: s.available, default=None)
    unit = pricing.unit(product)
    return TireOption(
        key=key,
        sku=product.sku,
        brand=product.brand,
        line=product.line,
        size=product.size,
        tier=product.tier.value,
        terrain=product.terrain.value,
        run_flat=product.run_flat,
        light_truck=is_light_truck(product.size),
        load_index=product.load_index,
        speed_rating=product.speed_rating,
        unit_price_cents=unit,
        list_unit_price_cents=product.price.total_cents,
        total_cents=unit * quantity,
        warranty_km=product.warranty_km,
        warranty_months=product.warranty_months,
        branch=best.branch_code if best else None,
        available_at_branch=best.available if best else 0,
        stock_by_branch={s.branch_code: s.available for s in product.stock},
    )


def record_offers(tx: ToolTx, result: TireOptions) -> None:
    """What the search established goes into the dialogue slots."""
    slots = tx.dialogue.slots
    slots.size = result.size
    slots.quantity = result.quantity
    slots.brand = result.brand
    slots.terrain = result.terrain
    slots.run_flat = result.run_flat
    slots.light_truck = result.light_truck
    slots.max_unit_price_pesos = result.max_unit_price_pesos
    if result.branch_code:
        slots.branch = result.branch_code
    slots.offers = [
        Offer(
            key=o.key,
            sku=o.sku,
            brand=o.brand,
            line=o.line,
            size=o.size,
            unit_price_cents=o.unit_price_cents,
        )
        for o in result.options
    ]


def quantity_or_default(tx: ToolTx, given: int | None) -> int:
    """The quantity asked for, else the one the conversation has, else a set of four."""
    return given or tx.dialogue.slots.quantity or DEFAULT_QUANTITY
