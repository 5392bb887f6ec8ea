"""topllantas appointments: the day-before reminders (run it once a day, e.g. from cron)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer

from adapters.channels.notifier import Notifier
from core.settings import get_settings
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.repositories.appointments import queue_reminders
from domain.clock import mexico_today

appointments_app = typer.Typer(
    no_args_is_help=True, help="Service appointments: reminders.", add_completion=False
)


@appointments_app.command("remind")
def remind(
    day: Annotated[
        str | None, typer.Option(help="Appointments of this day, AAAA-MM-DD (default: tomorrow)")
    ] = None,
    send: Annotated[bool, typer.Option(help="Send them now (else the sweep sends them)")] = True,
) -> None:
    """Write a reminder to the outbox for every booked appointment of tomorrow (Mexico City)
    that has none yet, then send them. Running it twice writes nothing new."""
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    wanted = date.fromisoformat(day) if day else mexico_today() + timedelta(days=1)
    with session_scope(engine, write=True) as session:
        ids = queue_reminders(session, wanted, actor="cli:appointments")
    sent = 0
    if send and ids:
        notifier = Notifier(engine, settings)
        sent = sum(1 for i in ids if notifier.deliver(i).status == "sent")
    typer.echo(f"Reminders for {wanted.isoformat()}: {len(ids)} written, {sent} sent.")
    engine.dispose()
