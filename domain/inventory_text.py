"""Spanish (es-MX) texts of inventory alerts and the weekly report: the one home of their words."""

from __future__ import annotations

import math
import re
from datetime import date

from domain.pricing import format_mxn
from domain.spanish import WEEKDAYS, day_month

URGENCY_TITLE = {
    "crítico": "Crítico",
    "alto": "Alto",
    "medio": "Medio",
    "sobreinventario": "Sobreinventario",
    "antigüedad": "Antigüedad",
    "oportunidad": "Oportunidad",
}


def supplier_short(name: str) -> str:
    """``Michelin México (incl. BFGoodrich)`` → ``Michelin México``."""
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


def arrival(today: date, day: date) -> str:
    """``el jueves`` within the coming week, else ``el jueves 10 de diciembre``."""
    gap = (day - today).days
    if gap <= 0:
        return "hoy"
    if gap == 1:
        return "mañana"
    name = WEEKDAYS[day.weekday()]
    return f"el {name}" if gap < 7 else f"el {name} {day_month(day)}"


def units(n: float) -> str:
    """A weekly demand as people say it: ``15`` or ``0.5``."""
    return str(int(round(n))) if n >= 1.5 else f"{n:.1f}".rstrip("0").rstrip(".") or "0"


def stock_alert(
    urgency: str,
    *,
    label: str,
    branch: str,
    available: int,
    weekly: float,
    reorder_point: int,
    quantity: int,
    supplier: str,
    today: date,
    arrives: date,
    transfer_from: str | None = None,
    transfer_quantity: int = 0,
) -> tuple[str, str]:
    """(text, action) of a crítico, alto or medio alert."""
    noun = "unidad" if available == 1 else "unidades"
    head = f"{URGENCY_TITLE[urgency]}: {label} — {available} {noun} en {branch}"
    if transfer_from and transfer_quantity > 0:
        action = f"Traspasa {transfer_quantity} desde {transfer_from} hoy"
        if quantity > 0:
            action += f" y pide {quantity} a {supplier_short(supplier)} (llegan {arrival(today, arrives)})"
    elif urgency == "crítico":
        action = (
            f"Pide {quantity} hoy a {supplier_short(supplier)} (llegan {arrival(today, arrives)})"
        )
    elif urgency == "alto":
        action = (
            f"Pide {quantity} a {supplier_short(supplier)} esta semana "
            f"(si pides hoy llegan {arrival(today, arrives)})"
        )
    else:
        action = f"Planea pedir {quantity} a {supplier_short(supplier)} en los próximos días"
    if urgency == "medio":
        body = (
            f"{head}, demanda proyectada {units(weekly)}/semana: cruza el punto de reorden "
            f"({reorder_point}) en las próximas dos semanas."
        )
    elif urgency == "alto":
        body = (
            f"{head}, bajo el punto de reorden ({reorder_point}), demanda proyectada "
            f"{units(weekly)}/semana."
        )
    else:
        body = f"{head}, demanda proyectada {units(weekly)}/semana."
    return f"{body} {action}.", f"{action}."


def overstock_alert(
    *, label: str, branch: str, on_hand: int, days: float, value_cents: int
) -> tuple[str, str]:
    """(text, action) of a sobreinventario alert."""
    cover = "sin venta proyectada" if math.isinf(days) else f"cubren {int(days)} días de venta"
    action = "Traspásalas a otra sucursal con demanda o promuévelas"
    text = (
        f"Sobreinventario: {label} — {on_hand} unidades en {branch} {cover} "
        f"({format_mxn(value_cents)} a costo). {action}."
    )
    return text, f"{action}."


def age_alert(
    *, label: str, branch: str, quantity: int, week: int, year: int, age_days: int
) -> tuple[str, str]:
    """(text, action) of an antigüedad alert."""
    years = age_days / 365.25
    action = "Véndelas primero (promoción o precio especial) antes de que pierdan valor"
    text = (
        f"Antigüedad: {label} — {quantity} unidades en {branch} con DOT {week:02d}{year % 100:02d} "
        f"({years:.1f} años). {action}."
    )
    return text, f"{action}."


def opportunity_alert(
    *,
    label: str,
    branch: str,
    supplier: str,
    quantity: int,
    need: int,
    unit_cost_cents: int,
    savings_cents: int,
) -> tuple[str, str]:
    """(text, action) of an oportunidad alert: a price break worth taking."""
    action = f"Pide {quantity} a {supplier_short(supplier)} en vez de {need}"
    text = (
        f"Oportunidad: {label} en {branch} — comprando {quantity} en lugar de {need} el costo "
        f"baja a {format_mxn(unit_cost_cents)} por llanta y ahorras {format_mxn(savings_cents)} "
        f"(ya descontado lo que cuesta guardarlas). {action}."
    )
    return text, f"{action}."


# The approved WhatsApp template (kind ``inventory_alert``) that carries an alert outside the
# 24-hour window, as submitted for approval: fixed words at both ends (Meta refuses a template
# that starts or ends with a variable), one variable per part of the alert.
ALERT_TEMPLATE = (
    "Alerta de inventario TopLlantas ({{1}}): {{2}} Qué hacer: {{3}} "
    "Responde a este mensaje para ver el detalle."
)
ALERT_SUMMARY_ACTION = "Consúltalas en /api/v1/alerts o pregúntale al asistente de inventario."


def alert_template_variables(urgency: str, text: str, action: str) -> dict[str, str]:
    """{{1}} urgency, {{2}} the situation, {{3}} the action, each on one line (WhatsApp
    refuses variables with line breaks, tabs or long runs of spaces)."""
    title = URGENCY_TITLE.get(urgency, urgency)
    situation = text.removesuffix(action).strip() if action and text.endswith(action) else text
    situation = situation.removeprefix(f"{title}: ")  # the template says the urgency itself
    return {
        "1": title,
        "2": " ".join(situation.split()),
        "3": " ".join(action.split()) or "Revisa el inventario.",
    }


def render_alert_template(variables: dict[str, str]) -> str:
    """The template as the person reads it."""
    text = ALERT_TEMPLATE
    for key, value in variables.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def summary_line(branch: str, more: int) -> str:
    """The one line that stands for the alerts beyond a night's message limit."""
    return f"TopLlantas inventario {branch}: {more} alertas más esta noche. {ALERT_SUMMARY_ACTION}"


def no_forecast_yet(nightly_hour: int | None) -> str:
    """What staff read when they ask for a forecast before the nightly job has ever run;
    ``nightly_hour`` is None when the server's sweep does not run it (a worker or cron does)."""
    when = (
        f"Corre cada noche a las {nightly_hour}:00 (hora del centro), así que mañana temprano "
        "ya lo tienes."
        if nightly_hour is not None
        else "Corre cada noche en cuanto sistemas la programe (topllantas inventory nightly)."
    )
    return (
        "Todavía no hay pronóstico de demanda: la corrida nocturna de inventario aún no ha "
        f"corrido. {when} Mientras, te puedo dar las ventas recientes de lo que buscas."
    )
