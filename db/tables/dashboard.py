"""The dashboard's own rows: sales targets, report subscriptions, people's web sessions and
one-time sign-in links."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class SalesTarget(SQLModel, table=True):
    """Net revenue a branch should reach in a month (``month`` is its first day)."""

    __tablename__ = "sales_target"
    __table_args__ = (sa.UniqueConstraint("branch_id", "month", name="uq_sales_target"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    month: date
    revenue_cents: int = Field(ge=0)
    updated_by: str = Field(default="", sa_type=sa.String(80))
    updated_at: datetime = Field(default_factory=utcnow)


class ReportSubscription(SQLModel, table=True):
    """Someone who gets a role's report of a kind (daily, weekly, monthly) by e-mail."""

    __tablename__ = "report_subscription"
    __table_args__ = (
        sa.UniqueConstraint("role", "kind", "email", name="uq_report_subscription"),
    )

    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(sa_type=sa.String(12))  # ReportRole
    kind: str = Field(sa_type=sa.String(8))  # ReportKind
    email: str = Field(sa_type=sa.String(254))
    name: str = Field(default="", sa_type=sa.String(80))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # Files attached to the e-mail: "pdf", "xlsx" or "both" (ReportAttach).
    attach: str = Field(default="pdf", sa_type=sa.String(8))


class WebSession(SQLModel, table=True):
    """A person signed in from a browser; the cookie carries a signed token naming this row.

    ``id`` is the SHA-256 of the session's random secret, so a database read gives no cookie.
    """

    __tablename__ = "web_session"

    id: str = Field(sa_type=sa.String(64), primary_key=True)
    key_prefix: str = Field(sa_type=sa.String(16), index=True)
    name: str = Field(sa_type=sa.String(80))
    role: str = Field(sa_type=sa.String(16))
    csrf_token: str = Field(sa_type=sa.String(64))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    revoked_at: datetime | None = None


class LoginLink(SQLModel, table=True):
    """A one-time sign-in link sent through the outbox to a staff member (hash stored)."""

    __tablename__ = "login_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True)
    staff_member_id: int = Field(foreign_key="staff_member.id", index=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
