"""The executive dashboard's figures: one function computes them for the page, the API and the
reports, from the same queries the analytics API runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from core.settings import DashboardSettings
from db.repositories import analytics
from db.repositories.catalog import branch_by_code
from db.repositories.dashboard_sources import (
    agent_figures,
    capital_optimum_cents,
    logistics_figures,
    moving_products,
    open_quotes,
    unpaid_reservations,
)
from db.repositories.inventory_alerts import list_alerts
from db.repositories.reorder import list_suggestions
from db.repositories.replenishment import latest_run
from db.tables import Branch, SalesTarget
from domain.clock import MEXICO_CITY, mexico_today
from domain.dashboard import (
    PENDING,
    Dashboard,
    Insight,
    Kpi,
    Period,
    TrendPoint,
    change,
    month_start,
    period_bounds,
    prorated_target,
    shift_months,
)
from domain.pricing import format_mxn


def as_of_day(session: Session) -> date:
    """The day the dashboard reads up to: the last day of sales history (as the analytics API)."""
    return analytics.latest_sales_day(session) or mexico_today()


def monthly_targets(session: Session, branch: str | None) -> dict[date, int]:
    """Target per month for one branch, or the sum over branches where every branch has one."""
    query = select(
        col(SalesTarget.month), col(SalesTarget.revenue_cents), col(SalesTarget.branch_id)
    )
    if branch:
        query = query.where(SalesTarget.branch_id == branch_by_code(session, branch).id)
        return {m: c for m, c, _ in session.exec(query).all()}
    branches = len(session.exec(select(Branch.id)).all())
    sums: dict[date, list[int]] = {}
    for month, cents, _ in session.exec(query).all():
        sums.setdefault(month, []).append(cents)
    return {m: sum(v) for m, v in sums.items() if len(v) == branches}


def _sales(session: Session, start: date, end: date, branch: str | None) -> tuple[int, int]:
    report = analytics.sales_report(
        session, date_from=start, date_to=end, group_by="branch", limit=10, branch=branch
    )
    return report.total_revenue_cents, report.total_units


def _shifted(start: date, end: date, months: int) -> tuple[date, date]:
    return shift_months(start, months), shift_months(end, months)


def sales_kpis(
    session: Session, cfg: DashboardSettings, *, period: Period, branch: str | None, as_of: date
) -> list[Kpi]:
    """Today, the period, against target, last month and last year."""
    start, end = period_bounds(period, as_of)
    now, units = _sales(session, start, end, branch)
    pm, pm_units = _sales(session, *_shifted(start, end, -1), branch)
    py, py_units = _sales(session, *_shifted(start, end, -12), branch)
    day, _ = _sales(session, as_of, as_of, branch)
    day_pm, _ = _sales(session, *_shifted(as_of, as_of, -1), branch)
    day_py, _ = _sales(session, *_shifted(as_of, as_of, -12), branch)
    target = prorated_target(monthly_targets(session, branch), start, end)
    attainment = round(now / target, 4) if target else None
    growth = change(now, py)
    low_growth = growth is not None and growth < cfg.growth_min
    return [
        Kpi(
            key="sales_day", label=f"Ventas del {as_of:%d/%m}", value=day, unit="mxn",
            status="ok", hint="Venta neta (sin IVA) del último día con ventas",
            vs_previous_month=change(day, day_pm), vs_previous_year=change(day, day_py),
        ),
        Kpi(
            key="sales_period", label="Ventas del periodo", value=now, unit="mxn",
            status="alert" if low_growth else "ok", target=target,
            hint=f"Del {start:%d/%m/%Y} al {end:%d/%m/%Y}, venta neta sin IVA",
            vs_previous_month=change(now, pm), vs_previous_year=growth,
        ),
        Kpi(
            key="target_attainment", label="Avance contra meta", value=attainment, unit="pct",
            status="pending" if attainment is None
            else "alert" if attainment < cfg.target_attainment_min else "ok",
            target=cfg.target_attainment_min,
            hint="Meta prorrateada por día" if target else f"{PENDING}: sin meta capturada",
            link="/dashboard/targets",
        ),
        Kpi(
            key="units_period", label="Llantas vendidas", value=units, unit="units", status="ok",
            vs_previous_month=change(units, pm_units), vs_previous_year=change(units, py_units),
        ),
    ]  # fmt: skip


def inventory_kpis(
    session: Session, cfg: DashboardSettings, *, branch: str | None, as_of: date
) -> list[Kpi]:
    """Critical products, rotation, capital invested against the engine's optimum."""
    report = analytics.inventory_report(session, as_of=as_of)
    rows = [b for b in report.branches if branch is None or b.branch_code == branch]
    value = sum(b.value_cents for b in rows)
    cogs = sum(b.cogs_90d_cents for b in rows)
    rotation = round(cogs * 365 / 90 / value, 2) if value else 0.0
    branch_id = branch_by_code(session, branch).id if branch else None
    run = latest_run(session)
    if run is None:
        critical: float | None = None
        optimum: int | None = None
        purchase: float | None = None
    else:
        _, critical = list_alerts(session, urgency="crítico", branch_id=branch_id, state=None, limit=1)
        optimum = capital_optimum_cents(session, branch=branch)
        purchase = sum(
            s.total_cents for s in list_suggestions(session, branch_id=branch_id, limit=1000)
        )
    no_run = f"{PENDING}: el motor de inventario aún no corre (topllantas inventory nightly)"
    over = (value - optimum) / optimum if optimum else None
    return [
        Kpi(
            key="critical_products", label="Productos en crítico", value=critical, unit="count",
            status="pending" if critical is None
            else "alert" if critical > cfg.critical_alerts_max else "ok",
            hint=no_run if critical is None else "Alertas vivas de urgencia crítica",
            link="/dashboard/inventory",
        ),
        Kpi(
            key="rotation", label="Rotación anual", value=rotation, unit="turns",
            status="alert" if rotation < cfg.rotation_min else "ok", target=cfg.rotation_min,
            hint="Costo de lo vendido en 90 días, anualizado, entre el valor del inventario",
        ),
        Kpi(
            key="capital_invested", label="Capital invertido", value=value, unit="mxn",
            status="pending" if over is None
            else "alert" if over > cfg.capital_over_optimum_max else "ok",
            target=optimum,
            hint=no_run if optimum is None
            else "A costo; la meta es el óptimo del motor (stock de seguridad + medio ciclo)",
            link="/dashboard/inventory",
        ),
        Kpi(
            key="suggested_purchases", label="Compras sugeridas", value=purchase, unit="mxn",
            status="pending" if purchase is None else "ok",
            hint=no_run if purchase is None else "Sugerencias abiertas del optimizador",
            link="/dashboard/inventory",
        ),
    ]  # fmt: skip


