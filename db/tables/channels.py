"""Messaging channels: inbound WhatsApp messages (deduplicated), their media, and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class InboundMessage(SQLModel, table=True):
    """A customer message as the provider delivered it; its sid makes retried webhooks no-ops.

    ``status``: processing → replied (answer went back in the webhook's TwiML) or
    deferred → queued (answer written to the outbox in the same transaction, sent from there).
    processing and deferred rows carry a lease (``lease_owner``, ``lease_until``).
    """

    __tablename__ = "inbound_message"

    id: int | None = Field(default=None, primary_key=True)
    provider_sid: str = Field(sa_type=sa.String(64), unique=True)
    idempotency_token: str | None = Field(default=None, sa_type=sa.String(120), unique=True)
    channel: str = Field(default="whatsapp", sa_type=sa.String(12))
    phone: str = Field(sa_type=sa.String(16), index=True)
    profile_name: str = Field(default="", sa_type=sa.String(120))
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    session_id: str | None = Field(default=None, sa_type=sa.String(40), index=True)
    body: str = Field(default="", sa_type=sa.Text)
    button_payload: str | None = Field(default=None, sa_type=sa.String(200))
    latitude: float | None = None
    longitude: float | None = None
    status: str = Field(default="processing", sa_type=sa.String(12))
    reply: str | None = Field(default=None, sa_type=sa.Text)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    answered_at: datetime | None = None
    # What the agents read (text plus attachment and location notes), kept so that another
    # worker can run the turn again after a crash.
    turn_text: str | None = Field(default=None, sa_type=sa.Text)
    # The lease of the worker running the turn: renewed while it runs; once it has run out
    # (the worker died) the sweep or Twilio's retry takes the message over.
    lease_owner: str | None = Field(default=None, sa_type=sa.String(80))
    lease_until: datetime | None = Field(default=None, index=True)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class InboundMedia(SQLModel, table=True):
    """A photo, audio, video or document attached to an inbound message (Twilio's MediaUrlN)."""

    __tablename__ = "inbound_media"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="inbound_message.id", index=True)
    position: int
    url: str = Field(sa_type=sa.String(500))
    content_type: str = Field(sa_type=sa.String(80))


class Outbox(SQLModel, table=True):
    """Every outbound message, written before it is sent; the provider's callbacks move it on.

    ``status``: queued, sending (taken by a sender; left there only by a crash mid-send, and
    not retried blindly), sent, delivered, read, failed, undelivered, blocked (opted out).
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(40), index=True)  # reply, out_for_delivery, ...
    channel: str = Field(sa_type=sa.String(12))  # whatsapp, sms, email
    to: str = Field(sa_type=sa.String(120), index=True)  # E.164 phone or e-mail address
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    subject: str | None = Field(default=None, sa_type=sa.String(200))
    body: str | None = Field(default=None, sa_type=sa.Text)
    content_sid: str | None = Field(default=None, sa_type=sa.String(64))
    content_variables: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    status: str = Field(default="queued", sa_type=sa.String(12), index=True)
    provider_sid: str | None = Field(default=None, sa_type=sa.String(64), unique=True)
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=sa.String(300))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class OutboxAttachment(SQLModel, table=True):
    """A file sent with an e-mail of the outbox (a scheduled report), kept with its message so
    a retry or a crash-resend carries the same bytes."""

    __tablename__ = "outbox_attachment"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    filename: str = Field(sa_type=sa.String(120))
    media_type: str = Field(sa_type=sa.String(100))
    content: bytes = Field(sa_type=sa.LargeBinary)
