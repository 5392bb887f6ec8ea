"""Support answers: care basics, problems, warranty, hand-off to a person."""

from __future__ import annotations

from datetime import date

from domain.appointment_results import AppointmentBooked, AppointmentList, AppointmentSlots
from domain.case_results import CaseRating
from domain.diagnosis import Problem
from domain.pricing import format_mxn, with_iva
from domain.services import SERVICES
from domain.spanish import day_month
from domain.tool_results import Diagnosis, HandoffResult, KbAnswer, ServicePrice, ServicePrices
from domain.warranty_results import WarrantyCheck
from tools.history import PastPurchase

CARE = (
    "Te comparto lo básico 🔧\n"
    "• La presión correcta viene en la etiqueta del marco de la puerta del conductor (o en el "
    "manual); revísala en frío, cada 15 días.\n"
    "• Rota tus llantas en cada servicio de tu auto para que se gasten parejo.\n"
    "• El código DOT termina en 4 dígitos: semana y año de fabricación (ej. 2324 = semana 23 "
    "de 2024)."
)
OFFER_TECHNICIAN = "¿Quieres que un técnico revise tus llantas? Te paso con uno."
OFFER_VISIT = (
    "Pásate a cualquier sucursal sin cita y lo revisamos; ¿o prefieres que un técnico te contacte?"
)
OFFER_NEW_TIRE = (
    "¿Quieres que te cotice una nueva? Dime la medida (viene en el costado) o tu auto y año."
)
TELL_ME_MORE = (
    "Lamento el problema 😟 Cuéntame un poco más: ¿qué notas? (vibra, se jala hacia un lado, "
    "pierde aire, tiene un chipote, se gasta disparejo, hace ruido...) y desde cuándo. Si "
    "prefieres, te paso con un técnico."
)
STOP_MEANWHILE = (
    "⚠️ Mientras la revisan, no la uses en carretera: pon la refacción, porque así puede reventar."
)
HANDOFF_UPDATED = (
    "Anotado ✍️ lo sumé a tu caso para que el técnico lo tenga; te contactan como nos dijiste."
)
_URGENCY = {
    "stop": "⚠️ Por seguridad no la uses en carretera: cámbiala por la refacción y tráela al taller.",
    "soon": "Revísala en los próximos días; mientras, evita velocidad alta.",
}


def _priced(services: list[ServicePrice]) -> str:
    """ "balanceo $149.64 por llanta, alineación $450.08 por vehículo" (free services left out)."""
    return ", ".join(
        f"{s.name.lower()} {format_mxn(s.price_cents)} por {s.unit}"
        for s in services
        if s.price_cents
    )


def diagnosis(result: Diagnosis) -> str:
    """The likely problem, its urgency and the services that fix it, with prices."""
    lines: list[str] = []
    if result.dot is not None:
        d = result.dot
        years = f"{d.age_years} año{'s' if d.age_years != 1 else ''}"
        verdict = (
            "Ya pasa de 6 años: aunque se vea nueva, el hule perdió elasticidad y no te la "
            "recomiendo."
            if d.age_years >= 6
            else "Todavía está en buena edad; revisa que no tenga grietas ni parches."
        )
        lines.append(
            f"Ese código (DOT) dice que se fabricó en la semana {d.week} de {d.year}: tiene unos "
            f"{years} 📅 {verdict}"
        )
    if result.problems:
        first = result.problems[0]
        if result.dot is None or first.code not in ("tire_age", "cracks"):
            lines.append(first.summary)
        if first.urgency in _URGENCY:
            lines.append(_URGENCY[first.urgency])
        if first.checks and result.dot is None:
            lines.append(f"Mientras: {first.checks[0]}.")
    if result.services:
        listed = _priced(result.services)
        if listed:
            lines.append(f"En el taller: {listed} (IVA incluido).")
    return "\n".join(lines)


WARRANTY = (
    "Claro, te ayudo con la garantía. ¿Me compartes el folio de tu compra (ej. TL-000123)? Un "
    "técnico revisa la llanta y te dice si aplica."
)
OKAY = "Va, aquí sigo por si necesitas algo más 🙂"


