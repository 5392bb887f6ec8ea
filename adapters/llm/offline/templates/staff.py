"""Answers for staff: stock, low stock, best and worst sellers, who asked for a person."""

from __future__ import annotations

from domain.clock import to_mexico
from domain.dialogue import PendingPurchase, PendingTransfer
from domain.periods import Span
from domain.pricing import format_mxn
from domain.spanish import clock_time, day_month
from domain.staff_results import InventoryValue, SalesSummary
from domain.tool_results import HandoffRequests, LowStockResult, SalesRanking, StockResult

ASK_STOCK = "¿De qué medida o marca reviso existencias, y en qué sucursal?"
NOT_YET = (
    "Los pronósticos, alertas, sugerencias de compra y traspasos todavía no están conectados a "
    "este asistente. Por ahora te doy existencias por medida, marca y sucursal, faltantes, "
    "ventas por periodo, lo que más y menos se vende, el valor del inventario y quién pidió un "
    "asesor."
)
ROUTES_NOT_YET = (
    "La planeación de rutas todavía no está en este asistente; por ahora la hace logística. "
    "Te puedo dar el estado de un pedido por folio."
)


def _what(size: str | None, brand: str | None, line: str | None = None) -> str:
    """ "Michelin Primacy 4+ 205/55R16", or "llantas" when nothing narrows it."""
    words = [w for w in (brand, line if line and not brand else line, size) if w]
    return " ".join(dict.fromkeys(words)) or "llantas"


def stock(result: StockResult) -> str:
    """Stock over every matching product: the total, per branch, and the biggest products."""
    what = _what(result.size, result.brand, result.line)
    where = f" en {result.branch}" if result.branch else ""
    if result.product_count == 0:
        return f"No encontré productos de {what}."
    if result.total_available <= 0:
        return f"No hay piezas disponibles de {what}{where}."
    lines = [
        f"{what}{where}: {result.total_available} piezas disponibles en total "
        f"({result.product_count} productos)."
    ]
    if len(result.by_branch) > 1:
        lines.append("Por sucursal: " + ", ".join(f"{c} {u}" for c, u in result.by_branch.items()))
    if result.products:
        lines.append("Los que más tienen:")
        for p in result.products[:5]:
            per_branch = ", ".join(f"{code} {units}" for code, units in p.stock.items())
            lines.append(f"• {p.product} ({p.sku}): {per_branch}")
    return "\n".join(lines)


TRANSFER_DROPPED = "Va, no hago el traspaso. ¿Algo más?"
PURCHASE_DROPPED = "Va, no genero la orden de compra. ¿Algo más?"


def transfer_proposal(pending: PendingTransfer) -> str:
    """ "¿Paso 10 ... de MTY a GDL?" (or how many, when no number was given)."""
    have = f" ({pending.from_branch} tiene {pending.available} disponibles)" if (
        pending.available is not None) else ""  # fmt: skip
    if not pending.quantity:
        return (
            f"¿Cuántas {pending.product} paso de {pending.from_branch} a {pending.to_branch}?{have}"
        )
    return (
        f"¿Hago el traspaso de {pending.quantity} {pending.product} de {pending.from_branch} a "
        f"{pending.to_branch}?{have} Dime sí para crearlo, otra cantidad, o no."
    )


def purchase_proposal(pending: PendingPurchase) -> str:
    """The purchase order about to be made, and the question."""
    lines = [f"Orden de compra para {pending.branch or 'la sucursal'}"
             + (f" con {pending.supplier}" if pending.supplier else "") + ":"]  # fmt: skip
    lines += [f"• {sku}: {qty} pzas" for sku, qty in pending.lines.items()]
    lines.append("¿La genero? Dime sí, otra cantidad, o no.")
    return "\n".join(lines)


def which_purchase_line(quantity: int, pending: PendingPurchase) -> str:
    """A new quantity for an order of several lines: which one (or each)."""
    skus = list(pending.lines)
    shown = ", ".join(skus[:4]) + (" …" if len(skus) > 4 else "")
    return (
        f"¿{quantity} de cuál? Dime el SKU o la marca ({shown}), o «{quantity} de cada una». "
        "La orden sigue sin generarse."
    )


