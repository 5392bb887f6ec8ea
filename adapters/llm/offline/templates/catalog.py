"""Options, quotes, branch stock, services, branches and dealer terms."""

from __future__ import annotations

from adapters.llm.offline.templates import common as t
from domain.dialogue import OptionKey, TerrainPreference
from domain.pricing import format_mxn
from domain.spanish import day_month
from domain.tool_results import (
    Branches,
    BranchStock,
    CustomerTerms,
    Quote,
    ServicePrices,
    TireOption,
    TireOptions,
)

TITLES = {
    OptionKey.RECOMMENDED: "🏆 RECOMENDADA",
    OptionKey.ECONOMICAL: "💰 OPCIÓN ECONÓMICA",
    OptionKey.PREMIUM: "⭐ PREMIUM",
}
TERRAIN_ES = {
    TerrainPreference.ALL_TERRAIN: "todo terreno (AT)",
    TerrainPreference.MUD_TERRAIN: "para lodo (MT)",
    TerrainPreference.HIGHWAY: "de carretera (HT)",
}
FILTER_ES = {
    "terrain": "de ese tipo de terreno",
    "run_flat": "run flat",
    "light_truck": "de carga (LT)",
    "brand": "de esa marca",
    "max_unit_price_pesos": "en ese presupuesto",
}


def plural(n: int, word: str = "llanta") -> str:
    """``1 llanta``, ``4 llantas``."""
    return f"{n} {word}{'s' if n != 1 else ''}"


def warranty(months: int, km: int) -> str:
    """``Garantía 5 años o 60,000 km``."""
    parts = []
    if months:
        parts.append(f"{months // 12} años" if months % 12 == 0 else f"{months} meses")
    if km:
        parts.append(f"{km:,} km")
    return "Garantía " + " o ".join(parts) if parts else "Garantía de fábrica"


def _option_block(option: TireOption, quantity: int) -> str:
    lines = [TITLES[option.key], f"{option.brand} {option.line}"]
    price = f"Precio: {format_mxn(option.unit_price_cents)} c/u"
    if option.list_unit_price_cents > option.unit_price_cents:
        price += f" (lista {format_mxn(option.list_unit_price_cents)})"
    lines.append(price)
    lines.append(f"Total {plural(quantity)}: {format_mxn(option.total_cents)}")
    extras = []
    if option.run_flat:
        extras.append("run flat")
    if option.light_truck:
        extras.append("de carga (LT)")
    if option.terrain in ("all_terrain", "mud_terrain"):
        extras.append("AT" if option.terrain == "all_terrain" else "MT")
    if extras:
        lines.append("Tipo: " + ", ".join(extras))
    if option.available_at_branch < quantity:
        lines.append(f"⚠️ Hoy tengo {option.available_at_branch} en una sola sucursal")
    lines.append("✅ Instalación GRATIS")
    lines.append(f"✅ {warranty(option.warranty_months, option.warranty_km)}")
    return "\n".join(lines)


def options(result: TireOptions, *, greet: bool = False, rim: int | None = None) -> str:
    """The recommended / economical / premium options for a vehicle or a size."""
    vehicle = result.vehicle
    quantity = result.quantity
    if vehicle is not None:
        name = (
            f"{vehicle.model} {vehicle.trim} {vehicle.year}"
            if vehicle.trim
            else f"{vehicle.model} {vehicle.year}"
        )
        subject = f"tu {name}"
    else:
        subject = f"la medida {result.size}"
    if not result.options:
        what = f" {result.brand}" if result.brand else ""
        return (
            f"Por ahora no tengo llantas{what} en {result.size} con existencia 😕 ¿Te cotizo otra "
            "marca o te aviso en cuanto lleguen?"
        )
    lines = [
        ("¡Hola! Con gusto te ayudo. " if greet else "") + f"Para {subject} tengo estas opciones:"
    ]
    if vehicle is not None:
        lines.append(f"Medida: {result.size}")
    notes = []
    if result.terrain is not None and "terrain" not in result.unmatched_filters:
        notes.append(TERRAIN_ES[result.terrain])
    if result.run_flat and "run_flat" not in result.unmatched_filters:
        notes.append("run flat")
    if result.light_truck and "light_truck" not in result.unmatched_filters:
        notes.append("de carga (LT)")
    if notes:
        lines[0] = lines[0].replace("opciones:", f"opciones {', '.join(notes)}:")
    if result.unmatched_filters:
        missing = ", ".join(FILTER_ES.get(f, f) for f in result.unmatched_filters)
        lines.append(
            f"En {result.size} no tengo {missing} en existencia; te muestro lo más cercano."
        )
    if result.discount_bp:
        lines.append(f"Precios con tu descuento de {result.discount_bp / 100:g}% ya aplicado.")
    lines += [_option_block(o, quantity) for o in result.options]
    same_rim = rim is not None and f"R{rim}" in result.size
    if vehicle is not None and not result.trim_known and result.trims and not same_rim:
        others = [t for t in result.trims if t.size != result.size]
        if others:
            alt = "; ".join(f"{t.trim} usa {t.size}" for t in others[:3])
            lines.append(
                f"Ojo: la medida cambia según la versión ({alt}). Si tu versión es otra, dime cuál y "
                "te cotizo la correcta."
            )
    offer = "¿Te interesa alguna?"
    if result.deposit_cents:
        offer += (
            f" Puedo apartarte las llantas con {format_mxn(result.deposit_cents)} de anticipo 😊"
        )
    lines.append(offer)
    return "\n\n".join(lines)


