"""Appointment tools: free slots per branch and service, and a customer's own bookings (book,
move, cancel, list). Who books comes from the tool context, never from the model's arguments.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field

from core.errors import Conflict, InvalidRequest
from db.repositories import appointments as repo
from db.tables import Appointment, Branch
from domain.appointment_results import (
    AppointmentBooked,
    AppointmentList,
    AppointmentPublic,
    AppointmentSlots,
    BranchRef,
    DayNote,
    Slot,
)
from domain.appointments import (
    BAY_SERVICES,
    HORIZON_DAYS,
    AppointmentStatus,
    ServiceKind,
    SlotProblem,
    hours_text,
    local_start,
    parse_appointment_number,
    parse_service,
    slot_problem,
    slot_starts,
    when_text,
)
from domain.clock import MEXICO_CITY, as_utc, utcnow
from domain.spanish import clock_time, weekday_day_month
from tools import appointment_messages as say
from tools.base import CUSTOMER_ONLY, EVERYONE, ToolContext, ToolRefused, ToolTx, tool
from tools.identity import Speaker, find_branch, main_branch, nearest_branch, speaker

MAX_UPCOMING = 3  # a customer's booked appointments at once
SERVICE_HELP = "alineación, balanceo, rotación, instalación o inspección de garantía"
TIME_PATTERN = r"^([01]?\d|2[0-3]):[0-5]\d$"


class SlotsArgs(BaseModel):
    """Arguments of find_appointment_slots."""

    service: str = Field(min_length=3, max_length=40, description=f"Servicio: {SERVICE_HELP}")
    branch: str | None = Field(
        None, max_length=40, description="Sucursal: CDMX, GDL, MTY o la ciudad (vacío = la suya)"
    )
    day: date | None = Field(None, description="Día (AAAA-MM-DD); vacío = el próximo con lugar")


class BookArgs(BaseModel):
    """Arguments of book_appointment."""

    service: str = Field(min_length=3, max_length=40, description=f"Servicio: {SERVICE_HELP}")
    day: date = Field(description="Día de la cita (AAAA-MM-DD)")
    time: str = Field(pattern=TIME_PATTERN, description="Hora de inicio, HH:MM (24 h, CDMX)")
    branch: str | None = Field(
        None, max_length=40, description="Sucursal: CDMX, GDL, MTY o la ciudad (vacío = la suya)"
    )
    vehicle: str | None = Field(None, max_length=120, description="Vehículo, p. ej. Jetta 2020")


class MoveArgs(BaseModel):
    """Arguments of move_appointment."""

    number: str | None = Field(
        None, max_length=20, description="Folio de la cita (CT-000123); vacío = su próxima cita"
    )
    day: date = Field(description="Nuevo día (AAAA-MM-DD)")
    time: str = Field(pattern=TIME_PATTERN, description="Nueva hora, HH:MM (24 h, CDMX)")
    branch: str | None = Field(None, max_length=40, description="Otra sucursal (vacío = la misma)")


class NumberArgs(BaseModel):
    """A folio, or none for the customer's one upcoming appointment."""

    number: str | None = Field(
        None, max_length=20, description="Folio de la cita (CT-000123); vacío = su próxima cita"
    )


class NoArgs(BaseModel):
    """No arguments: the customer is the one in this conversation."""


# --- helpers ---------------------------------------------------------------------------------


def _service(text: str) -> ServiceKind:
    try:
        return parse_service(text)
    except InvalidRequest as exc:
        raise ToolRefused(exc.message) from exc


def _branch(tx: ToolTx, ctx: ToolContext, text: str | None, who: Speaker | None) -> Branch:
    """Our branch row: the one named, else the customer's nearest, else the main branch."""
    code = find_branch(tx, text).code if text else (nearest_branch(tx, ctx, who) or main_branch(tx))
    if code is None:
        raise ToolRefused("¿En qué sucursal? Tenemos en CDMX, Guadalajara y Monterrey.")
    return repo.branch_by_code(tx.session, code)


def _ref(branch: Branch) -> BranchRef:
    return BranchRef(code=branch.code, name=branch.name, address=branch.address)