def low_stock(result: LowStockResult) -> str:
    """Products at or below their reorder point."""
    if not result.items:
        return "Ningún producto está en su punto de reorden 👍"
    lines = [f"Hay {result.total_low} productos en o bajo su punto de reorden. Los primeros:"]
    for i in result.items:
        lines.append(
            f"• {i.product} en {i.branch}: {i.available} disp. (reorden {i.reorder_point})"
        )
    return "\n".join(lines)


def ranking(result: SalesRanking) -> str:
    """Best or worst sellers over a period."""
    which = "menos" if result.order == "worst" else "más"
    what = f" de {_what(result.size, result.brand)}" if result.size or result.brand else ""
    where = f" en {result.branch}" if result.branch else ""
    period = Span(result.since, result.until).label()
    if not result.items:
        return f"No hay ventas registradas{what} {period}{where}."
    lines = [f"Lo que {which} se vendió{what} {period}{where}:"]
    for n, item in enumerate(result.items, 1):
        lines.append(
            f"{n}. {item.product} ({item.sku}): {item.units} pzas, {format_mxn(item.revenue_cents)}"
            f" · {item.available} en existencia"
        )
    return "\n".join(lines)


def _change(now: int, before: int) -> str:
    if before <= 0:
        return "sin ventas registradas para comparar"
    pct = (now - before) * 100 / before
    return f"{pct:+.1f}%"


def sales_summary(result: SalesSummary) -> str:
    """A period's sales against the period before and last year (net of IVA)."""
    what = f" de {_what(result.size, result.brand)}" if result.size or result.brand else ""
    where = f" en {result.branch}" if result.branch else ""
    span = Span(result.since, result.until)
    lines = [
        f"Ventas{what}{where} {span.label()}: {result.units} piezas, "
        f"{format_mxn(result.revenue_cents)} sin IVA."
    ]
    prev = result.previous
    lines.append(
        f"Periodo anterior ({Span(prev.since, prev.until).label()}): {prev.units} piezas, "
        f"{format_mxn(prev.revenue_cents)} ({_change(result.revenue_cents, prev.revenue_cents)})."
    )
    year = result.last_year
    if year.units or year.revenue_cents:
        lines.append(
            f"Mismo periodo del año pasado: {year.units} piezas, {format_mxn(year.revenue_cents)} "
            f"({_change(result.revenue_cents, year.revenue_cents)})."
        )
    else:
        since = f" (el historial empieza el {day_month(result.history_starts)})" if (
            result.history_starts) else ""  # fmt: skip
        lines.append(f"Del mismo periodo del año pasado no hay ventas registradas{since}.")
    if result.rows:
        label = {"branch": "sucursal", "brand": "marca", "size": "medida", "line": "línea"}
        lines.append(f"Por {label.get(result.group_by or '', 'grupo')}:")
        for n, row in enumerate(result.rows, 1):
            lines.append(f"{n}. {row.key}: {row.units} pzas, {format_mxn(row.revenue_cents)}")
    return "\n".join(lines)


def inventory_value(result: InventoryValue) -> str:
    """Inventory at cost and rotation per branch (internal data, staff only)."""
    if not result.branches:
        return "No encontré inventario para esa sucursal."
    lines = [f"Valor del inventario a costo (al {day_month(result.as_of)}):"]
    for b in result.branches:
        supply = f", {b.days_of_supply:.0f} días de inventario" if b.days_of_supply else ""
        lines.append(
            f"• {b.branch}: {format_mxn(b.value_cents)} en {b.units_on_hand} piezas; "
            f"rotación {b.rotation_per_year:.1f} vueltas al año{supply}"
        )
    if len(result.branches) > 1:
        lines.append(
            f"Total: {format_mxn(result.total_value_cents)} en {result.total_units} piezas."
        )
    return "\n".join(lines)


def handoff_requests(result: HandoffRequests) -> str:
    """Who asked for a person (nothing is created)."""
    since = "hoy" if result.items is not None else ""
    if not result.items:
        return f"Nadie ha pedido hablar con un asesor desde el {day_month(result.since)} 👍"
    lines = [
        f"Pidieron hablar con un asesor desde el {day_month(result.since)} ({len(result.items)}):"
    ]
    for lead in result.items:
        who = lead.customer_name or "Cliente sin nombre"
        phone = f" {lead.phone}" if lead.phone else ""
        at = clock_time(to_mexico(lead.created_at))
        lines.append(f"• {at} {who}{phone} ({lead.channel}): {lead.reason} [{lead.status}]")
    del since
    return "\n".join(lines)