def quote(result: Quote, *, changing_folio: str | None = None) -> str:
    """A quote for one product and quantity."""
    lines = [
        f"Te cotizo {plural(result.quantity)} {result.description}:",
        f"Precio: {format_mxn(result.unit_price_cents)} c/u (IVA incluido)",
    ]
    if result.discount_cents:
        lines.append(
            f"Tu descuento ({result.discount_bp / 100:g}%): -{format_mxn(result.discount_cents)}"
        )
    lines.append(f"Total: {format_mxn(result.total_cents)} con instalación GRATIS")
    complements = ", ".join(
        f"{c.name.lower()} {format_mxn(c.price_cents)} por {c.unit}" for c in result.complements[:3]
    )
    if complements:
        lines.append(f"Te recomiendo agregar: {complements}.")
    if result.delivery:
        near = result.delivery[0]
        lines.append(
            f"🚚 Envío a domicilio desde {format_mxn(near.price_cents)} "
            f"(hasta {near.up_to_km:g} km de la sucursal), o recoges sin costo."
        )
    if result.msi:
        best = result.msi[-1]
        lines.append(
            f"💳 Hasta {best.months} meses sin intereses de {format_mxn(best.monthly_cents)}."
        )
    lines.append(f"✅ {warranty(result.warranty_months, result.warranty_km)}")
    lines.append(f"Precio válido hasta el {day_month(result.valid_until)}.")
    if changing_folio:
        lines.append(f"¿Cambio tu apartado {changing_folio} a esta opción?")
    else:
        ask = "¿Te las aparto"
        ask += (
            f" con {format_mxn(result.deposit_cents)} de anticipo?" if result.deposit_cents else "?"
        )
        lines.append(ask)
    return "\n".join(lines)


def branch_stock(result: BranchStock) -> str:
    """The offered tires at the branch the customer asked about."""
    where = f"{result.branch_name} ({result.city})"
    enough = [i for i in result.items if i.available >= result.quantity]
    if not result.items or not any(i.available for i in result.items):
        return f"En {where} no tengo esas llantas ahorita 😕"
    lines = [f"En {where} tengo:"]
    for item in result.items:
        lines.append(f"• {item.description}: {plural(item.available, 'pieza')}")
    if not enough:
        lines.append(f"No me alcanzan {result.quantity} de una sola en esa sucursal.")
    return "\n".join(lines)


def services(result: ServicePrices) -> str:
    """Shop services and prices."""
    lines = ["Con gusto. Nuestros servicios (IVA incluido):"]
    for s in result.services:
        price = (
            "GRATIS con tus llantas"
            if s.price_cents == 0
            else f"{format_mxn(s.price_cents)} por {s.unit}"
        )
        lines.append(f"• {s.name}: {price}")
    return "\n".join(lines)


def branches(result: Branches, only: str | None = None, weekday: int | None = None) -> str:
    """Branch addresses and hours (one branch when the customer named it or has an order
    there); a question about one weekday ("¿el domingo abren?") is answered first."""
    chosen = [b for b in result.branches if only is None or b.code == only] or result.branches
    lines = ["Estas son nuestras sucursales:" if len(chosen) > 1 else "Aquí te esperamos:"]
    if weekday is not None and len(chosen) == 1:
        that_day = t.day_hours(chosen[0].hours, weekday)
        if that_day:
            day = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")[
                weekday
            ]
            lines = [f"El {day} {that_day} en {chosen[0].name}."]
    for b in chosen:
        hours = t.hours(b.hours)
        lines.append(f"📍 {b.name} ({b.city}): {b.address}." + (f" {hours}." if hours else ""))
    return "\n".join(lines)


def terms(result: CustomerTerms) -> str:
    """The identified customer's commercial terms."""
    if not result.identified:
        return (
            "Los precios de distribuidor y flotilla son para clientes registrados. Escríbenos desde "
            "el WhatsApp de tu cuenta o te paso con un asesor para darte de alta y cotizarte por "
            "volumen."
        )
    kind = {"dealer": "distribuidor", "fleet": "flotilla"}.get(result.kind, "cliente")
    if not result.discount_bp:
        return (
            "Tu cuenta tiene precio de lista, sin descuento especial. Si compras por volumen, te "
            "paso con un asesor 🙂"
        )
    line = (
        f"Como {kind} tienes {result.discount_bp / 100:g}% de descuento sobre precio de lista, "
        "ya aplicado en tus cotizaciones, y cotizo la cantidad que necesites."
    )
    if result.credit is not None and result.credit.limit_cents:
        line += (
            f" Tu línea de crédito es de {format_mxn(result.credit.limit_cents)}; tienes "
            f"{format_mxn(result.credit.available_cents)} disponibles."
        )
    return line


def ask_year(model: str) -> str:
    """Ask for the missing year."""
    return f"¡Va! ¿De qué año es tu {model}? Así te doy la medida exacta."


def unknown_vehicle(detail: str) -> str:
    """The vehicle is not in the fitment table: ask for the sidewall size."""
    return (
        f"No tengo registrada la medida original de {detail} 🤔 ¿Me pasas la medida que viene en "
        "el costado de tu llanta? Se ve así: 205/55R16."
    )


FIND_SIZE = (
    "Fácil 🙂 La medida viene en el costado (la pared) de tu llanta: son números como "
    "225/60R17 (ancho/perfil, R y el rin). También está en la etiqueta del marco de la puerta "
    "del conductor. Escríbemela y te cotizo la exacta."
)