def _capacity(tx: ToolTx, branch: Branch, service: ServiceKind) -> int:
    assert branch.id is not None
    capacity = repo.bays(tx.session, branch.id, service)
    if capacity == 0:
        others = [b.name for b in repo.branches_offering(tx.session, service)]
        raise ToolRefused(say.no_bays(BAY_SERVICES[service].name, branch.name, others))
    return capacity


def _free(tx: ToolTx, branch: Branch, service: ServiceKind, day: date) -> list[Slot]:
    """The day's slots still bookable now, with places left."""
    assert branch.id is not None
    now = utcnow()
    grid = [
        s
        for s in slot_starts(branch.opening_hours, day, BAY_SERVICES[service].minutes)
        if slot_problem(branch.opening_hours, service, s, now) is None
    ]
    capacity = repo.bays(tx.session, branch.id, service)
    taken = repo.booked_by_start(tx.session, branch.id, service, grid)
    slots = [
        Slot(starts_at=as_utc(s), time=clock_time(s), free=capacity - taken.get(as_utc(s), 0))
        for s in grid
    ]
    return [s for s in slots if s.free > 0]


def _first_free(
    tx: ToolTx, branch: Branch, service: ServiceKind, start: date
) -> tuple[date, list[Slot]] | None:
    today = datetime.now(MEXICO_CITY).date()
    day = max(start, today)
    while day <= today + timedelta(days=HORIZON_DAYS):
        slots = _free(tx, branch, service, day)
        if slots:
            return day, slots
        day += timedelta(days=1)
    return None


def _offer(tx: ToolTx, branch: Branch, service: ServiceKind, wanted: datetime) -> str:
    """Alternatives to a time that cannot be booked: that day's free times nearest to it, else
    the first day with room."""
    local = wanted.astimezone(MEXICO_CITY)
    same = _free(tx, branch, service, local.date())
    if same:
        nearest = sorted(same, key=lambda s: abs((s.starts_at - as_utc(wanted)).total_seconds()))
        return say.same_day([s.time for s in sorted(nearest[:3], key=lambda s: s.starts_at)])
    found = _first_free(tx, branch, service, local.date() + timedelta(days=1))
    if found is None:
        return say.NOTHING_FREE
    day, slots = found
    return say.other_day(weekday_day_month(day), [s.time for s in slots[:3]])


def _check_slot(tx: ToolTx, branch: Branch, service: ServiceKind, start: datetime) -> None:
    """Refuse a time that is not a bookable slot, saying why and what we have instead."""
    problem = slot_problem(branch.opening_hours, service, start, utcnow())
    if problem is None:
        return
    offer = _offer(tx, branch, service, start)
    local = start.astimezone(MEXICO_CITY)
    day = weekday_day_month(local.date())
    if problem == SlotProblem.PAST:
        raise ToolRefused(say.past(when_text(start), offer))
    if problem == SlotProblem.TOO_FAR:
        raise ToolRefused(say.too_far(HORIZON_DAYS, say.CLOSER_DATE))
    if problem == SlotProblem.CLOSED_DAY:
        raise ToolRefused(say.closed_day(day, offer))
    if problem == SlotProblem.OUTSIDE_HOURS:
        raise ToolRefused(
            say.outside_hours(clock_time(local), hours_text(branch.opening_hours, local.date()),
                              offer)
        )  # fmt: skip
    raise ToolRefused(say.off_grid(clock_time(local), BAY_SERVICES[service].minutes, offer))


def public_view(tx: ToolTx, row: Appointment) -> AppointmentPublic:
    branch = tx.session.get(Branch, row.branch_id)
    assert branch is not None and row.number is not None
    service = ServiceKind(row.service)
    return AppointmentPublic(
        number=row.number,
        status=AppointmentStatus(row.status),
        service=service,
        service_name=BAY_SERVICES[service].name,
        branch=_ref(branch),
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        label=when_text(row.starts_at),
        vehicle=row.vehicle,
    )


def _customer_id(tx: ToolTx, ctx: ToolContext, *, create: bool = False) -> tuple[Speaker, int]:
    who = speaker(tx, ctx, create=create)
    if who is None or who.local is None or who.local.id is None:
        raise ToolRefused(say.NEED_IDENTITY)
    return who, who.local.id


