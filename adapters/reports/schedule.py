"""Scheduled reports: daily every day, weekly on Mondays, monthly on the 1st, e-mailed through
the outbox to each role's subscribers once a day (the outbox row is the record that it went)."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from adapters.reports.build import KIND_LABEL, ROLE_LABEL, ReportKind, ReportRole
from core.settings import Settings
from db.engine import session_scope
from db.repositories.outbox import queue_message
from db.tables import Outbox, ReportSubscription


def kinds_due(day: date) -> list[ReportKind]:
    """Which reports go out on ``day``."""
    kinds: list[ReportKind] = ["daily"]
    if day.weekday() == 0:
        kinds.append("weekly")
    if day.day == 1:
        kinds.append("monthly")
    return kinds


def queue_scheduled_reports(engine: Engine, settings: Settings, day: date) -> int:
    """Queue today's reports for every active subscriber (each once a day); the e-mail links
    to the file on the dashboard, where signing in is required. Returns messages queued."""
    base = settings.public_base_url.rstrip("/")
    queued = 0
    with session_scope(engine, write=True) as session:
        subs = session.exec(
            select(ReportSubscription).where(col(ReportSubscription.active).is_(True))
        ).all()
        for sub in subs:
            if sub.kind not in kinds_due(day):
                continue
            kind = sub.kind
            role = cast(ReportRole, sub.role)
            subject = f"Reporte {KIND_LABEL[kind]} de {ROLE_LABEL[role]} — {day:%d/%m/%Y}"
            seen = session.exec(
                select(Outbox.id).where(Outbox.kind == "report", Outbox.to == sub.email,
                                        Outbox.subject == subject)
            ).first()  # fmt: skip
            if seen is not None:
                continue
            links = " · ".join(
                f"{fmt.upper()}: {base}/dashboard/report?kind={kind}&role={role}&format={fmt}"
                for fmt in ("pdf", "xlsx")
            )
            queue_message(
                session, kind="report", channel="email", to=sub.email, subject=subject,
                body=f"Hola{', ' + sub.name if sub.name else ''}. Tu reporte {KIND_LABEL[kind]} "
                f"de {ROLE_LABEL[role]} está listo (entra con tu cuenta): {links}",
            )  # fmt: skip
            queued += 1
    return queued


def sweep_once(engine: Engine, settings: Settings) -> tuple[int, int]:
    """The server sweep's part: today's reports from the configured hour (when scheduled) and
    the CRM follow-up (when enabled). Returns (reports queued, follow-ups written)."""
    from db.repositories.crm_followup import run_followups
    from domain.clock import mexico_now

    reports = followups = 0
    now = mexico_now()
    if settings.reports_scheduled and now.hour >= settings.reports.hour:
        reports = queue_scheduled_reports(engine, settings, now.date())
    if settings.followups_enabled:
        with session_scope(engine, write=True) as session:
            done = run_followups(session, quote_hours=settings.reports.abandoned_quote_hours)
        followups = len(done.messages) + len(done.tasks)
    return reports, followups
