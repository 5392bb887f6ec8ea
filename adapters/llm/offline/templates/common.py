"""Phrases every agent uses: greetings, refusals, and the questions a task resumes with."""

from __future__ import annotations

import re

from domain.dialogue import Awaiting, DialogueState

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
ANYTHING_ELSE = (
    "¿Te ayudo con algo más? Puedo cotizarte llantas, darte el estado de tu pedido o pasarte con "
    "un asesor."
)
NOT_FREE = (
    "Las llantas no las puedo regalar 😅 pero la instalación sí es GRATIS con tu compra. ¿Te cotizo "
    "unas para tu auto?"
)
STAFF_HELLO = (
    "¡Hola! ¿Qué necesitas revisar? Puedo darte existencias por medida, marca y sucursal, "
    "faltantes, lo que más y menos se vende, y quién pidió hablar con un asesor."
)


def small_talk(kind: str, *, staff: bool = False) -> str:
    """A greeting, thanks, goodbye or chit-chat answer."""
    if kind == "greeting":
        return STAFF_HELLO if staff else GREETING
    return {"thanks": THANKS, "goodbye": GOODBYE}.get(kind, SMALL_TALK)


def resume_question(state: DialogueState, *, model: str | None = None) -> str | None:
    """The question the task was waiting on, asked again after a digression."""
    slots = state.slots
    questions = {
        Awaiting.YEAR: f"¿De qué año es tu {model or slots.vehicle.model or 'auto'}?",
        Awaiting.TRIM: "¿Qué versión es tu auto?",
        Awaiting.VEHICLE: "¿Para qué auto y año son las llantas, o qué medida traen?",
        Awaiting.QUANTITY: "¿Cuántas llantas necesitas?",
        Awaiting.OPTION: "¿Cuál te late más?",
        Awaiting.RESERVE_CONFIRM: "¿Te las aparto?",
        Awaiting.CHANGE_CONFIRM: "¿Hago el cambio en tu apartado?",
        Awaiting.CANCEL_CONFIRM: "¿Cancelo tu apartado?",
        Awaiting.INSTALL_CHOICE: "Por cierto, ¿prefieres que vayamos a tu casa o vienes al taller? 🔧",
        Awaiting.ORDER_CHOICE: "¿De cuál pedido me preguntas? Pásame el folio.",
        Awaiting.HANDOFF_CONFIRM: "¿Te paso con una persona del equipo?",
    }
    if state.awaiting == Awaiting.DELIVERY_DETAILS:
        return ask_delivery_details(state)
    if state.awaiting == Awaiting.INVOICE_DATA:
        return ask_invoice_field(state)
    return questions.get(state.awaiting)


INVOICE_QUESTIONS = {
    "rfc": "¿Me pasas tu RFC?",
    "name": "¿A nombre de quién va la factura? (nombre o razón social, tal como está en tu constancia)",
    "regime": "¿Cuál es tu régimen fiscal? (por ejemplo 612 actividad empresarial, 626 RESICO, 605 sueldos y salarios, 601 personas morales)",
    "use": "¿Qué uso de CFDI le doy? (lo normal es G03 gastos en general)",
    "zip_code": "¿Y el código postal de tu domicilio fiscal?",
}


def ask_invoice_field(state: DialogueState) -> str:
    """The next CFDI receiver field to ask for."""
    missing = state.slots.invoice.missing()
    return INVOICE_QUESTIONS[missing[0]] if missing else "¿Confirmo tus datos de factura?"


def ask_delivery_details(state: DialogueState) -> str:
    """What a home visit still needs: address, day, time window."""
    f = state.slots.fulfillment
    wants = []
    if not f.address:
        wants.append("la dirección (calle, número, colonia y código postal)")
    if not f.day:
        wants.append("qué día te queda")
    if not f.window:
        wants.append("si prefieres mañana o tarde")
    if not wants:
        return "¿Confirmo la visita?"
    listed = wants[0] if len(wants) == 1 else ", ".join(wants[:-1]) + " y " + wants[-1]
    return f"Para agendar la instalación a domicilio pásame {listed} 🏠"


def with_resume(text: str, state: DialogueState) -> str:
    """An answer followed by the pending question, if there is one."""
    question = resume_question(state)
    return f"{text}\n\n{question}" if question and question not in text else text


_HOUR_KEYS = (("lun-vie", "L-V"), ("sab", "sáb"), ("dom", "dom"))
_WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
_WEEKDAY_WORD = re.compile(r"\b(lunes|martes|miercoles|jueves|viernes|sabado|domingo)s?\b")


def hours(opening: dict[str, str]) -> str:
    """``L-V 08:30-19:00, sáb 08:30-15:00, dom cerrado``."""
    return ", ".join(f"{label} {opening[key]}" for key, label in _HOUR_KEYS if opening.get(key))


def day_hours(opening: dict[str, str], weekday: int) -> str | None:
    """What a branch does on a weekday (0 = Monday): "abrimos de 08:30 a 15:00" or "no
    abrimos"; None when the branch's hours do not say."""
    key = "lun-vie" if weekday < 5 else ("sab" if weekday == 5 else "dom")
    value = opening.get(key)
    if not value:
        return None
    span = re.fullmatch(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})", value.strip())
    if span is None:
        return "no abrimos"
    return f"abrimos de {span[1]} a {span[2]}"


def asked_weekday(text: str) -> int | None:
    """The weekday a (normalised) message asks about: "¿el domingo abren?" → 6."""
    match = _WEEKDAY_WORD.search(text)
    return _WEEKDAYS.index(match[1]) if match else None
