"""Chat sessions, CRM interactions and leads, and payment links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class ChatSession(SQLModel, table=True):
    """A conversation; its random id is the LangGraph thread id. Identity is fixed at creation."""

    __tablename__ = "chat_session"

    id: str = Field(sa_type=sa.String(40), primary_key=True)
    channel: str = Field(sa_type=sa.String(12))
    role: str = Field(sa_type=sa.String(16))  # customer, staff, technician
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    owner: str = Field(
        sa_type=sa.String(80), index=True
    )  # "anonymous", "key:<prefix>" or "wa:<phone>"
    branch_code: str | None = Field(default=None, sa_type=sa.String(8))
    # Where an anonymous web conversation started (unpaid anonymous holds are capped per IP).
    client_ip: str | None = Field(default=None, sa_type=sa.String(45), index=True)
    active_agent: str | None = Field(default=None, sa_type=sa.String(20))
    turns: int = 0
    # The dialogue state as the last write tool committed it, in that tool's transaction: a
    # turn cut short by a crash after a write resumes from it (its checkpoint never came).
    dialogue: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Interaction(SQLModel, table=True):
    """CRM log: one row per customer turn (who, where, which agent, what it was about, outcome)."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(sa_type=sa.String(40), index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    channel: str = Field(sa_type=sa.String(12))
    agent: str = Field(sa_type=sa.String(20))
    intent: str = Field(sa_type=sa.String(40))
    outcome: str = Field(sa_type=sa.String(40))  # answered, quoted, reserved, handoff, refused...
    at: datetime = Field(default_factory=utcnow, index=True)


class Lead(SQLModel, table=True):
    """A sales opportunity handed to a human salesperson, with a summary of the conversation."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(sa_type=sa.String(40), index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    channel: str = Field(sa_type=sa.String(12))
    reason: str = Field(sa_type=sa.String(200))
    kind: str = Field(default="other", sa_type=sa.String(20), index=True)  # HandoffReason
    order_id: int | None = Field(default=None, foreign_key="orders.id")  # e.g. a refund
    summary: str = Field(sa_type=sa.Text)
    status: str = Field(
        default="new", sa_type=sa.String(12), index=True
    )  # new, contacted, won, lost
    created_at: datetime = Field(default_factory=utcnow)


class PaymentLink(SQLModel, table=True):
    """A deposit or payment link for an order; the token is the secret part of the URL."""

    __tablename__ = "payment_link"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(sa_type=sa.String(64), unique=True, index=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    provider: str = Field(default="local", sa_type=sa.String(20))
    amount_cents: int
    purpose: str = Field(default="deposit", sa_type=sa.String(12))  # deposit, balance
    status: str = Field(
        default="pending", sa_type=sa.String(12), index=True
    )  # pending, paid, expired
    expires_at: datetime
    paid_at: datetime | None = None
    provider_ref: str | None = Field(default=None, sa_type=sa.String(80))
    created_at: datetime = Field(default_factory=utcnow)
