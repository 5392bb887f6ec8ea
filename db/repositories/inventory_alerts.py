"""Inventory alerts: opened once per situation (de-duplication key), refreshed while it lasts,
resolved when it ends; sent to the branch's staff through the outbox by their channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories.audit import record
from db.repositories.outbox import queue_message
from db.tables import Branch, InventoryAlert, StaffMember
from domain.clock import utcnow
from domain.inventory_text import ALERT_SUMMARY_ACTION, alert_template_variables, summary_line

LIVE = ("open", "acknowledged")
URGENCIES = ("crítico", "alto", "medio", "sobreinventario", "antigüedad", "oportunidad")
CHANNELS = ("whatsapp", "email", "sms")


@dataclass(frozen=True)
class AlertDraft:
    """A situation found tonight."""

    dedup_key: str
    urgency: str
    text: str
    action: str
    sku: str = ""
    product_id: int | None = None
    branch_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertSync:
    """What a night's sync did."""

    opened: list[int]
    refreshed: int
    resolved: int


def sync_alerts(
    session: Session, drafts: Sequence[AlertDraft], *, run_id: int | None, now: datetime
) -> AlertSync:
    """Open an alert for each draft whose key has no live alert; refresh the text of live ones
    (no new message: the situation has not changed); resolve live alerts absent tonight."""
    live = {
        a.dedup_key: a
        for a in session.exec(
            select(InventoryAlert).where(col(InventoryAlert.state).in_(LIVE))
        ).all()
    }
    opened = []
    refreshed = 0
    seen = set()
    for d in drafts:
        if d.dedup_key in seen:
            continue
        seen.add(d.dedup_key)
        row = live.get(d.dedup_key)
        if row is not None:
            row.text, row.action, row.detail = d.text, d.action, d.detail
            row.run_id, row.updated_at = run_id, now
            session.add(row)
            refreshed += 1
            continue
        row = InventoryAlert(
            dedup_key=d.dedup_key, urgency=d.urgency, product_id=d.product_id,
            branch_id=d.branch_id, sku=d.sku, text=d.text, action=d.action, detail=d.detail,
            run_id=run_id, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        opened.append(row.id or 0)
    resolved = 0
    for key, row in live.items():
        if key not in seen:
            row.state, row.resolved_at, row.updated_at = "resolved", now, now
            session.add(row)
            resolved += 1
    return AlertSync(opened, refreshed, resolved)


def recipients(session: Session, branch_id: int | None) -> list[StaffMember]:
    """Active staff who receive alerts for the branch (and those who receive every branch's)."""
    where = [col(StaffMember.active), col(StaffMember.receives_alerts)]
    scope: sa.ColumnElement[bool] = col(StaffMember.branch_id).is_(None)
    if branch_id is not None:
        scope = sa.or_(scope, col(StaffMember.branch_id) == branch_id)
    return list(
        session.exec(select(StaffMember).where(*where, scope).order_by(col(StaffMember.id))).all()
    )


def address(member: StaffMember) -> tuple[str, str] | None:
    """(channel, to) by the person's preference, falling back to what they have."""
    if member.notify_channel == "email" and member.email:
        return "email", member.email
    if member.notify_channel in ("whatsapp", "sms") and member.phone:
        return member.notify_channel, member.phone
    if member.phone:
        return "whatsapp", member.phone
    if member.email:
        return "email", member.email
    return None


def queue_alert_messages(
    session: Session, alert_ids: Sequence[int], *, urgencies: Sequence[str], per_branch: int
) -> int:
    """Outbox rows for the new alerts of the chosen urgencies, to the staff of each alert's
    branch by their channel; beyond ``per_branch`` alerts per branch, one summary line."""
    if not alert_ids:
        return 0
    order = {u: i for i, u in enumerate(URGENCIES)}
    rows = session.exec(select(InventoryAlert).where(col(InventoryAlert.id).in_(alert_ids))).all()
    wanted = sorted(
        (a for a in rows if a.urgency in urgencies),
        key=lambda a: (order.get(a.urgency, 99), a.id or 0),
    )
    by_branch: dict[int | None, list[InventoryAlert]] = {}
    for a in wanted:
        by_branch.setdefault(a.branch_id, []).append(a)
    codes = {b.id: b.code for b in session.exec(select(Branch)).all()}
    queued = 0
    for branch_id, alerts in by_branch.items():
        people = [(m, address(m)) for m in recipients(session, branch_id)]
        for alert in alerts[:per_branch]:
            for _, where in people:
                if where is None:
                    continue
                queue_message(
                    session, kind="inventory_alert", channel=where[0], to=where[1],
                    body=alert.text, subject=f"Alerta de inventario ({alert.urgency})",
                    content_variables=alert_template_variables(
                        alert.urgency, alert.text, alert.action
                    ) if where[0] == "whatsapp" else None,
                )  # fmt: skip
                alert.notified += 1
                queued += 1
            session.add(alert)
        more = len(alerts) - per_branch
        if more > 0:
            for _, where in people:
                if where is not None:
                    line = summary_line(codes.get(branch_id, "todas"), more)
                    queue_message(
                        session, kind="inventory_alert", channel=where[0], to=where[1],
                        body=line, subject="Alertas de inventario",
                        content_variables=alert_template_variables(
                            "Resumen", line, ALERT_SUMMARY_ACTION
                        ) if where[0] == "whatsapp" else None,
                    )  # fmt: skip
                    queued += 1
    return queued


def list_alerts(
    session: Session,
    *,
    urgency: str | None = None,
    branch_id: int | None = None,
    state: str | None = "open",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InventoryAlert], int]:
    """Alerts, most urgent first, newest first within an urgency; ``state=None`` = live ones."""
    where = []
    if urgency is not None:
        if urgency not in URGENCIES:
            raise InvalidRequest(f"urgency must be one of {', '.join(URGENCIES)}", field="urgency")
        where.append(col(InventoryAlert.urgency) == urgency)
    if branch_id is not None:
        where.append(col(InventoryAlert.branch_id) == branch_id)
    if state is None:
        where.append(col(InventoryAlert.state).in_(LIVE))
    else:
        where.append(col(InventoryAlert.state) == state)
    rank = sa.case(
        *((col(InventoryAlert.urgency) == u, i) for i, u in enumerate(URGENCIES)), else_=99
    )
    total = session.exec(select(sa.func.count()).select_from(InventoryAlert).where(*where)).one()
    rows = session.exec(
        select(InventoryAlert)
        .where(*where)
        .order_by(rank, col(InventoryAlert.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def acknowledge(session: Session, alert_id: int, *, actor: str) -> InventoryAlert:
    """Mark an open alert as seen; it stays live (not re-sent) until the situation ends."""
    row = session.get(InventoryAlert, alert_id)
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist", field="alert_id")
    if row.state != "open":
        raise Conflict(f"alert {alert_id} is {row.state}, not open", field="state")
    now = utcnow()
    row.state, row.acknowledged_by, row.acknowledged_at, row.updated_at = (
        "acknowledged", actor, now, now,
    )  # fmt: skip
    session.add(row)
    record(session, actor=actor, action="acknowledge", entity="inventory_alert", entity_id=alert_id)
    return row
