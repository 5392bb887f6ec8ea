"""Spanish (es-MX) replies of the offline model. Every number comes from a tool result."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.pricing import format_mxn

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
BRANCH_NAMES = {"CDMX": "CDMX", "GDL": "Guadalajara", "MTY": "Monterrey"}

GREETING = (
    "¡Hola! 👋 Soy el asistente de TopLlantas. ¿Para qué auto buscas llantas? Dime marca, modelo "
    "y año, o la medida que viene en el costado de tu llanta (ej. 205/55R16)."
)
THANKS = "¡Con gusto! Aquí estoy para lo que necesites de tus llantas 🚗"
GOODBYE = "¡Gracias por escribirnos! Que tengas buen camino 🚗"
SMALL_TALK = (
    "¡Todo bien por aquí, gracias! Soy el asistente virtual de TopLlantas. ¿Te ayudo a encontrar "
    "llantas para tu auto?"
)
OUT_OF_SCOPE = (
    "Uy, con eso no te puedo ayudar 🙏 Lo mío son las llantas: cotizaciones, apartados, pedidos y "
    "garantías. ¿Buscas llantas para algún auto?"
)
INJECTION = (
    "Eso no lo puedo hacer 🙏 Solo te ayudo con llantas y con tus propios pedidos. ¿Buscas "
    "llantas para tu auto?"
)
ABUSE = (
    "Entiendo que algo te molestó y quiero ayudarte. Cuéntame qué pasó con tu pedido o tus "
    "llantas y lo resolvemos, o si prefieres te paso con un asesor."
)
ASK_AGAIN = "Perdón, no te entendí bien. ¿Me lo explicas con otras palabras?"
ASK_VEHICLE = (
    "¡Claro! ¿Para qué auto y de qué año son? Si prefieres, pásame la medida que viene en el "
    "costado de la llanta (ej. 205/55R16)."
)
INTERNAL_ONLY = (
    "Esa información es interna del equipo de TopLlantas. ¿Te ayudo con llantas para tu auto?"
)


ASK_AGAIN_SALES = (
    "¿Te ayudo con algo más? Puedo cotizarte otras llantas, darte el estado de tu pedido o "
    "pasarte con un asesor."
)


def pickup_confirmation(result: dict[str, Any]) -> str:
    """The customer will come to the shop."""
    branch = result["branch"]
    return (
        f"¡Perfecto! Te esperamos en {branch['name']}, {branch['address'].rstrip('.')}. "
        f"Al llegar menciona tu folio {result['folio']} y te las instalamos 🔧"
    )


NOT_FREE = (
    "Las llantas no las puedo regalar 😅 pero la instalación sí es GRATIS con tu compra. ¿Te cotizo "
    "unas para tu auto?"
)


def customer_terms(result: dict[str, Any]) -> str:
    """The identified customer's commercial terms."""
    if not result.get("identified"):
        return (
            "Los descuentos de distribuidor y flotilla se aplican a clientes registrados. Escríbenos "
            "desde el WhatsApp de tu cuenta o te paso con un asesor para darte de alta."
        )
    discount = int(result["discount_bp"])
    if not discount:
        return "Tu cuenta tiene precio de lista, sin descuento especial. Si compras por volumen, te paso con un asesor 🙂"
    pct = f"{discount / 100:g}%"
    line = f"Como {result['kind_es']} tienes {pct} de descuento sobre precio de lista, aplicado en tus cotizaciones."
    if result.get("credit_limit_cents"):
        line += f" Tu línea de crédito es de {format_mxn(int(result['credit_limit_cents']))}."
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


def _warranty(option: dict[str, Any]) -> str:
    months, km = option.get("warranty_months") or 0, option.get("warranty_km") or 0
    parts = []
    if months:
        parts.append(f"{months // 12} años" if months % 12 == 0 else f"{months} meses")
    if km:
        parts.append(f"{km:,} km".replace(",", ","))
    return "Garantía " + " o ".join(parts) if parts else "Garantía de fábrica"


def _option_block(title: str, option: dict[str, Any], quantity: int) -> str:
    return (
        f"{title}\n{option['brand']} {option['line']}\n"
        f"Precio: {format_mxn(option['unit_price_cents'])} c/u\n"
        f"Total {quantity} llanta{'s' if quantity != 1 else ''}: {format_mxn(option['total_cents'])}\n"
        f"✅ Instalación GRATIS\n✅ {_warranty(option)}"
    )


