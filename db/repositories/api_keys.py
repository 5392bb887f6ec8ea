"""API keys: created with the secret shown once, verified against a stored hash, revoked."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, select

from core.errors import InvalidRequest, NotFound, Unauthenticated
from core.security import Principal, new_api_key, secret_matches, split_api_key
from db.repositories.audit import record
from db.tables import ApiKey
from domain.clock import utcnow
from domain.enums import Role


class ApiKeyInfo(BaseModel):
    """A key as listed (never with its secret)."""

    prefix: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


def create_key(session: Session, *, role: str, name: str, actor: str) -> tuple[str, ApiKeyInfo]:
    """Create a key; returns the full key (shown once) and its listing."""
    try:
        role_value = Role(role)
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise InvalidRequest(f"unknown role '{role}'; roles: {roles}", field="role") from exc
    if not name.strip() or len(name) > 80:
        raise InvalidRequest("name must be 1-80 characters", field="name")
    key, prefix, secret_hash = new_api_key()
    row = ApiKey(prefix=prefix, secret_hash=secret_hash, name=name.strip(), role=role_value.value)
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity="api_key",
        entity_id=prefix,
        role=role_value.value,
        name=row.name,
    )
    return key, _info(row)


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        prefix=row.prefix,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def list_keys(session: Session) -> list[ApiKeyInfo]:
    """Every key, newest first."""
    return [_info(r) for r in session.exec(select(ApiKey).order_by(ApiKey.id.desc())).all()]  # type: ignore[union-attr]


def revoke_key(session: Session, prefix: str, *, actor: str) -> ApiKeyInfo:
    """Revoke a key by its prefix."""
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if row is None:
        raise NotFound(f"no API key with prefix '{prefix}'", field="prefix")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        record(session, actor=actor, action="revoke", entity="api_key", entity_id=prefix)
    return _info(row)


def verify_key(session: Session, key: str) -> Principal:
    """The principal of a valid, unrevoked key.

    Raises:
        Unauthenticated: unknown, revoked or wrong secret (one message for all, on purpose).
    """
    prefix, secret = split_api_key(key)
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if row is None or row.revoked_at is not None or not secret_matches(secret, row.secret_hash):
        raise Unauthenticated("invalid or revoked API key")
    return Principal(key_prefix=row.prefix, name=row.name, role=Role(row.role))


def key_is_active(session: Session, prefix: str) -> bool:
    """Whether the key with this prefix exists and is not revoked (tokens die with their key)."""
    row = session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    return row is not None and row.revoked_at is None
