"""Answers for staff: stock, low stock, best and worst sellers, who asked for a person."""

from __future__ import annotations

from domain.clock import to_mexico
from domain.pricing import format_mxn
from domain.spanish import clock_time, day_month
from domain.tool_results import HandoffRequests, LowStockResult, SalesRanking, StockResult

ASK_STOCK = "¿De qué medida o marca reviso existencias, y en qué sucursal?"
NOT_YET = (
    "Los pronósticos de demanda y las sugerencias de compra todavía no están listos en este "
    "asistente. Por ahora te doy existencias por medida, marca y sucursal, faltantes, lo que más "
    "y menos se vende, y quién pidió un asesor."
)
ROUTES_NOT_YET = (
    "La planeación de rutas todavía no está en este asistente; por ahora la hace logística. "
    "Te puedo dar el estado de un pedido por folio."
)


def stock(result: StockResult) -> str:
    """Stock by branch."""
    if not result.products:
        return "No encontré productos con ese criterio."
    stocked = [p for p in result.products if sum(p.stock.values()) > 0]
    if not stocked:
        where = f" en {result.branch}" if result.branch else ""
        return f"No hay piezas disponibles{where} con ese criterio."
    total = sum(sum(p.stock.values()) for p in stocked)
    where = f" en {result.branch}" if result.branch else ""
    lines = [f"Existencias disponibles{where} ({total} piezas en total):"]
    for p in stocked[:8]:
        per_branch = ", ".join(f"{code} {units}" for code, units in p.stock.items())
        lines.append(f"• {p.product} ({p.sku}): {per_branch}")
    if len(stocked) > 8:
        lines.append(f"…y {len(stocked) - 8} productos más.")
    return "\n".join(lines)


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
    where = f" en {result.branch}" if result.branch else ""
    period = f"del {day_month(result.since)} al {day_month(result.until)}"
    if not result.items:
        return f"No hay ventas registradas {period}{where}."
    lines = [f"Lo que {which} se vendió {period}{where}:"]
    for n, item in enumerate(result.items, 1):
        lines.append(
            f"{n}. {item.product} ({item.sku}): {item.units} pzas, {format_mxn(item.revenue_cents)}"
            f" · {item.available} en existencia"
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