def options(result: dict[str, Any], *, greet: bool, deposit_cents: int | None) -> str:
    """The recommended / economical / premium options for a vehicle or size."""
    groups = result.get("options") or {}
    vehicle = result.get("vehicle")
    size = result["size"]
    quantity = int(result.get("quantity") or 4)
    subject = f"tu {vehicle['model']} {vehicle['year']}" if vehicle else f"la medida {size}"
    if not groups:
        brand = f" {result['brand']}" if result.get("brand") else ""
        return (
            f"Por ahora no tengo llantas{brand} en {size} con existencia 😕 ¿Te cotizo otra marca o "
            "te aviso en cuanto lleguen?"
        )
    lines = [
        ("¡Hola! Con gusto te ayudo. " if greet else "") + f"Para {subject} tengo estas opciones:"
    ]
    if vehicle:
        lines.append(f"Medida: {size}")
    titles = {
        "recommended": "🏆 RECOMENDADA",
        "economical": "💰 OPCIÓN ECONÓMICA",
        "premium": "⭐ PREMIUM",
    }
    for key in ("recommended", "economical", "premium"):
        if key in groups:
            lines.append(_option_block(titles[key], groups[key], quantity))
    others = result.get("other_sizes") or []
    if others:
        alt = others[0]
        trim = f" ({alt['trim']})" if alt.get("trim") else ""
        lines.append(f"Si tu versión{trim} usa {alt['size']}, dime y te cotizo esa medida.")
    offer = "¿Te interesa alguna?"
    if deposit_cents:
        offer += f" Puedo apartarte las llantas con {format_mxn(deposit_cents)} de anticipo 😊"
    lines.append(offer)
    return "\n\n".join(lines)


def quote(result: dict[str, Any], *, deposit_cents: int | None) -> str:
    """A quote for one product and quantity."""
    quantity = result["quantity"]
    lines = [
        f"Te cotizo {quantity} {result['description']}:",
        f"Precio: {format_mxn(result['unit_price_cents'])} c/u (IVA incluido)",
    ]
    if result.get("discount_cents"):
        lines.append(f"Tu descuento: -{format_mxn(result['discount_cents'])}")
    lines.append(f"Total: {format_mxn(result['total_cents'])} con instalación GRATIS")
    complements = ", ".join(
        f"{c['name'].lower()} {format_mxn(c['price_cents'])} por {c['unit']}"
        for c in result["complements"][:3]
    )
    if complements:
        lines.append(f"Te recomiendo agregar: {complements}.")
    msi = result.get("msi") or []
    if msi:
        best = msi[-1]
        lines.append(
            f"💳 Hasta {best['months']} meses sin intereses de {format_mxn(best['monthly_cents'])}."
        )
    valid = date.fromisoformat(result["valid_until"])
    lines.append(f"Precio válido hasta el {valid.day} de {MONTHS[valid.month - 1]}.")
    ask = "¿Te las aparto"
    ask += f" con {format_mxn(deposit_cents)} de anticipo?" if deposit_cents else "?"
    lines.append(ask)
    return "\n".join(lines)


def _day(value: str | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value[:10])
    return f"{WEEKDAYS[day.weekday()]} {day.day} de {MONTHS[day.month - 1]}"


def reservation(result: dict[str, Any]) -> str:
    """The reservation made: folio, branch, hold, payment link, and the installation question."""
    branch = result["branch"]
    held = datetime.fromisoformat(result["held_until"]) if result.get("held_until") else None
    lines = [
        f"¡Perfecto! Sí tengo stock en {branch['name']} ({BRANCH_NAMES.get(branch['code'], branch['code'])}).",
        f"Te aparté {result['quantity']} {result['description']}. Folio: {result['folio']}",
        f"Total: {format_mxn(result['total_cents'])}",
    ]
    if result.get("pickup_date"):
        lines.append(
            f"Te esperamos el {_day(result['pickup_date'])} en {branch['address'].rstrip('.')}."
        )
    if held is not None:
        lines.append(f"El apartado se mantiene hasta el {_day(held.date().isoformat())}.")
    lines.append(
        f"Te envío el link de pago para confirmar el apartado con {format_mxn(result['deposit_cents'])}:\n"
        f"💳 {result['payment_url']}"
    )
    lines.append("¿Prefieres que vayamos a tu casa o vienes al taller? 🔧")
    return "\n".join(lines)


