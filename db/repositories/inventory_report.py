"""The weekly inventory report: its data and its Spanish text (the dashboard renders the data
as PDF/Excel; the text goes by e-mail)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.settings import Settings
from db.repositories.inventory_alerts import LIVE, URGENCIES
from db.repositories.reorder import list_suggestions
from db.repositories.replenishment import latest_run
from db.tables import (
    Branch,
    ForecastRow,
    InventoryAlert,
    Product,
    SalesDaily,
    Stock,
    StockTransfer,
)
from domain.inventory_text import URGENCY_TITLE, supplier_short
from domain.pricing import format_mxn
from domain.spanish import day_month


class BranchWeek(BaseModel):
    """One branch's week."""

    branch: str
    units: int
    revenue_cents: int
    units_previous: int
    stock_units: int
    stock_value_cents: int
    forecast_next_4_weeks: float


class WeeklyReport(BaseModel):
    """The week's figures and the text that reads them."""

    week_start: date
    week_end: date
    branches: list[BranchWeek]
    alerts: dict[str, int]
    open_suggestions: int
    suggested_purchase_cents: int
    top_suggestions: list[str]
    transfers_in_transit: int
    text: str


def _sales(session: Session, start: date, end: date) -> dict[int, tuple[int, int]]:
    rows = session.execute(
        sa.select(
            col(SalesDaily.branch_id), sa.func.sum(col(SalesDaily.units)),
            sa.func.sum(col(SalesDaily.revenue_cents)),
        )
        .where(col(SalesDaily.day) >= start, col(SalesDaily.day) <= end)
        .group_by(col(SalesDaily.branch_id))
    ).all()  # fmt: skip
    return {b: (int(u or 0), int(r or 0)) for b, u, r in rows}


def weekly_report(session: Session, *, today: date, settings: Settings) -> WeeklyReport:
    """The seven days before ``today`` against the seven before them, stock at cost, the next
    four weeks' forecast, live alerts by urgency, open purchase suggestions and transfers."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=6)
    now = _sales(session, start, end)
    before = _sales(session, start - timedelta(days=7), end - timedelta(days=7))
    stock = {
        b: (int(u or 0), int(v or 0))
        for b, u, v in session.execute(
            sa.select(
                col(Stock.branch_id), sa.func.sum(col(Stock.on_hand)),
                sa.func.sum(col(Stock.on_hand) * col(Product.cost_cents)),
            )
            .join(Product, col(Product.id) == Stock.product_id)
            .group_by(col(Stock.branch_id))
        ).all()
    }  # fmt: skip
    run = latest_run(session)
    fc: dict[int, float] = {}
    if run is not None:
        weeks = sorted(
            session.execute(
                sa.select(col(ForecastRow.week)).where(col(ForecastRow.run_id) == run.id).distinct()
            ).scalars()
        )[:4]
        fc = {
            b: float(m or 0)
            for b, m in session.execute(
                sa.select(col(ForecastRow.branch_id), sa.func.sum(col(ForecastRow.mean)))
                .where(col(ForecastRow.run_id) == run.id, col(ForecastRow.week).in_(weeks))
                .group_by(col(ForecastRow.branch_id))
            ).all()
        }
    branches = []
    for b in session.exec(select(Branch).order_by(col(Branch.code))).all():
        bid = b.id or 0
        branches.append(
            BranchWeek(
                branch=b.code, units=now.get(bid, (0, 0))[0], revenue_cents=now.get(bid, (0, 0))[1],
                units_previous=before.get(bid, (0, 0))[0], stock_units=stock.get(bid, (0, 0))[0],
                stock_value_cents=stock.get(bid, (0, 0))[1],
                forecast_next_4_weeks=round(fc.get(bid, 0.0), 1),
            )
        )  # fmt: skip
    counts = dict(
        session.execute(
            sa.select(col(InventoryAlert.urgency), sa.func.count())
            .where(col(InventoryAlert.state).in_(LIVE))
            .group_by(col(InventoryAlert.urgency))
        ).all()
    )
    alerts = {u: int(counts.get(u, 0)) for u in URGENCIES}
    open_s = list_suggestions(session, limit=1000)
    in_transit = session.exec(
        select(sa.func.count()).select_from(StockTransfer).where(StockTransfer.status == "in_transit")
    ).one()  # fmt: skip
    top = [
        f"{supplier_short(s.supplier)} → {s.branch}: {sum(x.quantity for x in s.lines)} llantas, "
        f"{format_mxn(s.total_cents)} (llegan el {day_month(s.arrives_on)})"
        for s in open_s[:5]
    ]
    total_cents = sum(s.total_cents for s in open_s)
    lines = [
        f"Reporte semanal de inventario TopLlantas — del {day_month(start)} al {day_month(end)}",
        "",
        "Ventas por sucursal (unidades, contra la semana anterior):",
    ]
    for w in branches:
        diff = w.units - w.units_previous
        pct = f"{100 * diff / w.units_previous:+.0f} %" if w.units_previous else "sin semana previa"
        lines.append(
            f"- {w.branch}: {w.units} llantas ({pct}), {format_mxn(w.revenue_cents)}; inventario "
            f"{w.stock_units} llantas ({format_mxn(w.stock_value_cents)} a costo); pronóstico "
            f"próximas 4 semanas {w.forecast_next_4_weeks:.0f} llantas."
        )
    lines += ["", "Alertas vigentes: " + ", ".join(f"{URGENCY_TITLE[u]} {n}" for u, n in alerts.items()) + "."]  # fmt: skip
    lines += [
        "",
        f"Compras sugeridas abiertas: {len(open_s)} por {format_mxn(total_cents)}"
        + (":" if top else "."),
        *(f"- {t}" for t in top),
        "",
        f"Traspasos en tránsito: {in_transit}.",
    ]
    return WeeklyReport(
        week_start=start, week_end=end, branches=branches, alerts=alerts,
        open_suggestions=len(open_s), suggested_purchase_cents=total_cents, top_suggestions=top,
        transfers_in_transit=int(in_transit), text="\n".join(lines),
    )  # fmt: skip
