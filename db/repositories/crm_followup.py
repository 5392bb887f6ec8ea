"""CRM follow-up of abandoned quotes and waiting leads, conversion by source and channel, and
RFM customer segments."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, col, select

from db.repositories.audit import record
from db.repositories.dashboard_sources import OpenOrder, open_quotes
from db.repositories.inbound import last_inbound_at
from db.repositories.outbox import consents, queue_message
from db.tables import Customer, Lead, Order, Outbox
from domain.clock import as_utc, utcnow
from domain.enums import OrderStatus
from domain.pricing import format_mxn

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
FOLLOWUP_KIND = "quote_followup"
LEAD_FOLLOWUP_KIND = "lead_followup"


class FollowupReport(BaseModel):
    """What one follow-up pass did."""

    messages: list[str] = []  # folios (or lead ids) followed up by WhatsApp
    tasks: list[str] = []  # folios handed to a salesperson (outside the window or no consent)
    skipped: int = 0  # already followed up


def _reachable(session: Session, customer_id: int, phone: str | None, now: datetime) -> bool:
    """Inside the 24-hour window since the customer last wrote, and they accept notices."""
    if not phone:
        return False
    last = last_inbound_at(session, phone)
    if last is None or now - as_utc(last) >= WINDOW:
        return False
    consent = consents(session, customer_id=customer_id, to=phone)
    return consent is None or consent[0]


def _already(session: Session, kind: str, *, order_id: int | None, customer_id: int,
             since: datetime) -> bool:  # fmt: skip
    where = [col(Outbox.kind) == kind, col(Outbox.customer_id) == customer_id]
    if order_id is not None:
        where.append(col(Outbox.order_id) == order_id)
    else:
        where.append(col(Outbox.created_at) >= since)
    sent = session.exec(select(Outbox.id).where(*where)).first()
    if sent is not None:
        return True
    if order_id is None:
        return False
    task = session.exec(
        select(Lead.id).where(col(Lead.order_id) == order_id, col(Lead.kind) == "followup")
    ).first()
    return task is not None


def _follow_quote(session: Session, quote: OpenOrder, now: datetime, report: FollowupReport) -> None:
    if _already(session, FOLLOWUP_KIND, order_id=quote.order_id, customer_id=quote.customer_id,
                since=quote.created_at):  # fmt: skip
        report.skipped += 1
        return
    if _reachable(session, quote.customer_id, quote.phone, now):
        assert quote.phone
        queue_message(
            session, kind=FOLLOWUP_KIND, channel="whatsapp", to=quote.phone,
            customer_id=quote.customer_id, order_id=quote.order_id,
            body=f"Hola, {quote.customer.split()[0]}. Tu cotización #{quote.folio} por "
            f"{format_mxn(quote.total_cents)} sigue disponible. ¿Te la apartamos? "
            "Responde SÍ y te mandamos el enlace del anticipo.",
        )  # fmt: skip
        report.messages.append(quote.folio)
    else:
        session.add(
            Lead(
                session_id=f"order:{quote.folio}", customer_id=quote.customer_id,
                channel=quote.channel, kind="followup", order_id=quote.order_id,
                reason="Cotización sin apartar: llamar al cliente",
                summary=f"{quote.customer} cotizó {format_mxn(quote.total_cents)} "
                f"(#{quote.folio}) y no apartó; fuera de la ventana de 24 h de WhatsApp o sin "
                "consentimiento: contactar por teléfono.",
            )
        )  # fmt: skip
        report.tasks.append(quote.folio)
    record(session, actor="system:followup", action="follow_up", entity="order",
           entity_id=quote.folio)  # fmt: skip


def run_followups(session: Session, *, quote_hours: int, now: datetime | None = None) -> FollowupReport:
    """Each abandoned quote (no reservation after ``quote_hours``) gets one WhatsApp message
    when the customer wrote in the last 24 h and accepts notices, otherwise one task for a
    salesperson; each new lead older than ``quote_hours`` from a customer still inside the
    window gets one message saying an advisor will call. Idempotent."""
    now = now or utcnow()
    report = FollowupReport()
    for quote in open_quotes(session, older_than_hours=quote_hours):
        _follow_quote(session, quote, now, report)
    cutoff = now - timedelta(hours=quote_hours)
    leads = session.exec(
        select(Lead, Customer)
        .join(Customer, col(Customer.id) == Lead.customer_id)
        .where(col(Lead.status) == "new", col(Lead.kind) != "followup",
               col(Lead.created_at) <= cutoff)
    ).all()  # fmt: skip
    for lead, customer in leads:
        cid = customer.id or 0
        if _already(session, LEAD_FOLLOWUP_KIND, order_id=None, customer_id=cid,
                    since=lead.created_at):  # fmt: skip
            report.skipped += 1
            continue
        if _reachable(session, cid, customer.phone, now):
            assert customer.phone
            queue_message(
                session, kind=LEAD_FOLLOWUP_KIND, channel="whatsapp", to=customer.phone,
                customer_id=cid,
                body=f"Hola, {customer.name.split()[0]}. Un asesor de TopLlantas te contactará "
                "hoy sobre tu solicitud. Si prefieres, responde aquí con tu duda.",
            )  # fmt: skip
            report.messages.append(f"lead-{lead.id}")
    return report


class ConversionRow(BaseModel):
    """Quotes and orders of one source (order channel) or leads of one channel."""

    source: str
    quotes: int
    won: int
    rate: float | None


def conversion_by_source(session: Session, *, since: datetime) -> list[ConversionRow]:
    """Per order channel: orders opened since ``since`` and those past quote (not cancelled);
    per lead channel: leads and leads won."""
    rows = session.execute(
        sa.select(col(Order.channel), col(Order.status), sa.func.count())
        .where(col(Order.created_at) >= since)
        .group_by(col(Order.channel), col(Order.status))
    ).all()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for channel, status, n in rows:
        totals[f"pedidos · {channel}"][0] += n
        if status not in (OrderStatus.QUOTE.value, OrderStatus.CANCELLED.value):
            totals[f"pedidos · {channel}"][1] += n
    for channel, status, n in session.execute(
        sa.select(col(Lead.channel), col(Lead.status), sa.func.count())
        .where(col(Lead.created_at) >= since)
        .group_by(col(Lead.channel), col(Lead.status))
    ).all():
        totals[f"prospectos · {channel}"][0] += n
        if status == "won":
            totals[f"prospectos · {channel}"][1] += n
    return [
        ConversionRow(source=k, quotes=q, won=w, rate=round(w / q, 4) if q else None)
        for k, (q, w) in sorted(totals.items())
    ]


class RfmSegment(BaseModel):
    """Customers of one RFM segment."""

    segment: str
    customers: int
    revenue_cents: int
    examples: list[str]


SEGMENTS = ("Campeones", "Leales", "Nuevos", "Potenciales", "En riesgo", "Perdidos")


def _score(values: list[float], value: float) -> int:
    """1-5 by the share of values at or below ``value`` (quintiles by rank)."""
    below = sum(1 for v in values if v <= value)
    return min(5, 1 + int(5 * (below - 1) / max(1, len(values))))


def rfm_segments(session: Session, *, now: datetime | None = None) -> list[RfmSegment]:
    """Recency, frequency and monetary value from orders past quote (cancelled excluded),
    scored 1-5 by quintile (money orders the examples), then named: Campeones (R≥4, F≥4), Leales (F≥4), Nuevos (R≥4,
    F=1), En riesgo (R≤2, F≥3), Perdidos (R≤2), Potenciales (the rest)."""
    now = now or utcnow()
    rows = session.execute(
        sa.select(col(Customer.name), sa.func.max(col(Order.created_at)), sa.func.count(),
                  sa.func.sum(col(Order.total_cents)))
        .join(Customer, col(Customer.id) == Order.customer_id)
        .where(col(Order.status).not_in([OrderStatus.QUOTE.value, OrderStatus.CANCELLED.value]))
        .group_by(col(Customer.id), col(Customer.name))
    ).all()  # fmt: skip
    if not rows:
        return []
    recency = [float(-(now - as_utc(last)).days) for _, last, _, _ in rows]
    freq = [float(n) for _, _, n, _ in rows]
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i, (name, _, n, m) in enumerate(rows):
        r, f = _score(recency, recency[i]), _score(freq, freq[i])
        if r >= 4 and f >= 4:
            seg = "Campeones"
        elif f >= 4:
            seg = "Leales"
        elif r >= 4 and n == 1:
            seg = "Nuevos"
        elif r <= 2 and f >= 3:
            seg = "En riesgo"
        elif r <= 2:
            seg = "Perdidos"
        else:
            seg = "Potenciales"
        groups[seg].append((name, int(m or 0)))
    return [
        RfmSegment(
            segment=s, customers=len(groups[s]), revenue_cents=sum(v for _, v in groups[s]),
            examples=[n for n, _ in sorted(groups[s], key=lambda x: -x[1])[:3]],
        )
        for s in SEGMENTS if groups.get(s)
    ]  # fmt: skip