def _own(tx: ToolTx, ctx: ToolContext, number: str | None) -> Appointment:
    """The customer's appointment: the one named (theirs only: another's answers as not
    found), else their one upcoming appointment."""
    _, customer_id = _customer_id(tx, ctx)
    if number:
        try:
            row = repo.get(tx.session, parse_appointment_number(number))
        except InvalidRequest as exc:
            raise ToolRefused(say.NOT_FOUND) from exc
        if row is None or row.customer_id != customer_id:
            raise ToolRefused(say.NOT_FOUND)
        return row
    upcoming = repo.upcoming_for_customer(tx.session, customer_id)
    if not upcoming:
        raise ToolRefused(say.NO_UPCOMING)
    if len(upcoming) > 1:
        raise ToolRefused(say.which([f"{a.number} ({when_text(a.starts_at)})" for a in upcoming]))
    return upcoming[0]


def _changeable(row: Appointment) -> None:
    assert row.number is not None
    if row.status != AppointmentStatus.BOOKED:
        raise ToolRefused(say.not_booked(row.number, row.status))
    if as_utc(row.starts_at) <= utcnow():
        raise ToolRefused(say.started(row.number))


def _parse_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


# --- tools -----------------------------------------------------------------------------------


def find_appointment_slots(ctx: ToolContext, args: SlotsArgs) -> AppointmentSlots:
    """Horarios libres para una cita de servicio (alineación, balanceo, rotación, instalación,
    inspección de garantía) en una sucursal: los de ese día, o sin día los del próximo día con
    lugar. Si el día pedido está cerrado, lleno o ya pasó, da el siguiente día con lugar y lo
    dice (asked_day_note). Úsala antes de agendar o mover, para ofrecer horas reales."""
    with ctx.transaction() as tx:
        who = speaker(tx, ctx) if ctx.role == "customer" else None
        branch = _branch(tx, ctx, args.branch, who)
        service = _service(args.service)
        _capacity(tx, branch, service)
        today = datetime.now(MEXICO_CITY).date()
        note: DayNote | None = None
        if args.day is not None:
            if args.day < today:
                note = "past"
            elif args.day > today + timedelta(days=HORIZON_DAYS):
                note = "too_far"
            elif slot_starts(branch.opening_hours, args.day, BAY_SERVICES[service].minutes) == []:
                note = "closed"
            else:
                slots = _free(tx, branch, service, args.day)
                note = None if slots else "full"
        found = (
            (args.day, slots)
            if args.day is not None and note is None
            else _first_free(tx, branch, service, args.day or today)
            if note != "too_far"
            else None
        )
        day, free = found if found is not None else (None, [])
        return AppointmentSlots(
            branch=_ref(branch),
            service=service,
            service_name=BAY_SERVICES[service].name,
            minutes=BAY_SERVICES[service].minutes,
            day=day,
            day_label=weekday_day_month(day) if day else None,
            hours=hours_text(branch.opening_hours, day) if day else None,
            slots=free,
            asked_day=args.day,
            asked_day_note=note,
        )


def book_appointment(ctx: ToolContext, args: BookArgs) -> AppointmentBooked:
    """Agenda una cita de servicio a nombre del cliente de esta plática: sucursal, servicio,
    día y hora de inicio (un horario que dio find_appointment_slots). SOLO después de que el
    cliente confirmó día y hora. Se niega, diciendo por qué y con horas libres, si el horario
    ya pasó, la sucursal está cerrada, está fuera de horario o ya no hay lugar; también si ya
    tiene esa misma cita ese día (entonces ofrece moverla). Devuelve el folio (CT-000123)."""
    with ctx.transaction(write=True) as tx:
        who, customer_id = _customer_id(tx, ctx, create=True)
        branch = _branch(tx, ctx, args.branch, who)
        service = _service(args.service)
        _capacity(tx, branch, service)
        start = local_start(args.day, _parse_time(args.time))
        _check_slot(tx, branch, service, start)
        upcoming = repo.upcoming_for_customer(tx.session, customer_id)
        for other in upcoming:
            same_day = as_utc(other.starts_at).astimezone(MEXICO_CITY).date() == args.day
            if other.service == service.value and same_day and other.number:
                raise ToolRefused(
                    say.already_booked(BAY_SERVICES[service].name, other.number,
                                       when_text(other.starts_at))
                )  # fmt: skip
        if len(upcoming) >= MAX_UPCOMING:
            raise ToolRefused(say.too_many(len(upcoming)))
        try:
            row = repo.book(
                tx.session, customer_id=customer_id, branch=branch, service=service,
                start=start, vehicle=args.vehicle, channel=ctx.channel,
                session_id=ctx.session_id, actor=ctx.actor,
            )  # fmt: skip
        except Conflict as exc:
            raise ToolRefused(
                say.full(BAY_SERVICES[service].name, branch.name, when_text(start),
                         _offer(tx, branch, service, start))
            ) from exc  # fmt: skip
        return AppointmentBooked(change="booked", appointment=public_view(tx, row))


