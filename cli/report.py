"""topllantas report: build a role's report as Excel or PDF; send today's scheduled reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from adapters.channels.notifier import Notifier
from adapters.reports.build import ReportFormat, ReportKind, ReportRole, build_report
from adapters.reports.schedule import queue_scheduled_reports
from core.settings import get_settings
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from domain.clock import mexico_today

report_app = typer.Typer(
    no_args_is_help=True, help="Reports by role (Excel/PDF) and their e-mail schedule.",
    add_completion=False,
)  # fmt: skip


@report_app.command("build")
def build(
    kind: Annotated[str, typer.Option(help="daily | weekly | monthly")] = "daily",
    role: Annotated[str, typer.Option(help="direccion | ventas | compras | logistica")] = "direccion",
    fmt: Annotated[str, typer.Option("--format", help="pdf | xlsx")] = "xlsx",
    out: Annotated[Path | None, typer.Option(help="File to write (default: its own name)")] = None,
    as_of: Annotated[str | None, typer.Option("--date", help="Last day, AAAA-MM-DD")] = None,
) -> None:
    """Write the report; its numbers are the dashboard's and the API's for the same period."""
    if kind not in ("daily", "weekly", "monthly") or role not in (
        "direccion", "ventas", "compras", "logistica"
    ) or fmt not in ("pdf", "xlsx"):  # fmt: skip
        typer.secho("error: --kind daily|weekly|monthly, --role direccion|ventas|compras|"
                    "logistica, --format pdf|xlsx", fg="red", err=True)  # fmt: skip
        raise typer.Exit(code=2)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        typer.secho(f"error: --date must be AAAA-MM-DD, got {as_of!r}", fg="red", err=True)
        raise typer.Exit(code=2) from None
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    k: ReportKind = kind  # type: ignore[assignment]
    r: ReportRole = role  # type: ignore[assignment]
    f: ReportFormat = fmt  # type: ignore[assignment]
    with session_scope(engine) as session:
        report = build_report(session, settings, kind=k, role=r, fmt=f, as_of=day)
    path = out or Path(report.filename)
    path.write_bytes(report.content)
    typer.echo(f"{path} ({len(report.content):,} bytes, {report.seconds:.2f} s)")


@report_app.command("send")
def send(
    as_of: Annotated[str | None, typer.Option("--date", help="As of this day")] = None,
) -> None:
    """Queue and send today's scheduled reports to their subscribers (cron, or a worker)."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    day = date.fromisoformat(as_of) if as_of else mexico_today()
    queued = queue_scheduled_reports(engine, settings, day)
    sent = Notifier(engine, settings).deliver_queued()
    typer.echo(f"{queued} reports queued, {sent} messages sent")
