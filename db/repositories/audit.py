"""The audit log: every write records who did what, in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from db.tables import AuditLog


def record(
    session: Session, *, actor: str, action: str, entity: str, entity_id: object, **detail: Any
) -> None:
    """Add an audit entry to the session (committed with the change it describes)."""
    session.add(
        AuditLog(actor=actor, action=action, entity=entity, entity_id=str(entity_id), detail=detail)
    )
