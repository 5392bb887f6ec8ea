"""Spanish replies about deliveries (customers) and dispatch (staff); every number comes from a
tool result."""

from __future__ import annotations

from datetime import datetime

from adapters.llm.offline.templates import common as t
from domain import logistics_text as lt
from domain.clock import to_mexico
from domain.delivery_results import (
    DeliveryChanged,
    DeliveryCost,
    DeliveryKpis,
    DeliveryView,
    FleetStatus,
    LateDeliveries,
    RoutesPlanned,
    SurveyRecorded,
    WindowOption,
)
from domain.pricing import format_mxn
from domain.spanish import clock_12h, weekday_day_month

WINDOW_ES = {"morning": "en la mañana", "afternoon": "en la tarde", "evening": "en la noche"}


def _span(start: datetime, end: datetime) -> str:
    """``de 1:00 PM a 5:00 PM`` (Mexico City)."""
    return f"de {clock_12h(to_mexico(start))} a {clock_12h(to_mexico(end))}"


def _when(start: datetime, end: datetime) -> str:
    return f"{weekday_day_month(to_mexico(start).date())} {_span(start, end)}"


def option(w: WindowOption) -> str:
    return f"{weekday_day_month(w.day)} {WINDOW_ES[w.window.value]} ({_span(w.start, w.end)})"


def delivery(view: DeliveryView, *, driver_only: bool = False) -> str:
    """Status and ETA of one delivery, honest about a delay."""
    folio = view.folio
    if view.status is None:
        if view.mode.value == "pickup":
            day = f" el {weekday_day_month(view.pickup_day)}" if view.pickup_day else ""
            return (
                f"Tu pedido {folio} es para recoger{day} en {view.branch.name} "
                f"({view.branch.address.rstrip('.')})."
            )
        return f"Tu pedido {folio} todavía no tiene entrega programada. ¿Qué día y horario te queda?"
    driver = view.driver_first_name
    rating = f" (⭐ {view.driver_rating:.1f})" if view.driver_rating else ""
    if view.status == "out_for_delivery":
        lines = []
        if view.late:
            lines.append(
                f"Una disculpa 🙏 tu pedido {folio} viene con retraso de unos {view.minutes_late} min."
            )
        else:
            lines.append(f"Tu pedido {folio} ya va en camino 🚚")
        if view.eta_start and view.eta_end:
            lines.append(f"Llegada estimada: {_span(view.eta_start, view.eta_end)}.")
        if driver:
            lines.append(f"Te lo lleva {driver}{rating}.")
        if view.stops_before is not None and not driver_only:
            stops = view.stops_before
            lines.append(
                "Eres su siguiente parada." if stops == 0
                else f"Tiene {stops} parada{'s' if stops != 1 else ''} antes de la tuya."
            )  # fmt: skip
        if view.tracking_url:
            lines.append(f"Síguelo aquí: {view.tracking_url}")
        if view.late:
            lines.append("¿Quieres que logística te confirme la hora por teléfono?")
        return "\n".join(lines)
    if view.status == "delivered":
        at = f" a las {clock_12h(to_mexico(view.delivered_at))}" if view.delivered_at else ""
        who = f"; recibió {view.recipient_name}" if view.recipient_name else ""
        return f"Tu pedido {folio} ya se entregó{at}{who} ✅"
    if view.status == "failed":
        return (
            f"No pudimos entregar tu pedido {folio} 🙏 ¿Lo reprogramamos? Dime qué día te queda o "
            "responde CAMBIAR HORA."
        )
    assert view.window_start and view.window_end
    text = f"Tu pedido {folio} llega el {_when(view.window_start, view.window_end)} a {view.address}."
    if driver_only or driver:
        text += (
            f" Te lo lleva {driver}{rating}." if driver
            else " El conductor se asigna cuando se arma la ruta del día; te aviso por WhatsApp."
        )  # fmt: skip
    if view.late:
        text = (
            f"Una disculpa 🙏 tu pedido {folio} va retrasado: debía llegar el "
            f"{_when(view.window_start, view.window_end)}. ¿Quieres que logística te confirme la hora?"
        )
    return text


def windows(folio: str, options: list[WindowOption], asked: bool) -> str:
    if not options:
        return lt.NO_WINDOWS if asked else "Por ahora no tengo horarios libres en los próximos días 🙏"
    lines = [f"Puedo mover la entrega de tu pedido {folio} a:"]
    lines += [f"{n}. {option(w)}" for n, w in enumerate(options, start=1)]
    lines.append("¿Cuál te queda?")
    return "\n".join(lines)


def changed(done: DeliveryChanged) -> str:
    view = done.delivery
    if done.change == "unchanged":
        assert view.window_start and view.window_end
        return f"Tu entrega ya está para el {_when(view.window_start, view.window_end)} 👍"
    if done.change == "rescheduled":
        assert view.window_start and view.window_end
        return (
            f"Listo ✅ moví la entrega de tu pedido {done.folio} al "
            f"{_when(view.window_start, view.window_end)} (antes: {done.previous})."
            + (f"\nSíguela aquí: {view.tracking_url}" if view.tracking_url else "")
        )
    if done.change == "pickup":
        b = view.branch
        hours = t.hours(b.hours)
        day = f" el {weekday_day_month(view.pickup_day)}" if view.pickup_day else ""
        return (
            f"Hecho: cancelé la entrega a domicilio de tu pedido {done.folio}. Lo recoges{day} en "
            f"{b.name}, {b.address.rstrip('.')}" + (f" (horario {hours})" if hours else "")
            + f". Trae tu folio {done.folio} e identificación."
        )
    return f"Listo ✅ la entrega de tu pedido {done.folio} ahora va a: {view.address}."