def still_waiting(result: HandoffResult) -> str:
    """The customer asks about their open case."""
    number = f" {result.case_number}" if result.case_number else ""
    return (
        f"Una disculpa por la espera 🙏 Tu caso{number} sigue abierto y ya le avisé al técnico "
        "que sigues esperando; te contacta en cuanto se libere."
    )


def handoff(result: HandoffResult) -> str:
    """The conversation went to a person."""
    if result.case_number and result.kind == "warranty":
        return (
            f"Gracias. Abrí tu caso {result.case_number} de garantía con un técnico, con tu folio "
            "y el resumen de la plática; te contacta para revisar la llanta y decirte si aplica 🔧"
        )
    if result.case_number:
        return (
            f"Listo, abrí tu caso {result.case_number} con un técnico y el resumen de la plática; "
            "te contacta en cuanto lo revise 🔧"
        )
    if result.kind == "warranty":
        return (
            "Gracias. Ya le pasé tu caso a un técnico con tu folio; te contacta para revisar la "
            "llanta y decirte si aplica la garantía 🔧"
        )
    if result.kind in ("technical", "delivery_issue"):
        return (
            "Listo, ya le pasé tu caso a nuestro equipo con el resumen de la plática; te contactan "
            "en cuanto lo revisen 🙌"
        )
    return (
        "Listo, ya le pasé tu caso a un asesor de TopLlantas con el resumen de nuestra plática. "
        "Te contacta en cuanto esté disponible 🙌"
    )


def tool_error(tool: str, message: str) -> str:
    """A refusal, said kindly (tools write their refusals for customers)."""
    detail = message.strip().rstrip(".")
    if tool in ("create_reservation", "change_reservation"):
        if "WhatsApp" in detail or "asesor" in detail:  # the refusal says what to do instead
            return f"No pude apartarlas 😕 {detail}."
        return f"No pude apartarlas 😕 ({detail}). ¿Quieres que revise otra sucursal u otra opción?"
    if detail:
        end = "" if detail.endswith(("?", "!", ")")) else "."
        return detail[0].upper() + detail[1:] + end
    return "No pude consultar eso ahorita 😕 ¿Lo intentamos de nuevo o te paso con un asesor?"


_MAX_ANSWER = 600


def _shorten(text: str, limit: int = _MAX_ANSWER) -> str:
    """Whole sentences up to about ``limit`` characters (a WhatsApp-sized answer)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + "…"


def kb_answer(answer: KbAnswer) -> str:
    """The knowledge base's best passage, with where it comes from."""
    top = answer.passages[0]
    lines = [_shorten(top.text), f"📘 {top.title}"]
    if top.links:
        lines.append(top.links[0])
    return "\n".join(lines)


NOT_COVERED_NEXT = (
    "Si quieres te cotizo una nueva, o si prefieres que un técnico la vea de todos modos, te "
    "paso con uno."
)


def _date(day: date) -> str:
    return f"{day_month(day)} de {day.year}"


def warranty(check: WarrantyCheck) -> str:
    """The warranty's verdict on the customer's tire: why, under which terms, what to bring."""
    if not check.tires:
        return check.next_step
    tire = check.tires[0]
    opening = {
        "covered": f"Por lo que me cuentas, tu {tire.description} entra en la garantía ✅",
        "needs_inspection": f"Lo de tu {tire.description} lo tiene que dictaminar un técnico 🔧",
        "not_covered": f"Te soy honesto con tu {tire.description}:",
    }[tire.verdict]
    lines = [f"{opening} {tire.reason}"]
    terms = tire.terms
    if terms is not None:
        lines.append(
            f"Garantía {terms.brand}: {terms.months} meses desde el {_date(terms.counted_from)}"
            f" (vence el {_date(terms.expires_on)})."
        )
    if tire.verdict != "not_covered" and check.bring:
        lines.append("Para la revisión trae: " + ", ".join(check.bring) + ".")
    return "\n".join(lines)


def rated(result: CaseRating) -> str:
    """Thanks for the survey's answer."""
    if result.satisfaction >= 4:
        return f"¡Gracias por tu calificación ({result.satisfaction}/5)! Nos da gusto haberte ayudado 🙌"
    return (
        f"Gracias por decirnos ({result.satisfaction}/5). Lo revisa el encargado de la sucursal "
        "para mejorar; si algo quedó pendiente con tu llanta, cuéntame y lo vemos."
    )


