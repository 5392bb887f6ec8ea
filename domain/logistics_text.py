"""Spanish (es-MX) delivery messages: out for delivery, delayed, delivered, survey, dispatch."""

from __future__ import annotations

from datetime import datetime

from domain.clock import to_mexico
from domain.spanish import clock_12h

SURVEY_KIND = "delivery_survey"
KINDS = {
    "out": "delivery_on_the_way",
    "delayed": "delivery_delayed",
    "delivered": "delivery_delivered",
    "failed": "delivery_failed",
    "survey": SURVEY_KIND,
    "dispatch": "dispatch_alert",
    "moved": "delivery_rescheduled",
    "changed": "delivery_changed",
}
STATUS_TEXT = {
    "scheduled": "Programado",
    "out_for_delivery": "En camino",
    "delivered": "Entregado",
    "failed": "No entregado",
    "cancelled": "Cancelado",
}


def first_name(name: str | None) -> str:
    parts = (name or "").split()
    return parts[0] if parts else ""


def _addressee(name: str | None) -> str:
    """How a notice greets the customer: the first name, or "cliente" without one."""
    return first_name(name) or "cliente"


def window_text(start: datetime, end: datetime) -> str:
    """``1:55 PM – 2:35 PM`` in Mexico City time."""
    return f"{clock_12h(to_mexico(start))} – {clock_12h(to_mexico(end))}"


def out_for_delivery(
    name: str, folio: str, departed: datetime, eta: datetime, window: tuple[datetime, datetime],
    driver: str, url: str,
) -> str:  # fmt: skip
    return (
        f"¡Hola, {_addressee(name)}! Tu pedido #{folio} salió del almacén a las "
        f"{clock_12h(to_mexico(departed))} 🚚\n"
        f"Llegada estimada: {clock_12h(to_mexico(eta))} (entre {window_text(*window)})\n"
        f"Conductor: {first_name(driver) or 'nuestro equipo'}\n"
        f"Sigue tu entrega: {url}\n"
        "¿Necesitas reprogramar? Responde CAMBIAR HORA"
    )


def delayed(name: str, folio: str, window: tuple[datetime, datetime], url: str) -> str:
    return (
        f"Hola, {_addressee(name)}. Tu pedido #{folio} viene con retraso 🙏. "
        f"Nueva llegada estimada: entre {window_text(*window)}.\n"
        f"Sigue tu entrega: {url}\n¿Necesitas reprogramar? Responde CAMBIAR HORA"
    )


def delivered(name: str, folio: str, recipient: str) -> str:
    return (
        f"¡Listo, {_addressee(name)}! Entregamos tu pedido #{folio}"
        f"{f' (recibió {recipient})' if recipient else ''}. Gracias por comprar en TopLlantas."
    )


def failed(name: str, folio: str) -> str:
    return (
        f"Hola, {_addressee(name)}. No pudimos entregar tu pedido #{folio} hoy. "
        "Responde a este mensaje y lo reprogramamos."
    )


def survey(folio: str, driver: str) -> str:
    return (
        f"¿Cómo calificas la entrega de tu pedido #{folio} con {first_name(driver) or 'nosotros'}? "
        "Responde con un número del 1 (mala) al 5 (excelente) y, si quieres, un comentario."
    )


def dispatch_alert(folio: str, minutes: int, driver: str, window: tuple[datetime, datetime]) -> str:
    return (
        f"Alerta de despacho: el pedido #{folio} (conductor {first_name(driver) or '-'}) llegaría "
        f"{minutes} min tarde; nueva ventana {window_text(*window)}."
    )


def rescheduled(name: str, folio: str, when: str, url: str) -> str:
    return (
        f"Hola, {_addressee(name)}. Movimos la entrega de tu pedido #{folio} al "
        f"{when} ✅\nSigue tu entrega: {url}"
    )


def to_pickup(name: str, folio: str, branch: str, address: str) -> str:
    return (
        f"Hola, {_addressee(name)}. Cancelamos la entrega a domicilio de tu pedido "
        f"#{folio}: lo recoges en la sucursal {branch} ({address})."
    )


def address_changed(name: str, folio: str, address: str, url: str) -> str:
    return (
        f"Hola, {_addressee(name)}. Actualizamos la dirección de entrega de tu "
        f"pedido #{folio}: {address}.\nSigue tu entrega: {url}"
    )


# Why a delivery cannot change (tools read these; customers see them as they are).
ALREADY_LEFT = (
    "Tu pedido #{folio} ya salió en la camioneta 🚚, así que ya no puedo moverlo desde aquí. "
    "Si no vas a estar, dime y aviso al conductor y a logística para reprogramarlo."
)
DONE_ALREADY = "Tu pedido #{folio} ya está {status}; ya no hay entrega que mover."
NO_DELIVERY = (
    "Tu pedido #{folio} es para recoger en sucursal, no tiene entrega a domicilio. Si quieres "
    "que te lo llevemos, pásame la dirección y el día."
)
WINDOW_FULL = (
    "Ese horario ya no lo podemos cubrir con las camionetas de ese día. Te puedo ofrecer: {offers}"
)
NO_WINDOWS = "Ese día ya no tenemos espacio para entregas; ¿te sirve otro día?"
UNKNOWN_ZONE = (
    "No ubico esa dirección en nuestra zona de entrega 🙏 ¿Me das la colonia y la ciudad? "
    "(p. ej. Calle Durango 120, Col. Roma Norte, CDMX)"
)
OUT_OF_AREA = (
    "Esa dirección queda a {km} km de la sucursal, fuera de nuestra zona de entrega (hasta 25 km). "
    "Puedes recogerlo en la sucursal sin costo."
)
OTHER_BRANCH = (
    "Tus llantas están en la sucursal {branch}; ahí las puedes recoger. Cambiarlas de sucursal lo "
    "ve un asesor."
)
NO_SURVEY = "No tengo una encuesta de entrega pendiente a tu nombre."
