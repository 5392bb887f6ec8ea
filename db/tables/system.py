"""Sales history, audit log, API keys and idempotency records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class SalesDaily(SQLModel, table=True):
    """Units sold of one product at one branch on one day (days with no sales are absent)."""

    __tablename__ = "sales_daily"
    __table_args__ = (sa.Index("ix_sales_product_branch_day", "product_id", "branch_id", "day"),)

    day: date = Field(primary_key=True)
    product_id: int = Field(foreign_key="product.id", primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    units: int
    revenue_cents: int


class AuditLog(SQLModel, table=True):
    """Who changed what, written in the same transaction as the change."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(sa_type=sa.String(80), index=True)
    action: str = Field(sa_type=sa.String(40))
    entity: str = Field(sa_type=sa.String(40), index=True)
    entity_id: str = Field(sa_type=sa.String(40))
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class ApiKey(SQLModel, table=True):
    """An API key; only the SHA-256 of its secret part is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(sa_type=sa.String(16), unique=True, index=True)
    secret_hash: str = Field(sa_type=sa.String(64))
    name: str = Field(sa_type=sa.String(80))
    role: str = Field(sa_type=sa.String(16))
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class IdempotencyRecord(SQLModel, table=True):
    """The stored answer to a request made with an ``Idempotency-Key`` header."""

    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("principal", "key", name="uq_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(sa_type=sa.String(80))
    key: str = Field(sa_type=sa.String(120))
    request_hash: str = Field(sa_type=sa.String(64))
    status_code: int
    response: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
