"""Service bays per branch and the appointments booked in them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.clock import utcnow


class ServiceBay(SQLModel, table=True):
    """How many bays a branch has for one service: the number of appointments one slot of
    that service takes (the slot length is the service's, domain.appointments.BAY_SERVICES).

    Booking locks this row, so two bookings of the same branch and service queue on it.
    """

    __tablename__ = "service_bay"
    __table_args__ = (
        sa.UniqueConstraint("branch_id", "service", name="uq_service_bay_branch_service"),
        sa.CheckConstraint("bays >= 0", name="ck_service_bay_bays"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    service: str = Field(sa_type=sa.String(24))  # ServiceKind
    bays: int


class Appointment(SQLModel, table=True):
    """A customer's booking of a service at a branch; only ``booked`` ones take a bay."""

    __table_args__ = (sa.Index("ix_appointment_slot", "branch_id", "service", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, sa_type=sa.String(12), unique=True, index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    branch_id: int = Field(foreign_key="branch.id")
    service: str = Field(sa_type=sa.String(24))  # ServiceKind
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    status: str = Field(default="booked", sa_type=sa.String(12), index=True)  # AppointmentStatus
    vehicle: str | None = Field(default=None, sa_type=sa.String(120))
    channel: str = Field(sa_type=sa.String(12))
    session_id: str | None = Field(default=None, sa_type=sa.String(40))
    # The day-before reminder, once written to the outbox (a move clears it: a new day).
    reminder_outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    cancelled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
