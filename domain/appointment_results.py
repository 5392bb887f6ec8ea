"""Typed results of the appointment tools and the staff routes (instants are aware UTC;
``local``/``label`` fields carry the Mexico City wall clock people read)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from domain.appointments import AppointmentStatus, ServiceKind
from domain.tool_results import Result

DayNote = Literal["closed", "full", "past", "too_far"]  # why the day asked was not offered


class BranchRef(Result):
    """The branch an appointment is at."""

    code: str
    name: str
    address: str


class Slot(Result):
    """One bookable slot: its start, the wall-clock time and the places left."""

    starts_at: datetime  # aware UTC
    time: str  # "10:30", Mexico City
    free: int


class AppointmentSlots(Result):
    """find_appointment_slots: the free slots of one day at one branch for one service.

    ``day`` is the day asked for, or (``next_available``, or the day asked had no place) the
    first day from then with a free slot; ``asked_day_note`` says why the day asked was not it.
    """

    branch: BranchRef
    service: ServiceKind
    service_name: str
    minutes: int
    day: date | None  # None: nothing free within the booking horizon
    day_label: str | None  # "martes 1 de diciembre"
    hours: str | None  # that day's hours, "de 08:30 a 19:00"
    slots: list[Slot]
    asked_day: date | None = None
    asked_day_note: DayNote | None = None


class AppointmentPublic(Result):
    """One appointment as its customer sees it."""

    number: str
    status: AppointmentStatus
    service: ServiceKind
    service_name: str
    branch: BranchRef
    starts_at: datetime
    ends_at: datetime
    label: str  # "martes 1 de diciembre a las 10:30"
    vehicle: str | None = None


class AppointmentBooked(Result):
    """book_appointment / move_appointment / cancel_appointment: what changed."""

    change: Literal["booked", "moved", "cancelled"]
    appointment: AppointmentPublic
    previous_label: str | None = None  # moved: where and when it was before


class AppointmentList(Result):
    """list_my_appointments: the customer's upcoming appointments, soonest first."""

    appointments: list[AppointmentPublic]


class BranchBooking(Result):
    """One booking in a branch's day, for staff (with the customer's contact)."""

    number: str
    status: AppointmentStatus
    service: ServiceKind
    service_name: str
    starts_at: datetime
    ends_at: datetime
    time: str
    customer_id: int
    customer_name: str
    customer_phone: str | None
    vehicle: str | None


class BranchDay(Result):
    """GET /api/v1/appointments: a branch's bookings of one day and its bays per service."""

    branch: BranchRef
    day: date
    bays: dict[ServiceKind, int]
    bookings: list[BranchBooking]


class CalendarFeedUrl(Result):
    """GET /api/v1/calendar/{branch}/url: the signed iCalendar feed to subscribe to."""

    branch: str
    url: str
