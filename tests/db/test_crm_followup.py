"""Follow-up of abandoned quotes (window and consent), scheduled reports, the report CLI."""

from __future__ import annotations

import socketserver
import threading
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from adapters.channels.notifier import Notifier
from adapters.reports.build import build_report
from adapters.reports.schedule import kinds_due, queue_scheduled_reports
from core.settings import Settings, SmtpSettings
from db.engine import session_scope
from db.repositories.crm_followup import rfm_segments, run_followups
from db.repositories.dashboard import build_dashboard
from db.repositories.dashboard_sources import open_quotes
from db.repositories.outbox import attachments
from db.tables import Customer, InboundMessage, Lead, Order, Outbox, ReportSubscription
from domain.clock import utcnow
from tests.channels.test_outbound import _SmtpHandler


def test_quotes_get_one_message_inside_the_window_else_a_task(engine: Engine) -> None:
    now = utcnow()
    with session_scope(engine, write=True) as session:
        quotes = open_quotes(session, older_than_hours=4)
        assert len(quotes) >= 2, "the demo data has abandoned quotes"
        inside, outside = quotes[0], quotes[1]
        customer = session.get(Customer, inside.customer_id)
        assert customer is not None and customer.phone
        customer.consent_notifications = True
        session.add(InboundMessage(provider_sid="SM-test-1", phone=customer.phone,
                                   received_at=now - timedelta(hours=2)))  # fmt: skip
    with session_scope(engine, write=True) as session:
        first = run_followups(session, quote_hours=4, now=now)
    assert inside.folio in first.messages and outside.folio in first.tasks
    with session_scope(engine, write=True) as session:
        again = run_followups(session, quote_hours=4, now=now)
        assert not again.messages and not again.tasks and again.skipped >= 2
        msg = session.exec(select(Outbox).where(Outbox.kind == "quote_followup")).one()
        assert msg.to == customer.phone and inside.folio in (msg.body or "")
        task = session.exec(select(Lead).where(Lead.order_id == outside.order_id)).one()
        assert task.kind == "followup" and task.status == "new"


def test_no_consent_means_a_task_not_a_message(engine: Engine) -> None:
    now = utcnow()
    with session_scope(engine, write=True) as session:
        quote = open_quotes(session, older_than_hours=4)[0]
        customer = session.get(Customer, quote.customer_id)
        assert customer is not None and customer.phone
        customer.consent_notifications = False
        session.add(InboundMessage(provider_sid="SM-test-2", phone=customer.phone,
                                   received_at=now - timedelta(hours=1)))  # fmt: skip
    with session_scope(engine, write=True) as session:
        done = run_followups(session, quote_hours=4, now=now)
    assert quote.folio in done.tasks and quote.folio not in done.messages


def test_rfm_segments_cover_every_buying_customer(engine: Engine) -> None:
    with session_scope(engine) as session:
        segments = rfm_segments(session)
        buyers = len({o.customer_id for o in session.exec(select(Order)).all()
                      if o.status not in ("quote", "cancelled")})  # fmt: skip
    assert sum(s.customers for s in segments) == buyers > 0


def test_report_numbers_equal_the_dashboards(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        report = build_report(session, settings, kind="weekly", role="direccion", fmt="xlsx")
        board = build_dashboard(session, settings.dashboard, period="week")
    book = load_workbook(BytesIO(report.content))
    assert book.sheetnames[:2] == ["Resumen", "Ventas por sucursal"]
    summary = book["Resumen"]
    values = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 60)}
    period = next(k for k in board.sales if k.key == "sales_period")
    assert values["Ventas del periodo"] == (period.value or 0) / 100
    assert summary.cell(6, 2).number_format == '"$"#,##0.00'
    assert book["Ventas por sucursal"]._charts, "a chart on the branch sheet"
    with session_scope(engine) as session:
        pdf = build_report(session, settings, kind="daily", role="compras", fmt="pdf")
    assert pdf.content.startswith(b"%PDF-")


def test_scheduled_reports_go_once_to_subscribers_with_the_files_attached(
    engine: Engine, settings: Settings
) -> None:
    monday = date(2026, 11, 23)
    assert (
        kinds_due(monday) == ["daily", "weekly"] and kinds_due(date(2026, 12, 1))[-1] == "monthly"
    )
    with session_scope(engine, write=True) as session:
        session.add(ReportSubscription(role="ventas", kind="weekly", email="v@topllantas.mx",
                                       attach="both"))  # fmt: skip
        session.add(ReportSubscription(role="compras", kind="weekly", email="c@topllantas.mx"))
        session.add(ReportSubscription(role="compras", kind="monthly", email="c@topllantas.mx"))
    assert queue_scheduled_reports(engine, settings, monday) == 2
    assert queue_scheduled_reports(engine, settings, monday) == 0
    with session_scope(engine) as session:
        rows = {r.to: r for r in session.exec(select(Outbox).where(Outbox.kind == "report")).all()}
        files = {to: [(a.filename, a.content[:4]) for a in attachments(session, r.id or 0)]
                 for to, r in rows.items()}  # fmt: skip
    assert [(n[-4:], head[:2]) for n, head in files["v@topllantas.mx"]] == [
        (".pdf", b"%P"),
        ("xlsx", b"PK"),
    ]
    assert [n for n, _ in files["c@topllantas.mx"]] == ["topllantas-compras-weekly-2026-11-19.pdf"]
    purchasing = rows["c@topllantas.mx"].body or ""
    assert "Reporte semanal de inventario TopLlantas" in purchasing  # the inventory week's text
    assert "Ventas por sucursal" in purchasing and "inventario" not in (
        rows["v@topllantas.mx"].body or ""
    )

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.mails = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=server.server_address[1])
        sent = Notifier(engine, settings.model_copy(update={"smtp": smtp})).deliver(
            rows["v@topllantas.mx"].id or 0
        )
    finally:
        server.shutdown()
        server.server_close()
    assert sent.status == "sent"
    [mail] = server.mails  # type: ignore[attr-defined]
    parts = {p.get_filename(): p.get_content() for p in mail["message"].iter_attachments()}
    assert set(parts) == {n for n, _ in files["v@topllantas.mx"]}
    pdf = next(v for k, v in parts.items() if k.endswith(".pdf"))
    assert pdf.startswith(b"%PDF-")


def test_the_report_cli_writes_a_file(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: object
) -> None:
    from cli.main import app

    env = {"TOPLLANTAS_DATABASE_URL": settings.resolved_database_url,
           "TOPLLANTAS_DATA_DIR": str(tmp_path)}  # fmt: skip
    from core.settings import get_settings

    get_settings.cache_clear()
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        app, ["report", "build", "--kind", "monthly", "--role", "ventas", "--format", "xlsx",
              "--out", str(out)], env=env,
    )  # fmt: skip
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    bad = CliRunner().invoke(app, ["report", "build", "--kind", "yearly"], env=env)
    assert bad.exit_code == 2
