"""A role's report for a day, week or month: the dashboard's figures (one function computes
them) laid out as sections of KPI cards and tables, then written as Excel or PDF."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sqlmodel import Session

from core.settings import Settings
from db.repositories.crm_followup import conversion_by_source, rfm_segments
from db.repositories.dashboard import build_dashboard
from db.repositories.dashboard_sources import open_quotes
from db.repositories.inventory_alerts import list_alerts
from domain.clock import utcnow
from domain.dashboard import PERIOD_LABEL, Dashboard, Kpi, Period

ReportKind = Literal["daily", "weekly", "monthly"]
ReportRole = Literal["direccion", "ventas", "compras", "logistica"]
ReportFormat = Literal["pdf", "xlsx"]
KIND_PERIOD: dict[str, Period] = {"daily": "day", "weekly": "week", "monthly": "month"}
KIND_LABEL = {"daily": "diario", "weekly": "semanal", "monthly": "mensual"}
ROLE_LABEL = {"direccion": "Dirección", "ventas": "Ventas", "compras": "Compras",
              "logistica": "Logística"}  # fmt: skip
Cell = str | int | float | None
ColumnKind = Literal["text", "mxn", "int", "pct", "num"]


@dataclass
class Table:
    """A titled table; each column has a kind that sets its number format."""

    title: str
    headers: list[str]
    kinds: list[ColumnKind]
    rows: list[list[Cell]]
    chart: bool = False  # a bar chart of the second column by the first


@dataclass
class ReportData:
    """What a report says, independent of its file format."""

    title: str
    subtitle: str
    sections: list[tuple[str, list[Kpi]]]
    tables: list[Table] = field(default_factory=list)
    insights: list[str] = field(default_factory=list)
    dashboard: Dashboard | None = None


@dataclass
class ReportFile:
    """A built report."""

    content: bytes
    filename: str
    seconds: float
    data: ReportData


def _sales_tables(d: Dashboard) -> list[Table]:
    def rows(items: list) -> list[list[Cell]]:  # type: ignore[type-arg]
        return [[r.key, r.revenue_cents / 100, r.units, r.share] for r in items]

    heads = ["", "Venta neta (MXN)", "Llantas", "Participación"]
    kinds: list[ColumnKind] = ["text", "mxn", "int", "pct"]
    return [
        Table("Ventas por sucursal", ["Sucursal", *heads[1:]], kinds, rows(d.by_branch), chart=True),
        Table("Ventas por marca", ["Marca", *heads[1:]], kinds, rows(d.by_brand)),
        Table("Ventas por medida", ["Medida", *heads[1:]], kinds, rows(d.by_size)),
        Table(
            "Tendencia (contra el año anterior)", ["Día", "Venta (MXN)", "Año anterior (MXN)"],
            ["text", "mxn", "mxn"],
            [[p.key, p.revenue_cents / 100, p.revenue_last_year_cents / 100] for p in d.trend],
            chart=True,
        ),
    ]  # fmt: skip


def report_data(session: Session, settings: Settings, *, kind: ReportKind, role: ReportRole,
                as_of: date | None = None) -> ReportData:  # fmt: skip
    """The figures of a role's report (the dashboard's, for the kind's period)."""
    period = KIND_PERIOD[kind]
    d = build_dashboard(
        session, settings.dashboard, period=period, as_of=as_of,
        quote_hours=settings.reports.abandoned_quote_hours,
    )  # fmt: skip
    data = ReportData(
        title=f"Reporte {KIND_LABEL[kind]} · {ROLE_LABEL[role]}",
        subtitle=f"TopLlantas · {PERIOD_LABEL[period]}: del {d.date_from:%d/%m/%Y} al "
        f"{d.date_to:%d/%m/%Y} · generado {utcnow():%d/%m/%Y %H:%M} UTC",
        sections=[], dashboard=d,
        insights=[f"{i.text} → {i.action}" for i in d.insights],
    )  # fmt: skip
    if role == "direccion":
        data.sections = [("Ventas", d.sales), ("Inventario", d.inventory),
                         ("Logística", d.logistics), ("Agentes IA", d.agents)]  # fmt: skip
        data.tables = _sales_tables(d)[:2] + _sales_tables(d)[3:]
    elif role == "ventas":
        data.sections = [("Ventas", d.sales), ("Agentes IA", d.agents)]
        data.tables = _sales_tables(d)
        data.tables.append(Table(
            "Segmentos RFM", ["Segmento", "Clientes", "Compras (MXN)", "Ejemplos"],
            ["text", "int", "mxn", "text"],
            [[s.segment, s.customers, s.revenue_cents / 100, ", ".join(s.examples)]
             for s in rfm_segments(session)],
        ))  # fmt: skip
        data.tables.append(Table(
            "Conversión por origen (90 días)", ["Origen", "Abiertos", "Ganados", "Conversión"],
            ["text", "int", "int", "pct"],
            [[c.source, c.quotes, c.won, c.rate]
             for c in conversion_by_source(session, since=utcnow() - timedelta(days=90))],
        ))  # fmt: skip
        data.tables.append(Table(
            "Cotizaciones sin apartar", ["Folio", "Cliente", "Canal", "Total (MXN)"],
            ["text", "text", "text", "mxn"],
            [[q.folio, q.customer, q.channel, q.total_cents / 100]
             for q in open_quotes(session, older_than_hours=settings.reports.abandoned_quote_hours)],
        ))  # fmt: skip
    elif role == "compras":
        data.sections = [("Inventario", d.inventory)]
        alerts, _ = list_alerts(session, state=None, limit=50)
        data.tables = [
            _sales_tables(d)[2],
            Table("Alertas de inventario", ["Urgencia", "SKU", "Situación", "Acción"],
                  ["text", "text", "text", "text"],
                  [[a.urgency, a.sku, a.text, a.action] for a in alerts]),
        ]  # fmt: skip
    else:
        data.sections = [("Logística", d.logistics)]
    return data


def build_report(session: Session, settings: Settings, *, kind: ReportKind, role: ReportRole,
                 fmt: ReportFormat, as_of: date | None = None) -> ReportFile:  # fmt: skip
    """The report as bytes in the chosen format."""
    from adapters.reports.pdf import write_pdf
    from adapters.reports.xlsx import write_xlsx

    started = time.perf_counter()
    data = report_data(session, settings, kind=kind, role=role, as_of=as_of)
    content = write_pdf(data) if fmt == "pdf" else write_xlsx(data)
    day = data.dashboard.date_to if data.dashboard else date.today()
    return ReportFile(
        content=content, filename=f"topllantas-{role}-{kind}-{day.isoformat()}.{fmt}",
        seconds=round(time.perf_counter() - started, 3), data=data,
    )  # fmt: skip


def kpi_text(k: Kpi) -> str:
    """A KPI's value as people read it (pendiente when there is no source)."""
    from domain.pricing import format_mxn

    if k.value is None:
        return "pendiente" if k.status == "pending" else "—"
    if k.unit == "mxn":
        return format_mxn(round(k.value))
    if k.unit == "pct":
        return f"{k.value * 100:.1f} %"
    if k.unit in ("score", "turns"):
        return f"{k.value:.2f}"
    return f"{k.value:,.0f}"


def delta_text(value: float | None) -> str:
    """A relative change, signed."""
    return "" if value is None else f"{value * 100:+.1f} %"
