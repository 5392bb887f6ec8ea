"""Scheduled reports: daily every day, weekly on Mondays, monthly on the 1st, e-mailed with the
files attached through the outbox to each role's subscribers once a day (the outbox row and its
attachments are the record of what went)."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from adapters.reports.build import (
    KIND_LABEL,
    ROLE_LABEL,
    ReportFile,
    ReportFormat,
    ReportKind,
    ReportRole,
    build_report,
)
from core.settings import Settings
from db.engine import session_scope
from db.repositories.inventory_report import weekly_report
from db.repositories.outbox import attach_file, queue_message
from db.tables import Outbox, ReportSubscription

MEDIA_TYPE = {
    ".pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def kinds_due(day: date) -> list[ReportKind]:
    """Which reports go out on ``day``."""
    kinds: list[ReportKind] = ["daily"]
    if day.weekday() == 0:
        kinds.append("weekly")
    if day.day == 1:
        kinds.append("monthly")
    return kinds


def _attach_formats(attach: str) -> tuple[ReportFormat, ...]:
    return ("pdf", "xlsx") if attach == "both" else ("xlsx",) if attach == "xlsx" else ("pdf",)


def queue_scheduled_reports(engine: Engine, settings: Settings, day: date) -> int:
    """Queue today's reports for every active subscriber (each once a day), the files attached
    to the e-mail (PDF, Excel or both, as subscribed); the weekly report of purchasing (compras)
    also carries the weekly inventory report's text. Returns messages queued."""
    with session_scope(engine) as session:
        due = [
            s for s in session.exec(
                select(ReportSubscription).where(col(ReportSubscription.active).is_(True))
                .order_by(col(ReportSubscription.id))
            ).all()
            if s.kind in kinds_due(day)
            and session.exec(
                select(Outbox.id).where(Outbox.kind == "report", Outbox.to == s.email,
                                        Outbox.subject == _subject(s, day))
            ).first() is None
        ]  # fmt: skip
        # built outside the write transaction (a report takes a second or two), once per file
        files: dict[tuple[str, str, str], ReportFile] = {}
        for sub in due:
            for fmt in _attach_formats(sub.attach):
                key = (sub.kind, sub.role, fmt)
                if key not in files:
                    files[key] = build_report(
                        session, settings, kind=cast(ReportKind, sub.kind),
                        role=cast(ReportRole, sub.role), fmt=fmt,
                    )  # fmt: skip
        inventory_text = (
            weekly_report(session, today=day, settings=settings).text
            if any(s.kind == "weekly" and s.role == "compras" for s in due) else None
        )  # fmt: skip
    queued = 0
    with session_scope(engine, write=True) as session:
        for sub in due:
            kind, role = cast(ReportKind, sub.kind), cast(ReportRole, sub.role)
            attached = [files[(kind, role, fmt)] for fmt in _attach_formats(sub.attach)]
            body = (
                f"Hola{', ' + sub.name if sub.name else ''}. Te enviamos el reporte "
                f"{KIND_LABEL[kind]} de {ROLE_LABEL[role]} "
                f"({', '.join(f.filename for f in attached)})."
            )
            if inventory_text and kind == "weekly" and role == "compras":
                body += "\n\n" + inventory_text
            row = queue_message(
                session, kind="report", channel="email", to=sub.email,
                subject=_subject(sub, day), body=body,
            )  # fmt: skip
            for f in attached:
                attach_file(
                    session, row, filename=f.filename, media_type=MEDIA_TYPE[f.filename[-4:]],
                    content=f.content,
                )  # fmt: skip
            queued += 1
    return queued


def _subject(sub: ReportSubscription, day: date) -> str:
    kind, role = cast(ReportKind, sub.kind), cast(ReportRole, sub.role)
    return f"Reporte {KIND_LABEL[kind]} de {ROLE_LABEL[role]} — {day:%d/%m/%Y}"


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
