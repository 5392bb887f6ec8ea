"""Answers for staff about replenishment: alerts, reorder suggestions and purchase orders,
forecasts, trends, slow and aged stock, transfers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.pricing import format_mxn
from domain.spanish import day_month

if TYPE_CHECKING:
    from tools.replenishment import (
        DemandForecast,
        InventoryAlerts,
        PurchaseOrderMade,
        SlowAndAgedStock,
        TransferMade,
        TransferSuggestions,
        TrendingProducts,
    )

URGENCY = {"critical": "Crítico", "high": "Alto", "medium": "Medio"}


def alerts(result: InventoryAlerts) -> str:
    """Open alerts, most urgent first, each with its action."""
    if not result.alerts:
        return "No hay alertas de inventario abiertas con ese criterio 👍"
    lines = [f"Alertas de inventario ({result.total}):"]
    for a in result.alerts:
        lines.append(f"• {a.text} {a.action}".strip())
    return "\n".join(lines)


def purchase_made(result: PurchaseOrderMade) -> str:
    """The purchase order created after the staff member's yes."""
    po = result.purchase_order
    units = sum(line.quantity for line in po.lines)
    arrives = f", llega el {day_month(po.expected_on)}" if po.expected_on else ""
    return (
        f"Listo: orden de compra {po.folio} para {po.branch_code}, {units} piezas, "
        f"{format_mxn(po.total_cents)}{arrives}."
    )


def forecast(result: DemandForecast) -> str:
    """Forecast demand over the period asked, with its 80% interval."""
    f = result.forecast
    if not f.groups:
        return "No tengo pronóstico para ese criterio todavía."
    period = (
        f"del {day_month(f.first_week)} al {day_month(f.last_week)}"
        if f.first_week and f.last_week
        else f"en las próximas {f.weeks} semanas"
    )
    what = f" de {f.scope}" if f.scope else ""
    where = f" en {f.branch}" if f.branch else ""
    lines = [f"Pronóstico de demanda{what}{where} {period} (corrida del {day_month(f.run_date)}):"]
    for g in f.groups[:8]:
        lines.append(f"• {g.key}: {g.mean:.0f} piezas esperadas (entre {g.p10:.0f} y {g.p90:.0f})")
    return "\n".join(lines)


def trending(result: TrendingProducts) -> str:
    """What grows and what declines against the same weeks a year ago."""
    if result.insufficient_history and not (result.growing or result.declining):
        return (
            "Para decirte qué va creciendo o bajando comparo las últimas "
            f"{result.window_weeks} semanas contra las mismas del año pasado, y el historial "
            "todavía no llega a un año."
        )
    lines = [f"Tendencias de las últimas {result.window_weeks} semanas vs el año pasado:"]
    for title, rows in (("Creciendo", result.growing), ("Bajando", result.declining)):
        if rows:
            lines.append(f"{title}:")
            for r in rows[:6]:
                change = f"{r.change_pct:+.0f}%" if r.change_pct is not None else "nuevo"
                lines.append(f"• {r.key}: {change} ({r.recent:.0f} vs {r.year_ago:.0f} piezas)")
    return "\n".join(lines)


def slow_and_aged(result: SlowAndAgedStock) -> str:
    """Slow movers (days of supply over the limit) and DOT lots older than the policy."""
    if not result.slow and not result.aged:
        return "No hay producto lento ni lotes viejos con ese criterio 👍"
    lines = []
    if result.slow:
        lines.append(f"Lento (más de {result.slow_days} días de inventario):")
        for s in result.slow[:6]:
            days = f"{s.days_of_supply:.0f} días" if s.days_of_supply else "sin venta proyectada"
            lines.append(f"• {s.label} en {s.branch}: {s.on_hand} pzas, {days}")
    if result.aged:
        lines.append(f"Lotes con DOT de más de {result.age_limit_years:g} años:")
        for a in result.aged[:6]:
            lines.append(f"• {a.label} en {a.branch}: {a.quantity} pzas, DOT {a.dot}")
    return "\n".join(lines)


def transfer_suggestions(result: TransferSuggestions) -> str:
    """Surplus here, shortage there."""
    if not result.transfers:
        return "No hace falta mover llantas entre sucursales ahorita 👍"
    lines = ["Traspasos sugeridos:"]
    for t in result.transfers[:8]:
        lines.append(
            f"• {t.quantity} {t.label} de {t.from_branch} a {t.to_branch} "
            f"(allá hay {t.receiver_position}, reorden {t.receiver_reorder_point})"
        )
    lines.append("Si quieres hacer uno, dime cuál y lo preparo.")
    return "\n".join(lines)


def transfer_made(result: TransferMade) -> str:
    """The transfer created after the staff member's yes."""
    t = result.transfer
    return (
        f"Listo: traspaso {t.folio} de {t.quantity} {t.label} de {t.from_branch} a "
        f"{t.to_branch} ({t.status})."
    )