def move_appointment(ctx: ToolContext, args: MoveArgs) -> AppointmentBooked:
    """Mueve una cita del cliente a otro día y hora (y, si lo pide, a otra sucursal): el folio
    que diga o su próxima cita. Mismo folio; el lugar anterior se libera. SOLO después de que
    confirmó el nuevo horario. Se niega, con horas libres, si el nuevo horario ya pasó, está
    cerrado, fuera de horario o lleno; también si la cita no es suya, ya pasó o se canceló."""
    with ctx.transaction(write=True) as tx:
        row = _own(tx, ctx, args.number)
        _changeable(row)
        assert row.number is not None
        current = tx.session.get(Branch, row.branch_id)
        assert current is not None
        branch = repo.branch_by_code(tx.session, find_branch(tx, args.branch).code) \
            if args.branch else current  # fmt: skip
        service = ServiceKind(row.service)
        _capacity(tx, branch, service)
        start = local_start(args.day, _parse_time(args.time))
        if branch.id == row.branch_id and as_utc(start) == as_utc(row.starts_at):
            raise ToolRefused(say.same_slot(row.number, when_text(start)))
        _check_slot(tx, branch, service, start)
        before = f"{when_text(row.starts_at)} en {current.name}"
        try:
            repo.move(tx.session, row, branch=branch, start=start, actor=ctx.actor)
        except Conflict as exc:
            raise ToolRefused(
                say.full(BAY_SERVICES[service].name, branch.name, when_text(start),
                         _offer(tx, branch, service, start))
            ) from exc  # fmt: skip
        return AppointmentBooked(
            change="moved", appointment=public_view(tx, row), previous_label=before
        )


def cancel_appointment(ctx: ToolContext, args: NumberArgs) -> AppointmentBooked:
    """Cancela una cita del cliente (el folio que diga o su próxima cita); el lugar queda
    libre. Úsala cuando dice "ya no voy", "cancela la cita". Se niega si la cita no es suya,
    ya pasó o ya estaba cancelada."""
    with ctx.transaction(write=True) as tx:
        row = _own(tx, ctx, args.number)
        _changeable(row)
        repo.cancel(tx.session, row, actor=ctx.actor)
        return AppointmentBooked(change="cancelled", appointment=public_view(tx, row))


def list_my_appointments(ctx: ToolContext, args: NoArgs) -> AppointmentList:
    """Las citas próximas del cliente de esta plática (folio, servicio, sucursal, día y hora),
    la más cercana primero. Úsala cuando pregunta "¿cuándo es mi cita?"."""
    with ctx.transaction() as tx:
        who = speaker(tx, ctx)
        if who is None or who.local is None or who.local.id is None:
            return AppointmentList(appointments=[])
        rows = repo.upcoming_for_customer(tx.session, who.local.id)
        return AppointmentList(appointments=[public_view(tx, r) for r in rows])


FIND_APPOINTMENT_SLOTS = tool(find_appointment_slots, SlotsArgs, roles=EVERYONE)
BOOK_APPOINTMENT = tool(book_appointment, BookArgs, roles=CUSTOMER_ONLY, writes=True)
MOVE_APPOINTMENT = tool(move_appointment, MoveArgs, roles=CUSTOMER_ONLY, writes=True)
CANCEL_APPOINTMENT = tool(cancel_appointment, NumberArgs, roles=CUSTOMER_ONLY, writes=True)
LIST_MY_APPOINTMENTS = tool(list_my_appointments, NoArgs, roles=CUSTOMER_ONLY)
APPOINTMENT_TOOLS = (
    FIND_APPOINTMENT_SLOTS,
    BOOK_APPOINTMENT,
    MOVE_APPOINTMENT,
    CANCEL_APPOINTMENT,
    LIST_MY_APPOINTMENTS,
)