def _trend(session: Session, period: Period, branch: str | None, as_of: date) -> list[TrendPoint]:
    if period == "year":
        start, group = as_of.replace(month=1, day=1), "month"
    elif period == "month":
        start, group = month_start(as_of), "day"
    else:
        start, group = as_of - timedelta(days=29), "day"
    def series(a: date, b: date) -> dict[str, int]:
        report = analytics.sales_report(
            session, date_from=a, date_to=b, group_by=group, limit=1000, branch=branch  # type: ignore[arg-type]
        )
        return {r.key: r.revenue_cents for r in report.rows}

    now = series(start, as_of)
    last = series(*_shifted(start, as_of, -12))
    points = []
    day = start
    while day <= as_of:
        key = day.isoformat()[:7] if group == "month" else day.isoformat()
        ly = shift_months(day, -12).isoformat()
        points.append(
            TrendPoint(
                key=key, revenue_cents=now.get(key, 0),
                revenue_last_year_cents=last.get(ly[:7] if group == "month" else ly, 0),
            )
        )  # fmt: skip
        day = shift_months(day, 1) if group == "month" else day + timedelta(days=1)
    return points


def insights(
    session: Session, cfg: DashboardSettings, *, sales: list[Kpi], inventory: list[Kpi],
    agents: list[Kpi], branch: str | None, as_of: date, quote_hours: int,
) -> list[Insight]:  # fmt: skip
    """Rules anyone can check: each names what it saw and links to where to act."""
    out: list[Insight] = []
    by_key = {k.key: k for k in sales + inventory + agents}
    attain = by_key["target_attainment"].value
    if attain is not None and attain < cfg.target_attainment_min:
        out.append(Insight(
            rule="ventas_bajo_meta", severity="alta",
            text=f"Las ventas van al {attain:.0%} de la meta del periodo.",
            action="Revisar cotizaciones abiertas y clientes con saldo pendiente",
            link="/dashboard/sales",
        ))  # fmt: skip
    for p in moving_products(session, branch=branch, as_of=as_of, rising=True)[:3]:
        out.append(Insight(
            rule="producto_en_alza", severity="media",
            text=f"{p.label}: {p.units_now} llantas en 14 días contra {p.units_before} antes "
            f"({p.growth:+.0%}).",
            action="Subir su inventario antes de que se agote", link="/dashboard/inventory",
        ))  # fmt: skip
    for p in moving_products(session, branch=branch, as_of=as_of, rising=False)[:2]:
        out.append(Insight(
            rule="producto_a_la_baja", severity="info",
            text=f"{p.label}: {p.units_now} llantas en 28 días contra {p.units_before} antes "
            f"({p.growth:+.0%}).",
            action="No volver a pedirlo hasta que repunte; considerar promoción",
            link="/dashboard/inventory",
        ))  # fmt: skip
    critical = by_key["critical_products"].value
    if critical:
        out.append(Insight(
            rule="stock_critico", severity="alta",
            text=f"{critical:.0f} productos en nivel crítico de inventario.",
            action="Confirmar las compras o traspasos sugeridos", link="/dashboard/inventory",
        ))  # fmt: skip
    quotes = open_quotes(session, older_than_hours=quote_hours)
    if quotes:
        out.append(Insight(
            rule="cotizaciones_abandonadas", severity="media",
            text=f"{len(quotes)} cotizaciones sin apartar después de {quote_hours} h "
            f"({format_mxn(sum(q.total_cents for q in quotes))}).",
            action="Dar seguimiento a los clientes", link="/dashboard/sales#seguimiento",
        ))  # fmt: skip
    unpaid = unpaid_reservations(session)
    if unpaid:
        out.append(Insight(
            rule="apartados_sin_pago", severity="media",
            text=f"{len(unpaid)} pedidos apartados con saldo pendiente.",
            action="Contactar a los clientes para cerrar el pago", link="/dashboard/sales",
        ))  # fmt: skip
    waiting = by_key["handoffs_waiting"].value
    if waiting is not None and waiting > cfg.handoffs_waiting_max:
        out.append(Insight(
            rule="clientes_esperando", severity="alta",
            text=f"{waiting:.0f} clientes esperan a un asesor.",
            action="Asignar asesores a los prospectos nuevos", link="/dashboard/agents",
        ))  # fmt: skip
    return out


