"""The tools' Spanish (es-MX) messages in one place: what a customer reads when a tool says no.

Short and natural, like a salesperson on WhatsApp; every number comes from the caller.
"""

from __future__ import annotations

from domain.pricing import format_mxn

STATUS_ES = {
    "quote": "cotización",
    "reserved": "apartado",
    "paid": "con anticipo pagado",
    "ready_for_pickup": "listo para recoger",
    "out_for_delivery": "en camino",
    "delivered": "entregado",
    "cancelled": "cancelado",
    "returned": "devuelto",
}

NO_ORDER_FOUND = (
    "No encontré ese pedido a tu nombre 🙏 Por seguridad solo doy información de los pedidos de "
    "este número: si es de alguien más, que nos escriba desde su WhatsApp. Si es tuyo, ¿me "
    "confirmas el folio? (p. ej. TL-000123)"
)
NO_ORDERS = "No encuentro pedidos a tu nombre todavía."
NEED_IDENTITY = (
    "Para ver tus pedidos escríbenos desde el WhatsApp con el que compraste, o pásame el folio."
)
STAFF_NEEDS_FOLIO = "Dime el folio del pedido (p. ej. TL-000123) y lo reviso."
NO_OPEN_RESERVATION = "No tienes un apartado abierto en esta conversación."
NEED_SIZE = "¿Qué medida buscas? Viene en el costado de la llanta, p. ej. 205/55R16."
NEED_SIZE_OR_BRAND = "Dime la medida o la marca que reviso."
NEED_TIRES_FOR_STOCK = "¿Qué llanta quieres que revise? Dime la medida o el modelo."
STORE_UNAVAILABLE = (
    "Ahorita no puedo consultar el sistema de la tienda; dame un momento y lo intento otra vez, "
    "o te paso con un asesor."
)
WHICH_ORDER_FOR_INVOICE = "¿De qué pedido es la factura? Pásame el folio (p. ej. TL-000123)."


def not_for_role(role: str, *, staff_tool: bool) -> str:
    """A tool the speaker's role may not use."""
    if staff_tool:
        return (
            "Eso lo consulta el personal de TopLlantas; con gusto te ayudo con llantas y pedidos."
        )
    if role == "customer":
        return "Eso no lo puedo hacer desde aquí; te paso con un asesor si quieres."
    return "Esa acción es para clientes (apartados, pagos y facturas desde su propio chat)."


def no_fitment(vehicle: str) -> str:
    """A vehicle the fitment table does not know."""
    return (
        f"No tengo la medida original de {vehicle}. ¿Me pasas la medida que viene en el costado "
        "de la llanta? (p. ej. 205/55R16)"
    )


def bad_size(text: str) -> str:
    """A size that is not a tire size."""
    return f"'{text}' no parece una medida de llanta; se escribe como 205/55R16."


def unknown_product(sku: str) -> str:
    """A SKU we do not sell."""
    return f"No encontré la llanta {sku}; ¿me dices cuál de las opciones quieres?"


def unknown_branch(text: str, names: list[str]) -> str:
    """A branch we do not have."""
    return f"No tenemos sucursal en {text}; estamos en {', '.join(names)}."


def not_enough_units(quantity: int, product: str, most: int) -> str:
    """No branch has the quantity together."""
    if most <= 0:
        return f"Ya no tengo {product} en existencia; ¿te muestro otra opción?"
    return (
        f"No tengo {quantity} piezas de {product} juntas en una sucursal (máximo {most}); "
        "¿aparto esas o te muestro otra opción?"
    )


def units_taken(quantity: int, product: str, branch: str) -> str:
    """Someone took the units between the quote and the reservation."""
    return (
        f"Se acaban de apartar las últimas piezas: ya no me alcanzan {quantity} de {product} en "
        f"{branch}. ¿Te muestro otra opción u otra sucursal?"
    )


def credit_exceeded(total_cents: int, available_cents: int, limit_cents: int) -> str:
    """A dealer's or fleet's order beyond its credit line."""
    return (
        f"Este pedido ({format_mxn(total_cents)}) rebasa tu crédito disponible de "
        f"{format_mxn(available_cents)} (línea de {format_mxn(limit_cents)}). Puedo apartar "
        "menos piezas o te paso con tu asesor para revisar tu línea."
    )


def not_reserved(folio: str, status: str) -> str:
    """A reservation that can no longer change."""
    return f"Tu pedido {folio} ya está {STATUS_ES.get(status, status)}; ese ya no lo puedo cambiar."


def hold_expired(folio: str) -> str:
    """A reservation whose hold ran out."""
    return f"El apartado {folio} ya venció. ¿Quieres que te las vuelva a apartar?"


def cannot_cancel(folio: str, status: str) -> str:
    """An order that is past the point a chat can cancel it."""
    if status == "cancelled":
        return f"El pedido {folio} ya estaba cancelado."
    if status in ("delivered", "returned"):
        return (
            f"El pedido {folio} ya fue {STATUS_ES[status]}; para una devolución te paso con un "
            "asesor."
        )
    return (
        f"Tu pedido {folio} ya está {STATUS_ES.get(status, status)}, así que la cancelación la "
        "ve un asesor. ¿Te comunico con uno?"
    )


def which_order(folios: list[str]) -> str:
    """Several orders could be the one meant."""
    return f"Tienes varios pedidos activos ({', '.join(folios)}); ¿de cuál me hablas?"


def fully_paid(folio: str) -> str:
    """Nothing is due."""
    return f"Tu pedido {folio} ya está pagado por completo; no hay nada pendiente."


def nothing_to_pay(folio: str, status: str) -> str:
    """An order that takes no payment (cancelled, a quote)."""
    return f"El pedido {folio} está {STATUS_ES.get(status, status)}; no tiene pagos pendientes."


def fulfillment_locked(folio: str, status: str) -> str:
    """The tires already left, or the order is closed."""
    return (
        f"Tu pedido {folio} ya está {STATUS_ES.get(status, status)}; para cambiar la entrega te "
        "paso con un asesor."
    )


def day_in_the_past(day_text: str) -> str:
    """A visit day that already passed."""
    return f"El {day_text} ya pasó; ¿qué otro día te acomoda?"


WINDOW_OVER = "Ese horario de hoy ya pasó; ¿te acomoda en la tarde o mañana?"


def invoice_refused(reason: str) -> str:
    """CFDI receiver data the SAT would reject."""
    return f"No pude registrar los datos de tu factura: {reason}."


def invoice_locked(folio: str, status: str) -> str:
    """An order that takes no invoice (cancelled) or whose invoice was already issued."""
    if status in ("cancelled", "quote"):
        return f"El pedido {folio} está {STATUS_ES[status]}, así que no se puede facturar."
    return f"La factura del pedido {folio} ya se emitió; para cambiarla te paso con un asesor."


def too_many_units(max_units: int) -> str:
    """More tires than an anonymous chat may hold."""
    return (
        f"Por este chat puedo apartarte hasta {max_units} llantas. Si necesitas más, escríbenos "
        "por WhatsApp o te paso con un asesor para armar tu pedido."
    )


def too_many_holds(hold_hours: int) -> str:
    """The IP already has its unpaid anonymous holds."""
    return (
        "Desde esta conexión ya hay varios apartados sin anticipo. Paga el anticipo de alguno o "
        f"espera a que venzan (duran {hold_hours} horas) y con gusto te aparto estas. También "
        "te puedo pasar con un asesor."
    )
