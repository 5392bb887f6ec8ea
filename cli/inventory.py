"""topllantas inventory: the nightly job (for a worker or cron) and the weekly report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from adapters.channels.notifier import Notifier
from core.settings import get_settings
from db.engine import make_engine, session_scope
from db.inventory_job import run_nightly
from db.leadership import Leadership
from db.migrate import upgrade
from db.repositories.inventory_report import weekly_report
from domain.clock import mexico_today
from domain.pricing import format_mxn

inventory_app = typer.Typer(
    no_args_is_help=True, help="Inventory intelligence: nightly forecast and alerts, reports.",
    add_completion=False,
)  # fmt: skip


def _day(value: str | None) -> date:
    if not value:
        return mexico_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.secho(f"error: --date must be AAAA-MM-DD, got {value!r}", fg="red", err=True)
        raise typer.Exit(code=2) from None


@inventory_app.command("nightly")
def nightly(
    day: Annotated[
        str | None, typer.Option("--date", help="Run as of this day, AAAA-MM-DD (default: today)")
    ] = None,
    send: Annotated[
        bool, typer.Option(help="Send the alert messages now (else the sweep does)")
    ] = True,
) -> None:
    """Forecast every SKU x branch from the sales history, compute the reorder policy, write
    reorder and transfer suggestions and alerts, and queue the alerts to each branch's staff."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    # The same lock as the scheduled run: never two nightly jobs at once, whoever starts them.
    with Leadership(engine, settings.data_dir / "locks", "job:nightly") as held:
        if not held:
            typer.secho(
                "error: the nightly job is running in another process; try again when it ends",
                fg="red", err=True,
            )  # fmt: skip
            raise typer.Exit(code=1)
        report = run_nightly(engine, settings, _day(day))
    sent = Notifier(engine, settings).deliver_queued() if send else 0
    typer.echo(
        f"Run {report.run_id} for {report.run_date}: {report.series} series forecast in "
        f"{report.forecast_seconds:.1f} s (total {report.total_seconds:.1f} s); "
        f"{report.suggestions} purchase suggestions ({format_mxn(report.purchase_cents)}), "
        f"{report.transfers} transfer suggestions; alerts: {report.alerts_opened} new, "
        f"{report.alerts_refreshed} still open, {report.alerts_resolved} resolved; "
        f"{report.messages} messages queued, {sent} sent."
    )
    engine.dispose()


@inventory_app.command("report")
def report(
    day: Annotated[str | None, typer.Option("--date", help="Week ending the day before")] = None,
) -> None:
    """Print the weekly inventory report (Spanish text) for the week before the date."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        typer.echo(weekly_report(session, today=_day(day), settings=settings).text)
    engine.dispose()