def cost(c: DeliveryCost) -> str:
    zone = c.zone or c.address
    if c.fee_cents is None:
        return lt.OUT_OF_AREA.format(km=f"{c.km:.0f}")
    return (
        f"El envío a {zone} (a unos {c.km:.0f} km de nuestra sucursal {c.branch}) cuesta "
        f"{format_mxn(c.fee_cents)} con IVA. Si prefieres, lo recoges en sucursal sin costo."
    )


def surveyed(s: SurveyRecorded) -> str:
    if s.score >= 4:
        who = f" Se lo paso a {s.driver_first_name}." if s.driver_first_name else ""
        return f"¡Gracias por tu calificación de {s.score}! 🙌{who}"
    return (
        f"Gracias por decirnos, lo tomamos en serio 🙏 Registré tu calificación de {s.score}. "
        "¿Qué pasó con la entrega? Si quieres, te paso con logística."
    )


PRAISE_THANKS = "¡Muchas gracias! 🙌 Aquí estoy si necesitas algo más."
ASK_ADDRESS = "Claro. ¿Cuál es la dirección correcta? Incluye calle, número y colonia."
KEEP = "Va, la entrega se queda como estaba 👍"
NOTHING_TO_UNDO = "Tu entrega no la he movido en esta plática; sigue como estaba 👍"


STAFF_MENU = (
    "En logística te ayudo a planear las rutas de un día (\"planea las rutas de mañana en "
    "CDMX\"), ver entregas atrasadas, dónde va una camioneta y cómo vamos de entregas a tiempo. "
    "¿Qué necesitas?"
)


# --- staff -----------------------------------------------------------------------------------


def planned(result: RoutesPlanned) -> str:
    lines = [f"Rutas del {weekday_day_month(result.day)}:"]
    for p in result.plans:
        if not p.routes and not p.unplanned:
            lines.append(f"• {p.branch}: sin entregas que planear.")
            continue
        late = f", {p.late_stops} fuera de ventana" if p.late_stops else ""
        lines.append(
            f"• {p.branch}: {p.routes} ruta{'s' if p.routes != 1 else ''}, {p.deliveries} "
            f"entregas, {p.km:.1f} km, {p.hours:.1f} h, costo {format_mxn(p.cost_cents)}{late}."
        )
        if p.unplanned:
            lines.append(f"  Sin planear: {', '.join(p.unplanned[:5])}")
    return "\n".join(lines)


def late(result: LateDeliveries) -> str:
    where = f" en {result.branch}" if result.branch else ""
    if not result.deliveries:
        return f"Ninguna entrega atrasada{where} ahorita 👍"
    n = len(result.deliveries)
    lines = [f"{n} entrega{'s' if n != 1 else ''} atrasada{'s' if n != 1 else ''}{where}:"]
    for d in result.deliveries[:10]:
        eta = f", llega ~{clock_12h(to_mexico(d.eta))}" if d.eta else ""
        driver = f", {d.driver}" if d.driver else ""
        lines.append(f"• {d.folio} ({d.branch}): {d.minutes_late} min tarde{eta}{driver}")
    return "\n".join(lines)


def fleet(result: FleetStatus) -> str:
    if not result.vehicles:
        where = f" de {result.branch}" if result.branch else ""
        return f"No hay rutas{where} para el {weekday_day_month(result.day)}."
    lines = []
    for v in result.vehicles:
        head = f"• {v.plate} ({v.branch}, {v.driver or 'sin conductor'}): {v.done} de {v.total} entregas"
        if v.next_folio:
            eta = f" ~{clock_12h(to_mexico(v.next_eta))}" if v.next_eta else ""
            head += f"; sigue {v.next_folio}{eta}"
        if v.latitude is not None and v.position_at is not None:
            head += (
                f"; última posición {v.latitude:.4f}, {v.longitude:.4f} a las "
                f"{clock_12h(to_mexico(v.position_at))}"
            )
        elif v.status == "planned":
            head += "; no ha salido"
        lines.append(head + ".")
    return "\n".join(lines)


def kpis(k: DeliveryKpis) -> str:
    where = f" en {k.branch}" if k.branch else ""
    lines = [f"Entregas del {weekday_day_month(k.day)}{where}: {k.deliveries} en total."]
    if k.on_time_percent is not None:
        lines.append(
            f"A tiempo: {k.on_time} de {k.delivered} entregadas ({k.on_time_percent} %)."
        )
    else:
        lines.append("Todavía no hay entregas terminadas.")
    lines.append(f"No entregadas: {k.failed}; pendientes: {k.pending}.")
    if k.cost_per_delivery_cents is not None and k.routes:
        lines.append(
            f"Costo de rutas {format_mxn(k.cost_cents)} ({k.km:.1f} km): "
            f"{format_mxn(k.cost_per_delivery_cents)} por entrega."
        )
    return "\n".join(lines)
