"""Appointments in service bays: free places per slot, book / move / cancel with the capacity
taken atomically, a branch's bookings, and the day-before reminders written to the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Conflict, NotFound
from db.repositories.audit import record
from db.repositories.outbox import queue_message
from db.tables import Appointment, Branch, Customer, ServiceBay
from domain.appointments import (
    BAY_SERVICES,
    REMINDER_KIND,
    AppointmentStatus,
    ServiceKind,
    appointment_number,
    reminder_text,
)
from domain.clock import MEXICO_CITY, as_utc, utcnow

BOOKED = AppointmentStatus.BOOKED.value


def branch_by_code(session: Session, code: str) -> Branch:
    """Our branch row with this code."""
    branch = session.exec(select(Branch).where(Branch.code == code)).first()
    if branch is None or branch.id is None:
        raise NotFound(f"no branch {code}", field="branch")
    return branch


def bays(session: Session, branch_id: int, service: ServiceKind, *, lock: bool = False) -> int:
    """How many bays the branch has for the service (0: it does not offer it).

    With ``lock`` the bay row is locked until the transaction ends (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite writers are already one at a time), so counting and inserting after it
    cannot race another booking of the same branch and service.
    """
    query = select(ServiceBay).where(
        ServiceBay.branch_id == branch_id, ServiceBay.service == service.value
    )
    row = session.exec(query.with_for_update() if lock else query).first()
    return row.bays if row is not None else 0


def branches_offering(session: Session, service: ServiceKind) -> list[Branch]:
    """Branches with at least one bay for the service, by code."""
    return list(
        session.exec(
            select(Branch)
            .join(ServiceBay, col(ServiceBay.branch_id) == Branch.id)
            .where(ServiceBay.service == service.value, ServiceBay.bays > 0)
            .order_by(col(Branch.code))
        ).all()
    )


def booked_by_start(
    session: Session, branch_id: int, service: ServiceKind, starts: Iterable[datetime]
) -> dict[datetime, int]:
    """Booked appointments per slot start (UTC) among ``starts``."""
    wanted = [as_utc(s) for s in starts]
    if not wanted:
        return {}
    rows = session.exec(
        select(Appointment.starts_at, sa.func.count())
        .where(
            Appointment.branch_id == branch_id,
            Appointment.service == service.value,
            Appointment.status == BOOKED,
            col(Appointment.starts_at).in_(wanted),
        )
        .group_by(col(Appointment.starts_at))
    ).all()
    return {as_utc(at): int(n) for at, n in rows}


def _take_place(
    session: Session, branch: Branch, service: ServiceKind, start: datetime, *, skip: int | None
) -> None:
    """Lock the bay row, then count: Conflict (field ``starts_at``) when the slot is full."""
    assert branch.id is not None
    capacity = bays(session, branch.id, service, lock=True)
    if capacity == 0:
        raise Conflict(f"{branch.code} has no bay for {service.value}", field="service")
    query = (
        select(sa.func.count())
        .select_from(Appointment)
        .where(
            Appointment.branch_id == branch.id,
            Appointment.service == service.value,
            Appointment.status == BOOKED,
            Appointment.starts_at == as_utc(start),
        )
    )
    if skip is not None:
        query = query.where(Appointment.id != skip)
    if session.exec(query).one() >= capacity:
        raise Conflict(
            f"the {service.value} slot at {as_utc(start).isoformat()} in {branch.code} is full "
            f"({capacity} bays)",
            field="starts_at",
        )


def book(
    session: Session,
    *,
    customer_id: int,
    branch: Branch,
    service: ServiceKind,
    start: datetime,
    vehicle: str | None,
    channel: str,
    session_id: str | None,
    actor: str,
) -> Appointment:
    """Book a place in a slot (the caller checked the slot is on the grid and bookable).

    Raises:
        Conflict: the slot is full, or the branch has no bay for the service.
    """
    assert branch.id is not None
    _take_place(session, branch, service, start, skip=None)
    start = as_utc(start)
    row = Appointment(
        customer_id=customer_id,
        branch_id=branch.id,
        service=service.value,
        starts_at=start,
        ends_at=start + timedelta(minutes=BAY_SERVICES[service].minutes),
        vehicle=vehicle,
        channel=channel,
        session_id=session_id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    row.number = appointment_number(row.id)
    session.add(row)
    record(session, actor=actor, action="book", entity="appointment", entity_id=row.id,
           number=row.number, branch=branch.code, service=service.value,
           starts_at=start.isoformat())  # fmt: skip
    return row


def move(
    session: Session, row: Appointment, *, branch: Branch, start: datetime, actor: str
) -> Appointment:
    """Move a booked appointment to another slot (and branch): the new place is taken under
    the same lock as a booking; the old one is freed by the same update.

    Raises:
        Conflict: the new slot is full, or the appointment is no longer booked.
    """
    assert branch.id is not None and row.id is not None
    if row.status != BOOKED:
        raise Conflict(f"appointment {row.number} is {row.status}", field="status")
    service = ServiceKind(row.service)
    _take_place(session, branch, service, start, skip=row.id)
    before = as_utc(row.starts_at)
    row.branch_id = branch.id
    row.starts_at = as_utc(start)
    row.ends_at = row.starts_at + timedelta(minutes=BAY_SERVICES[service].minutes)
    row.reminder_outbox_id = None  # a new day: remind again
    row.updated_at = utcnow()
    session.add(row)
    record(session, actor=actor, action="move", entity="appointment", entity_id=row.id,
           number=row.number, branch=branch.code, before=before.isoformat(),
           starts_at=row.starts_at.isoformat())  # fmt: skip
    return row


def cancel(session: Session, row: Appointment, *, actor: str) -> Appointment:
    """Cancel a booked appointment (its place is free at once).

    Raises:
        Conflict: it is not booked any more.
    """
    if row.status != BOOKED:
        raise Conflict(f"appointment {row.number} is {row.status}", field="status")
    row.status = AppointmentStatus.CANCELLED.value
    row.cancelled_at = row.updated_at = utcnow()
    session.add(row)
    record(session, actor=actor, action="cancel", entity="appointment", entity_id=row.id,
           number=row.number)  # fmt: skip
    return row


def get(session: Session, appointment_id: int) -> Appointment | None:
    """One appointment by id."""
    return session.get(Appointment, appointment_id)


def upcoming_for_customer(
    session: Session, customer_id: int, *, now: datetime | None = None
) -> list[Appointment]:
    """The customer's booked appointments that have not started, soonest first."""
    return list(
        session.exec(
            select(Appointment)
            .where(
                Appointment.customer_id == customer_id,
                Appointment.status == BOOKED,
                Appointment.starts_at > as_utc(now or utcnow()),
            )
            .order_by(col(Appointment.starts_at), col(Appointment.id))
        ).all()
    )