def build_dashboard(
    session: Session,
    cfg: DashboardSettings,
    *,
    period: Period = "month",
    branch: str | None = None,
    as_of: date | None = None,
    quote_hours: int = 4,
) -> Dashboard:
    """Every figure of the executive dashboard for a branch (or all) and a period."""
    branch = branch_by_code(session, branch).code if branch else None
    as_of = as_of or as_of_day(session)
    start, end = period_bounds(period, as_of)
    sales = sales_kpis(session, cfg, period=period, branch=branch, as_of=as_of)
    inventory = inventory_kpis(session, cfg, branch=branch, as_of=as_of)
    since, until = utc_bounds(start, end)
    logistics = logistics_figures(session, cfg, branch=branch, today=mexico_today())
    agents = agent_figures(session, cfg, since=since, until=until)

    def rows(group: str) -> list:  # type: ignore[type-arg]
        return analytics.sales_report(
            session, date_from=start, date_to=end, group_by=group, limit=8, branch=branch  # type: ignore[arg-type]
        ).rows

    return Dashboard(
        as_of=as_of, period=period, branch=branch, date_from=start, date_to=end,
        sales=sales, inventory=inventory, logistics=logistics, agents=agents,
        trend=_trend(session, period, branch, as_of),
        by_branch=rows("branch"), by_brand=rows("brand"), by_size=rows("size"),
        insights=insights(
            session, cfg, sales=sales, inventory=inventory, agents=agents, branch=branch,
            as_of=as_of, quote_hours=quote_hours,
        ),
        branches=list(session.exec(select(Branch.code).order_by(col(Branch.code))).all()),
    )  # fmt: skip


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Mexico City days ``start..end`` as an aware UTC half-open range."""
    since = datetime.combine(start, time.min, MEXICO_CITY).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, MEXICO_CITY).astimezone(UTC)
    return since, until
