"""Appointments from chat through run_tool, as a customer: find slots, book, move, cancel, list;
and the refusals that say why and offer other times."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.tables import Appointment, AuditLog
from domain.appointment_results import AppointmentBooked, AppointmentList, AppointmentSlots
from domain.appointments import AppointmentStatus, ServiceKind
from domain.clock import mexico_today, utcnow
from tests.tools.conftest import MakeCtx, Refused, call, customer_of, refusal
from tools.appointments import (
    BOOK_APPOINTMENT,
    CANCEL_APPOINTMENT,
    FIND_APPOINTMENT_SLOTS,
    LIST_MY_APPOINTMENTS,
    MOVE_APPOINTMENT,
)


def weekday_ahead(days: int = 2) -> date:
    """A Monday-to-Friday day at least ``days`` from today (open 08:30-19:00 in the demo)."""
    day = mexico_today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def sunday_ahead() -> date:
    day = mexico_today() + timedelta(days=1)
    while day.weekday() != 6:
        day += timedelta(days=1)
    return day


def test_a_customer_books_lists_moves_and_cancels_their_appointment(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    who = customer_of(engine, "retail")
    ctx = make_ctx(customer_id=who.id, channel="whatsapp")
    day = weekday_ahead()
    slots = call(FIND_APPOINTMENT_SLOTS, ctx, AppointmentSlots, service="alineación",
                 branch="CDMX", day=day.isoformat())  # fmt: skip
    assert slots.day == day and slots.asked_day_note is None
    assert [s.time for s in slots.slots][:2] == ["08:30", "09:30"] and slots.slots[0].free == 2

    booked = call(BOOK_APPOINTMENT, ctx, AppointmentBooked, service="alineacion",
                  branch="CDMX", day=day.isoformat(), time="10:30", vehicle="Jetta 2020")  # fmt: skip
    appointment = booked.appointment
    assert booked.change == "booked" and appointment.number.startswith("CT-")
    assert appointment.service == ServiceKind.ALIGNMENT and appointment.branch.code == "CDMX"
    assert appointment.label.endswith("a las 10:30")
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=60)
    after = call(FIND_APPOINTMENT_SLOTS, ctx, AppointmentSlots, service="alignment",
                 branch="CDMX", day=day.isoformat())  # fmt: skip
    assert {s.time: s.free for s in after.slots}["10:30"] == 1

    mine = call(LIST_MY_APPOINTMENTS, ctx, AppointmentList)
    assert [a.number for a in mine.appointments] == [appointment.number]

    moved = call(MOVE_APPOINTMENT, ctx, AppointmentBooked, day=day.isoformat(), time="12:30")
    assert moved.change == "moved" and moved.appointment.number == appointment.number
    assert moved.appointment.label.endswith("12:30") and "10:30" in (moved.previous_label or "")

    cancelled = call(CANCEL_APPOINTMENT, ctx, AppointmentBooked, number=appointment.number)
    assert cancelled.appointment.status == AppointmentStatus.CANCELLED
    assert call(LIST_MY_APPOINTMENTS, ctx, AppointmentList).appointments == []
    assert "cancelada" in refusal(CANCEL_APPOINTMENT, ctx, number=appointment.number)
    with Session(engine) as s:
        row = s.exec(select(Appointment).where(Appointment.number == appointment.number)).one()
        assert row.customer_id == who.id and row.status == "cancelled"
        actions = s.exec(
            select(AuditLog.action).where(AuditLog.entity == "appointment", AuditLog.entity_id == str(row.id))
        ).all()  # fmt: skip
    assert sorted(actions) == ["book", "cancel", "move"]


def test_another_customers_appointment_is_not_found_and_left_alone(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    owner = make_ctx(customer_id=customer_of(engine, "retail").id, channel="whatsapp")
    other = make_ctx(customer_id=customer_of(engine, "fleet").id, channel="whatsapp")
    day = weekday_ahead()
    number = call(BOOK_APPOINTMENT, owner, AppointmentBooked, service="balanceo", branch="MTY",
                  day=day.isoformat(), time="09:00").appointment.number  # fmt: skip

    assert "No encontré esa cita" in refusal(CANCEL_APPOINTMENT, other, number=number)
    assert "No encontré esa cita" in refusal(
        MOVE_APPOINTMENT, other, number=number, day=day.isoformat(), time="11:00"
    )
    assert "No tienes citas" in refusal(CANCEL_APPOINTMENT, other)
    assert call(LIST_MY_APPOINTMENTS, other, AppointmentList).appointments == []
    with Session(engine) as s:
        row = s.exec(select(Appointment).where(Appointment.number == number)).one()
    assert row.status == "booked" and f"{row.starts_at:%H:%M}" == "15:00"  # 09:00 CDMX in UTC
    # Staff and technicians do not book for customers from chat.
    staff = make_ctx(role="staff")
    assert "es para clientes" in refusal(BOOK_APPOINTMENT, staff, service="balanceo",
                                 day=day.isoformat(), time="09:00")  # fmt: skip


def test_a_full_slot_is_refused_with_the_nearest_free_times(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    first = make_ctx(customer_id=customer_of(engine, "retail").id, channel="whatsapp")
    second = make_ctx(customer_id=customer_of(engine, "dealer").id, channel="whatsapp")
    day = weekday_ahead(3)
    args = {"service": "alineación", "branch": "Guadalajara", "day": day.isoformat()}
    call(BOOK_APPOINTMENT, first, AppointmentBooked, time="10:30", **args)  # GDL: one bay

    text = refusal(BOOK_APPOINTMENT, second, time="10:30", **args)
    assert "Ya no hay lugar para alineación en TopLlantas López Mateos" in text
    assert "Ese día tengo lugar a las 08:30, 09:30 o 11:30" in text
    left = call(FIND_APPOINTMENT_SLOTS, second, AppointmentSlots, **args)
    assert "10:30" not in [s.time for s in left.slots] and "11:30" in [s.time for s in left.slots]
    # The same customer twice on the same day: offered a move instead.
    assert "Ya tienes cita de alineación" in refusal(BOOK_APPOINTMENT, first, time="12:30", **args)
    # A move into the full slot is refused the same way; the appointment stays where it was.
    booked = call(BOOK_APPOINTMENT, second, AppointmentBooked, time="14:30", **args)
    text = refusal(MOVE_APPOINTMENT, second, day=day.isoformat(), time="10:30")
    assert "Ya no hay lugar" in text
    assert call(LIST_MY_APPOINTMENTS, second, AppointmentList).appointments == [booked.appointment]


def test_past_closed_and_outside_hours_times_are_refused_with_alternatives(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx(customer_id=customer_of(engine, "retail").id, channel="whatsapp")
    yesterday = (mexico_today() - timedelta(days=1)).isoformat()
    text = refusal(BOOK_APPOINTMENT, ctx, service="rotación", branch="CDMX", day=yesterday,
                   time="10:00")  # fmt: skip
    assert "ya pasó" in text and "El siguiente día con lugar es el" in text

    sunday = sunday_ahead()
    text = refusal(BOOK_APPOINTMENT, ctx, service="rotación", branch="CDMX",
                   day=sunday.isoformat(), time="10:00")  # fmt: skip
    assert "la sucursal está cerrada" in text
    monday = sunday + timedelta(days=1)
    assert f"lunes {monday.day} de" in text and "08:30" in text

    day = weekday_ahead().isoformat()
    text = refusal(BOOK_APPOINTMENT, ctx, service="instalación", branch="MTY", day=day,
                   time="18:30")  # fmt: skip
    assert "de 08:30 a 19:00" in text and "tengo lugar a las" in text
    assert "cada 60 minutos" in refusal(BOOK_APPOINTMENT, ctx, service="instalación",
                                        branch="MTY", day=day, time="09:00")  # fmt: skip
    assert "los servicios con cita son" in refusal(BOOK_APPOINTMENT, ctx, service="afinación",
                                                   day=day, time="09:30")  # fmt: skip
    with Session(engine) as s:
        assert s.exec(select(Appointment)).all() == []


def test_next_available_skips_closed_and_past_times(engine: Engine, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(customer_id=customer_of(engine, "retail", area="33").id, channel="whatsapp")
    found = call(FIND_APPOINTMENT_SLOTS, ctx, AppointmentSlots, service="inspección de garantía")
    assert found.day is not None and found.day.weekday() != 6 and found.slots
    assert found.branch.code == "GDL"  # the customer's phone is from the Guadalajara area
    assert all(s.starts_at > utcnow() + timedelta(minutes=29) for s in found.slots)
    closed = call(FIND_APPOINTMENT_SLOTS, ctx, AppointmentSlots, service="balanceo",
                  branch="GDL", day=sunday_ahead().isoformat())  # fmt: skip
    assert closed.asked_day_note == "closed" and closed.day == sunday_ahead() + timedelta(days=1)


def test_an_anonymous_web_chat_books_as_a_guest_and_only_sees_its_own(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    guest = make_ctx()
    day = weekday_ahead()
    booked = call(BOOK_APPOINTMENT, guest, AppointmentBooked, service="rotación", branch="CDMX",
                  day=day.isoformat(), time="11:00")  # fmt: skip
    assert guest.bound_customer_id is not None
    assert [a.number for a in call(LIST_MY_APPOINTMENTS, guest, AppointmentList).appointments] == [
        booked.appointment.number
    ]
    try:
        call(LIST_MY_APPOINTMENTS, make_ctx(), AppointmentList)
    except Refused as exc:  # pragma: no cover - an unknown speaker simply has none
        raise AssertionError(exc) from exc