def _local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants of the start of ``first`` and the end of ``last``, Mexico City days."""
    start = datetime.combine(first, time(0), tzinfo=MEXICO_CITY)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=MEXICO_CITY)
    return as_utc(start), as_utc(end)


def in_range(
    session: Session,
    branch_id: int,
    first: date,
    last: date,
    *,
    statuses: Iterable[AppointmentStatus] | None = None,
) -> list[tuple[Appointment, Customer]]:
    """A branch's appointments from ``first`` to ``last`` (Mexico City days, inclusive) with
    their customers, by start."""
    start, end = _local_day_bounds(first, last)
    query = (
        select(Appointment, Customer)
        .join(Customer, col(Customer.id) == Appointment.customer_id)
        .where(
            Appointment.branch_id == branch_id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(col(Appointment.starts_at), col(Appointment.service), col(Appointment.id))
    )
    if statuses is not None:
        query = query.where(col(Appointment.status).in_([s.value for s in statuses]))
    return [(a, c) for a, c in session.exec(query).all()]


def queue_reminders(session: Session, day: date, *, actor: str) -> list[int]:
    """Write the reminder of every booked appointment on ``day`` (Mexico City) that has none
    yet to the outbox: WhatsApp to the customer's phone, else e-mail. Running it again writes
    nothing new. Returns the outbox ids written."""
    start, end = _local_day_bounds(day, day)
    rows = session.exec(
        select(Appointment, Customer, Branch)
        .join(Customer, col(Customer.id) == Appointment.customer_id)
        .join(Branch, col(Branch.id) == Appointment.branch_id)
        .where(
            Appointment.status == BOOKED,
            col(Appointment.reminder_outbox_id).is_(None),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    ).all()
    written = []
    for appointment, customer, branch in rows:
        channel, to = ("whatsapp", customer.phone) if customer.phone else ("email", customer.email)
        if not to:
            continue  # a web guest with neither: nothing to send to
        body = reminder_text(
            customer.name.split()[0] if customer.name else "", ServiceKind(appointment.service),
            branch.name, branch.address, appointment.starts_at, appointment.number or "",
        )  # fmt: skip
        out = queue_message(
            session, kind=REMINDER_KIND, channel=channel, to=to, customer_id=customer.id,
            body=body, subject="Tu cita es mañana" if channel == "email" else None,
            status="queued" if customer.consent_notifications else "blocked",
            error=None if customer.consent_notifications else "opted out (BAJA)",
        )  # fmt: skip
        appointment.reminder_outbox_id = out.id
        session.add(appointment)
        record(session, actor=actor, action="remind", entity="appointment",
               entity_id=appointment.id, outbox_id=out.id, channel=channel)  # fmt: skip
        assert out.id is not None
        written.append(out.id)
    return written
