"""Product specification sheets, written at ingest time from the store's catalogue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from adapters.erp.base import ErpClient
from domain.catalog import ProductFilter, ProductPublic
from domain.enums import Terrain, VehicleType
from domain.pricing import format_mxn
from knowledge_base.documents import Document, slugify

SOURCE = "catalog"
_TERRAIN = {
    Terrain.HIGHWAY: "carretera y ciudad (H/T), rodada cómoda y silenciosa",
    Terrain.ALL_SEASON: "todo clima (A/S), buen agarre en seco y en mojado todo el año",
    Terrain.PERFORMANCE: "alto desempeño, agarre en curvas y frenado a alta velocidad",
    Terrain.ALL_TERRAIN: "todo terreno (A/T): carretera y terracería, brecha y grava",
    Terrain.MUD_TERRAIN: "lodo (M/T): uso rudo fuera del camino, lodo y piedra",
}
_VEHICLE = {
    VehicleType.AUTO: "autos (sedán, hatchback, compactos)",
    VehicleType.SUV: "SUV y crossovers",
    VehicleType.CAMIONETA: "camionetas y pickups",
    VehicleType.COMERCIAL: "vans y vehículos de carga ligera (reparto)",
}
_SPEED_KMH = {"L": 120, "M": 130, "N": 140, "P": 150, "Q": 160, "R": 170, "S": 180, "T": 190,
              "U": 200, "H": 210, "V": 240, "W": 270, "Y": 300}  # fmt: skip


def _warranty(months: int, km: int) -> str:
    years = f"{months // 12} años" if months % 12 == 0 else f"{months} meses"
    text = f"{years} ({months} meses) contra defectos de fabricación"
    return text + (
        f"; garantía de kilometraje de {km:,} km" if km else "; sin garantía de kilometraje"
    )


def _speed(rating: str) -> str:
    kmh = _SPEED_KMH.get(rating)
    return f"{rating} (hasta {kmh} km/h)" if kmh else rating


def product_sheets(products: Iterable[ProductPublic]) -> list[Document]:
    """One sheet per line (brand + line) and one warranty summary per brand."""
    lines: dict[tuple[str, str], list[ProductPublic]] = defaultdict(list)
    for product in products:
        if product.active:
            lines[(product.brand, product.line)].append(product)
    docs = [_line_sheet(brand, line, items) for (brand, line), items in sorted(lines.items())]
    brands: dict[str, list[list[ProductPublic]]] = defaultdict(list)
    for (brand, _), items in sorted(lines.items()):
        brands[brand].append(items)
    docs += [_brand_warranty(brand, groups) for brand, groups in sorted(brands.items())]
    return docs


def _line_sheet(brand: str, line: str, items: list[ProductPublic]) -> Document:
    first = items[0]
    loads = sorted({p.load_index for p in items})
    speeds = sorted({p.speed_rating for p in items}, key=lambda r: _SPEED_KMH.get(r, 0))
    in_stock = sorted({p.size for p in items if p.available > 0})
    rims = sorted({p.size.rsplit("R", 1)[-1].rstrip("C") for p in items})
    cheapest = min(p.price.total_cents for p in items)
    run_flat = (
        "Sí: run-flat, rueda hasta 80 km a 80 km/h sin aire; requiere sensores TPMS."
        if first.run_flat
        else "No es run-flat."
    )
    stock = (
        ", ".join(in_stock)
        if in_stock
        else "ninguna en este momento (se puede pedir a otra sucursal o al proveedor)"
    )
    body = (
        f"Ficha técnica de la llanta {brand} {line}.\n\n"
        f"- Uso: {_VEHICLE[first.vehicle_type]}.\n"
        f"- Terreno: {_TERRAIN[first.terrain]}.\n"
        f"- Garantía {brand}: {_warranty(first.warranty_months, first.warranty_km)}.\n"
        f"- Índice de carga: {loads[0]} a {loads[-1]}; índice de velocidad: "
        f"{', '.join(_speed(s) for s in speeds)}.\n"
        f"- Run-flat: {run_flat}\n"
        f"- Rines: {', '.join(rims)}; {len(items)} medidas en catálogo, desde "
        f"{format_mxn(cheapest)} con IVA por llanta.\n"
        f"- Medidas en existencia: {stock}.\n"
    )
    return Document(
        id=f"ficha-{slugify(brand)}-{slugify(line)}",
        title=f"Ficha {brand} {line}",
        topic="ficha",
        body=body,
        source=SOURCE,
        product_lines=(f"{brand} {line}",),
        vehicle_types=(first.vehicle_type.value,),
    )


def _brand_warranty(brand: str, groups: list[list[ProductPublic]]) -> Document:
    months = sorted({g[0].warranty_months for g in groups})
    mileage = [f"{g[0].line} {g[0].warranty_km:,} km" for g in groups if g[0].warranty_km]
    body = (
        f"Garantía de las llantas {brand} que vende TopLlantas.\n\n"
        f"- Defectos de fabricación: {' o '.join(str(m) for m in months)} meses a partir de la "
        f"fecha de compra (con el ticket o folio); sin ticket cuenta la fecha DOT de fabricación.\n"
        f"- Garantía de kilometraje (desgaste parejo antes de tiempo, con rotaciones cada "
        f"10,000 km comprobables): "
        f"{', '.join(mileage) if mileage else f'ninguna línea {brand} la tiene'}.\n"
        f"- La reposición es proporcional a la vida que le queda a la llanta (prorrateo por "
        f"milímetros de piso) y la dictamina el técnico de {brand} o de TopLlantas.\n"
        f"- Líneas {brand}: {', '.join(g[0].line for g in groups)}.\n"
    )
    return Document(
        id=f"garantia-{slugify(brand)}",
        title=f"Garantía {brand}",
        topic="garantia",
        body=body,
        source=SOURCE,
        product_lines=tuple(f"{brand} {g[0].line}" for g in groups),
    )


def catalog_from_erp(erp: ErpClient, *, page: int = 100) -> Callable[[], list[ProductPublic]]:
    """Reads every active product (with its stock) from the store of record, page by page."""

    def products() -> list[ProductPublic]:
        items: list[ProductPublic] = []
        while True:
            got = erp.search_products(ProductFilter(), limit=page, offset=len(items), sort="brand")
            items += got.items
            if not got.items or len(items) >= got.total:
                return items

    return products
