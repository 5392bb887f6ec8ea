"""Who receives which scheduled report (role x kind) by e-mail, and as which files."""

from __future__ import annotations

from typing import Literal, get_args

from sqlmodel import Session, col, select

from core.errors import InvalidRequest, NotFound
from db.repositories.audit import record
from db.tables import ReportSubscription
from domain.clock import utcnow

ReportAttach = Literal["pdf", "xlsx", "both"]
ROLES = ("direccion", "ventas", "compras", "logistica")
KINDS = ("daily", "weekly", "monthly")


def list_subscriptions(session: Session) -> list[ReportSubscription]:
    """Every subscription, by role, kind and e-mail."""
    return list(
        session.exec(
            select(ReportSubscription).order_by(
                col(ReportSubscription.role), col(ReportSubscription.kind),
                col(ReportSubscription.email),
            )
        ).all()
    )  # fmt: skip


def save_subscription(
    session: Session, *, role: str, kind: str, email: str, name: str, attach: str, actor: str
) -> ReportSubscription:
    """Subscribe an address to a role's report of a kind (again: its name and files change,
    and it is active)."""
    address = email.strip().lower()
    local, _, domain = address.partition("@")
    if not local or "." not in domain or len(address) > 254 or " " in address:
        raise InvalidRequest("write a valid e-mail address", field="email")
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(ROLES)}", field="role")
    if kind not in KINDS:
        raise InvalidRequest(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if attach not in get_args(ReportAttach):
        raise InvalidRequest("attach must be pdf, xlsx or both", field="attach")
    row = session.exec(
        select(ReportSubscription).where(
            ReportSubscription.role == role, ReportSubscription.kind == kind,
            ReportSubscription.email == address,
        )
    ).first() or ReportSubscription(role=role, kind=kind, email=address, created_at=utcnow())  # fmt: skip
    row.name, row.attach, row.active = name.strip()[:80], attach, True
    session.add(row)
    session.flush()
    record(session, actor=actor, action="subscribe", entity="report_subscription",
           entity_id=row.id, role=role, kind=kind, email=address, attach=attach)  # fmt: skip
    return row


def remove_subscription(session: Session, subscription_id: int, *, actor: str) -> None:
    """Stop sending that report to that address (the row goes; the audit log keeps it)."""
    row = session.get(ReportSubscription, subscription_id)
    if row is None:
        raise NotFound(f"no subscription {subscription_id}", field="subscription_id")
    record(session, actor=actor, action="unsubscribe", entity="report_subscription",
           entity_id=subscription_id, role=row.role, kind=row.kind, email=row.email)  # fmt: skip
    session.delete(row)
