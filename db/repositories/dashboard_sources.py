"""Figures the dashboard reads from other products: the inventory engine's optimum, logistics,
the AI agents' conversations, moving products, open quotes and unpaid reservations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.settings import DashboardSettings
from db.repositories.catalog import branch_by_code
from db.repositories.replenishment import current_state
from db.tables import (
    Branch,
    ChatSession,
    Customer,
    Delivery,
    Interaction,
    Lead,
    Order,
    Product,
    SalesDaily,
    SupportCase,
)
from domain.clock import MEXICO_CITY, utcnow
from domain.dashboard import PENDING, Kpi
from domain.enums import OrderStatus


def capital_optimum_cents(session: Session, *, branch: str | None) -> int:
    """What the stock should cost under the engine's policy: safety stock plus half a cycle
    (order-up-to minus reorder point) of every item, at list cost."""
    snap, policies, _ = current_state(session, order_cost_cents=0)
    total = 0.0
    for item in snap.items:
        if branch and item.branch != branch:
            continue
        policy = policies.get((item.sku, item.branch))
        if policy is None:
            continue
        cycle = max(0, policy.order_up_to - policy.reorder_point)
        total += (policy.safety_stock + cycle / 2) * item.unit_cost_cents
    return round(total)


def _columns(session: Session, table: str) -> set[str]:
    inspector = sa.inspect(session.get_bind())
    if not inspector.has_table(table):
        return set()
    return {c["name"] for c in inspector.get_columns(table)}


def logistics_figures(
    session: Session, cfg: DashboardSettings, *, branch: str | None, today: date
) -> list[Kpi]:
    """Deliveries today, on-time rate and cost per delivery; pendiente until the logistics
    product's tables (delivery times, route costs) exist."""
    delivery = _columns(session, "delivery")
    routes = _columns(session, "delivery_route")
    since = datetime.combine(today, datetime.min.time(), MEXICO_CITY)
    until = since + timedelta(days=1)
    where = "window_start >= :a AND window_start < :b"
    params: dict[str, object] = {"a": since, "b": until}
    if branch and "branch_id" in delivery:
        where += " AND branch_id = :branch"
        params["branch"] = branch_by_code(session, branch).id
    today_count: float | None = None
    on_time: float | None = None
    cost: float | None = None
    if delivery:
        today_count = session.execute(
            sa.text(f"SELECT count(*) FROM delivery WHERE {where}"), params
        ).scalar_one()
    if {"delivered_at", "window_end"} <= delivery:
        month_ago = {**params, "a": since - timedelta(days=30)}
        done, ok = session.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(CASE WHEN delivered_at <= window_end THEN 1 "
                f"ELSE 0 END), 0) FROM delivery WHERE delivered_at IS NOT NULL AND {where}"
            ),
            month_ago,
        ).one()
        on_time = round(ok / done, 4) if done else None
        if {"cost_cents", "day"} <= routes and done:
            spent = session.execute(
                sa.text("SELECT coalesce(sum(cost_cents), 0) FROM delivery_route "
                        "WHERE day >= :a AND day <= :b"),
                {"a": today - timedelta(days=30), "b": today},
            ).scalar_one()  # fmt: skip
            cost = round(spent / done) if spent else None
    pending = f"{PENDING}: el módulo de logística aún no registra este dato"
    return [
        Kpi(key="deliveries_today", label="Entregas de hoy", value=today_count, unit="count",
            status="pending" if today_count is None else "ok",
            hint=pending if today_count is None else "Entregas programadas para hoy",
            link="/dashboard/logistics"),
        Kpi(key="on_time_rate", label="Entregas a tiempo", value=on_time, unit="pct",
            status="pending" if on_time is None
            else "alert" if on_time < cfg.on_time_min else "ok",
            target=cfg.on_time_min,
            hint=pending if on_time is None else "Entregadas dentro de su ventana, 30 días"),
        Kpi(key="cost_per_delivery", label="Costo por entrega", value=cost, unit="mxn",
            status="pending" if cost is None else "ok",
            hint=pending if cost is None else "Costo de las rutas entre entregas, 30 días"),
    ]  # fmt: skip