STATUS_ES = {
    "quote": "cotización",
    "reserved": "apartado (pendiente de pago)",
    "paid": "pagado, lo estamos preparando",
    "ready_for_pickup": "listo para recoger",
    "out_for_delivery": "en camino 🚚",
    "delivered": "entregado",
    "cancelled": "cancelado",
    "returned": "devuelto",
}


def order_status(result: dict[str, Any]) -> str:
    """The status of one of the customer's orders."""
    lines = [
        f"Tu pedido {result['folio']} está {STATUS_ES.get(result['status'], result['status'])}."
    ]
    lines.append("Incluye: " + "; ".join(result["items"]) + f". Total {result['total']}.")
    delivery = result.get("delivery")
    if delivery and result["status"] in ("paid", "out_for_delivery", "ready_for_pickup"):
        start = datetime.fromisoformat(delivery["window_start"])
        end = datetime.fromisoformat(delivery["window_end"])
        lines.append(
            f"Entrega programada: {_day(delivery['window_start'])} de {start:%H:%M} a {end:%H:%M}."
        )
    return "\n".join(lines)


def branches(result: dict[str, Any]) -> str:
    """Branch addresses and hours."""
    lines = ["Estas son nuestras sucursales:"]
    for b in result["branches"]:
        hours = b.get("hours") or {}
        lines.append(
            f"📍 {b['name']} ({b['city']}): {b['address']}. "
            f"L-V {hours.get('lun-vie', '')}, sáb {hours.get('sab', '')}, dom {hours.get('dom', '')}."
        )
    return "\n".join(lines)


def services(result: dict[str, Any]) -> str:
    """Shop services and prices."""
    lines = ["Con gusto. Nuestros servicios (IVA incluido):"]
    for s in result["services"]:
        price = (
            "GRATIS con tus llantas"
            if s["price_cents"] == 0
            else f"{format_mxn(s['price_cents'])} por {s['unit']}"
        )
        lines.append(f"• {s['name']}: {price}")
    return "\n".join(lines)


def handoff(result: dict[str, Any]) -> str:
    """The conversation was handed to a person."""
    reason = str(result.get("reason", ""))
    if reason.startswith("Instalación a domicilio"):
        return (
            "¡Va! Ya le pasé tu pedido a nuestro equipo para agendar la instalación a domicilio; "
            "te contactan para confirmar día y hora 🔧"
        )
    if reason.startswith("Garantía"):
        return (
            "Gracias. Ya le pasé tu caso a un técnico con tu folio; te contacta para revisar la "
            "llanta y decirte si aplica la garantía 🔧"
        )
    return (
        "Listo, ya le pasé tu caso a un asesor de TopLlantas con el resumen de nuestra plática. "
        "Te contacta en cuanto esté disponible 🙌"
    )


def stock(result: dict[str, Any]) -> str:
    """Stock by branch for staff."""
    products = result["products"]
    if not products:
        return "No encontré productos con ese criterio."
    lines = [f"Existencias disponibles ({result['total_available']} piezas en total):"]
    for p in products[:8]:
        per_branch = ", ".join(f"{code} {units}" for code, units in p["stock"].items())
        lines.append(f"• {p['product']} ({p['sku']}): {per_branch}")
    if len(products) > 8:
        lines.append(f"…y {len(products) - 8} productos más.")
    return "\n".join(lines)


def low_stock(result: dict[str, Any]) -> str:
    """The low-stock list for staff."""
    lines = [f"Hay {result['total_low']} productos en o bajo su punto de reorden. Los primeros:"]
    for i in result["items"]:
        lines.append(
            f"• {i['product']} en {i['branch']}: {i['available']} disp. (reorden {i['reorder_point']})"
        )
    return "\n".join(lines)


def tool_error(tool: str, message: str) -> str:
    """A failed tool, said kindly; messages written for customers pass through."""
    detail = message.removeprefix("Error:").strip()
    spanish = any(
        word in detail for word in (" no ", "necesito", "encontré", "tienes", "para ", "escríbenos")
    )
    if tool == "create_reservation":
        return (
            "No pude apartarlas en este momento 😕"
            + (f" ({detail})" if spanish else "")
            + " ¿Quieres que revise otra sucursal o te paso con un asesor?"
        )
    if spanish:
        return detail[0].upper() + detail[1:] + "."
    return "No pude consultar eso ahorita 😕 ¿Lo intentamos de nuevo o te paso con un asesor?"