ASK_SERVICE = (
    "¡Claro! ¿Para qué servicio es la cita: alineación, balanceo, rotación, instalación o "
    "revisión de garantía? Y dime qué día te queda."
)


def appointment_slots(result: AppointmentSlots, times: list[str]) -> str:
    """The free times of a day, the first few."""
    if result.day is None or not times:
        return (
            f"Uy, no tengo lugar para {result.service_name.lower()} en {result.branch.name} en los "
            "próximos días 😕 ¿Te busco en otra sucursal?"
        )
    note = {
        "closed": "Ese día no abrimos. ",
        "full": "Ese día ya está lleno. ",
        "past": "Esa hora ya pasó. ",
        "too_far": "Todavía no abrimos agenda para ese día. ",
    }.get(result.asked_day_note or "", "")
    shown = ", ".join(times[:4])
    return (
        f"{note}Para {result.service_name.lower()} en {result.branch.name} el {result.day_label} "
        f"tengo: {shown}. ¿Cuál te aparto?"
    )


def appointment_booked(result: AppointmentBooked) -> str:
    """A booking made, moved or cancelled."""
    a = result.appointment
    if result.change == "cancelled":
        return f"Listo, cancelé tu cita {a.number} ({a.service_name.lower()}, {a.label}) 👍"
    if result.change == "moved":
        return f"¡Listo! Moví tu cita {a.number}: ahora es el {a.label} en {a.branch.name}" + (
            f" (antes: {result.previous_label})." if result.previous_label else "."
        )
    return (
        f"¡Listo! Te agendé {a.service_name.lower()} el {a.label} en {a.branch.name}, "
        f"{a.branch.address.rstrip('.')}. Tu cita es la {a.number}; un día antes te mando "
        "recordatorio 🔧"
    )


def appointment_list(result: AppointmentList) -> str:
    """The customer's upcoming appointments."""
    if not result.appointments:
        return "No tienes citas agendadas. ¿Te agendo una?"
    lines = ["Tus citas:"] + [
        f"• {a.number}: {a.service_name.lower()} el {a.label} en {a.branch.name}"
        for a in result.appointments
    ]
    return "\n".join(lines)


_SHOP_PRICE = {"alignment": "alignment", "balancing": "balancing"}


def no_appointment_needed(service: str) -> str:
    """No appointment is needed for a shop service; its price when it has one."""
    price = ""
    for s in SERVICES:
        if s.code == _SHOP_PRICE.get(service) and s.price_cents:
            price = (
                f"El {s.name.lower()} cuesta {format_mxn(with_iva(s.price_cents))} por {s.unit}. "
            )
    return (
        f"{price}No hace falta cita: llega a cualquier sucursal en su horario 🙂 Si prefieres "
        "asegurar tu lugar, te aparto un horario; ¿qué día te queda?"
    )


def prices_for(result: ServicePrices, problems: list[Problem]) -> str:
    """The prices of the services that fix the trouble talked about (all when none applies)."""
    wanted = {code for p in problems for code in p.services}
    shown = [s for s in result.services if s.code in wanted and s.price_cents] or [
        s for s in result.services if s.price_cents
    ]
    listed = _priced(shown)
    return (
        f"Te sale en: {listed} (IVA incluido). No necesitas cita: llega a cualquier sucursal, "
        "o si prefieres te aparto un horario 🙂"
    )


WARRANTY_BRING = (
    "Para la garantía trae a la sucursal: la llanta (montada o desmontada, nunca la tires), tu "
    "folio de compra o el ticket/factura y una identificación oficial. Si no tienes el ticket, "
    "el plazo se cuenta desde la fecha DOT de la llanta y aplican los términos del fabricante."
)


def warranty_policy(reason: str, excluded: bool) -> str:
    """What the warranty says about the problem described, before any folio."""
    verdict = "Te soy honesto: " if excluded else ""
    return (
        f"{verdict}{reason} Si la compraste con nosotros, pásame el folio (ej. TL-000123) y te digo "
        "exactamente qué aplica."
    )


def which_purchase(bought: list[PastPurchase]) -> str:
    """Several purchases: which one the warranty is about."""
    lines = ["¿De cuál compra es la llanta?"] + [
        f"• {p.folio} ({p.bought_on}): {p.items}" for p in bought
    ]
    return "\n".join(lines)