def agent_figures(
    session: Session, cfg: DashboardSettings, *, since: datetime, until: datetime
) -> list[Kpi]:
    """Conversations, sales the agents closed alone, resolved without hand-off, satisfaction,
    hand-offs waiting (from chat sessions, CRM interactions, leads, and the surveys answered
    in the period: support cases by their opening, deliveries by their answer)."""
    in_period = [col(ChatSession.created_at) >= since, col(ChatSession.created_at) < until]
    conversations = session.exec(
        select(sa.func.count()).select_from(ChatSession)
        .where(col(ChatSession.role) == "customer", *in_period)
    ).one()  # fmt: skip
    handed = session.exec(
        select(sa.func.count(sa.distinct(col(Lead.session_id))))
        .join(ChatSession, col(ChatSession.id) == Lead.session_id)
        .where(col(ChatSession.role) == "customer", *in_period)
    ).one()  # fmt: skip
    closed = session.exec(
        select(sa.func.count(sa.distinct(col(Interaction.session_id))))
        .join(ChatSession, col(ChatSession.id) == Interaction.session_id)
        .where(col(Interaction.outcome) == "reserved", *in_period)
        .where(~col(Interaction.session_id).in_(select(Lead.session_id)))
    ).one()  # fmt: skip
    resolved = round((conversations - handed) / conversations, 4) if conversations else None
    support = session.exec(
        select(sa.func.count(), sa.func.sum(SupportCase.satisfaction)).where(
            col(SupportCase.satisfaction).is_not(None),
            col(SupportCase.created_at) >= since, col(SupportCase.created_at) < until,
        )
    ).one()  # fmt: skip
    deliveries = session.exec(
        select(sa.func.count(), sa.func.sum(Delivery.survey_score)).where(
            col(Delivery.survey_score).is_not(None),
            col(Delivery.surveyed_at) >= since, col(Delivery.surveyed_at) < until,
        )
    ).one()  # fmt: skip
    waiting = session.exec(
        select(sa.func.count()).select_from(Lead).where(col(Lead.status) == "new")
    ).one()
    surveys = int(support[0]) + int(deliveries[0])
    points = int(support[1] or 0) + int(deliveries[1] or 0)
    score = round(points / surveys, 2) if surveys else None
    return [
        Kpi(key="conversations", label="Conversaciones", value=conversations, unit="count",
            status="ok", hint="Conversaciones de clientes iniciadas en el periodo",
            link="/dashboard/agents"),
        Kpi(key="sales_without_person", label="Ventas cerradas sin persona", value=closed,
            unit="count", status="ok",
            hint="Conversaciones con apartado y sin pase a un asesor"),
        Kpi(key="resolved_without_handoff", label="Resueltas sin pasar a persona",
            value=resolved, unit="pct", target=cfg.resolved_without_handoff_min,
            status="ok" if resolved is None or resolved >= cfg.resolved_without_handoff_min
            else "alert",
            hint="Sin conversaciones en el periodo" if resolved is None
            else "Conversaciones sin prospecto para un asesor"),
        Kpi(key="satisfaction", label="Satisfacción", value=score, unit="score",
            target=cfg.satisfaction_min,
            status="ok" if score is None or score >= cfg.satisfaction_min else "alert",
            hint=survey_hint(int(support[0]), int(deliveries[0]))),
        Kpi(key="handoffs_waiting", label="Esperando a un asesor", value=waiting, unit="count",
            status="alert" if waiting > cfg.handoffs_waiting_max else "ok",
            target=cfg.handoffs_waiting_max, hint="Prospectos nuevos sin atender",
            link="/dashboard/agents"),
    ]  # fmt: skip


def survey_hint(support: int, deliveries: int) -> str:
    """Which surveys the satisfaction figure averages, said on its card."""

    def count(n: int, what: str) -> str:
        return f"{n} encuesta{'' if n == 1 else 's'} de {what}"

    if support and deliveries:
        return f"Promedio (1-5) de {count(support, 'soporte')} y {count(deliveries, 'entregas')}"
    if support:
        return f"Promedio (1-5) de {count(support, 'soporte')}; sin encuestas de entregas"
    if deliveries:
        return f"Promedio (1-5) de {count(deliveries, 'entregas')}; sin encuestas de soporte"
    return "Sin encuestas de soporte ni de entregas en el periodo"


@dataclass(frozen=True)
class MovingProduct:
    """A product whose sales rose or fell between two windows."""

    sku: str
    label: str
    units_now: int
    units_before: int

    @property
    def growth(self) -> float:
        return (
            (self.units_now - self.units_before) / self.units_before if self.units_before else 1.0
        )


def moving_products(
    session: Session, *, branch: str | None, as_of: date, rising: bool
) -> list[MovingProduct]:
    """Rising: ≥ 10 units in the last 14 days and ≥ 50 % over the 14 before. Falling: ≥ 10
    units in the 28 days before the last 28 and ≥ 40 % fewer since."""
    days = 14 if rising else 28
    now_start = as_of - timedelta(days=days - 1)
    before_start = now_start - timedelta(days=days)
    window = sa.case((col(SalesDaily.day) >= now_start, 1), else_=0)
    now_units = sa.func.sum(col(SalesDaily.units) * window)
    before_units = sa.func.sum(col(SalesDaily.units) * (1 - window))
    query = (
        sa.select(col(Product.sku), col(Product.brand), col(Product.line), col(Product.size),
                  now_units, before_units)
        .join(Product, col(Product.id) == SalesDaily.product_id)
        .where(col(SalesDaily.day) >= before_start, col(SalesDaily.day) <= as_of)
        .group_by(col(Product.sku), col(Product.brand), col(Product.line), col(Product.size))
    )  # fmt: skip
    if branch:
        query = query.where(col(SalesDaily.branch_id) == branch_by_code(session, branch).id)
    if rising:
        query = query.having(now_units >= 10, now_units >= before_units * 1.5)
        query = query.order_by((now_units - before_units).desc())
    else:
        query = query.having(before_units >= 10, now_units <= before_units * 0.6)
        query = query.order_by((before_units - now_units).desc())
    return [
        MovingProduct(sku=s, label=f"{b} {ln} {sz}", units_now=int(n), units_before=int(p))
        for s, b, ln, sz, n, p in session.execute(query.limit(5)).all()
    ]


@dataclass(frozen=True)
class OpenOrder:
    """A quote or a reservation someone should follow up."""

    order_id: int
    folio: str
    customer_id: int
    customer: str
    phone: str | None
    channel: str
    total_cents: int
    paid_cents: int
    created_at: datetime


def _open_orders(session: Session, *where: sa.ColumnElement[bool]) -> list[OpenOrder]:
    rows = session.execute(
        sa.select(Order, col(Customer.name), col(Customer.phone))
        .join(Customer, col(Customer.id) == Order.customer_id)
        .where(*where)
        .order_by(col(Order.created_at).desc())
        .limit(200)
    ).all()
    return [
        OpenOrder(
            order_id=o.id or 0, folio=o.folio or "", customer_id=o.customer_id, customer=name,
            phone=phone, channel=o.channel, total_cents=o.total_cents, paid_cents=o.paid_cents,
            created_at=o.created_at,
        )
        for o, name, phone in rows
    ]  # fmt: skip


def open_quotes(session: Session, *, older_than_hours: int) -> list[OpenOrder]:
    """Quotes with no reservation after ``older_than_hours`` (still status quote)."""
    cutoff = utcnow() - timedelta(hours=older_than_hours)
    return _open_orders(
        session, col(Order.status) == OrderStatus.QUOTE.value, col(Order.created_at) <= cutoff
    )


def unpaid_reservations(session: Session) -> list[OpenOrder]:
    """Reserved orders with a balance to pay."""
    return _open_orders(
        session,
        col(Order.status) == OrderStatus.RESERVED.value,
        col(Order.paid_cents) < col(Order.total_cents),
    )


def branch_codes(session: Session) -> list[str]:
    """Every branch code, sorted."""
    return list(session.exec(select(Branch.code).order_by(col(Branch.code))).all())
