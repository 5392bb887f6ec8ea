"""Appointments for staff: a branch's bookings of one day, and the branch's iCalendar feed
(``/calendar/{branch}.ics?sig=...``, HMAC-signed so a calendar app can subscribe without an
API key) with the staff endpoint that hands out its signed URL."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel import Session

from api.deps import ContainerDep, PrincipalDep, SessionDep
from core.errors import PermissionDenied
from core.security import Principal
from db.repositories import appointments as repo
from db.tables import Appointment, Branch, Customer
from domain.appointment_results import BranchBooking, BranchDay, BranchRef, CalendarFeedUrl
from domain.appointments import BAY_SERVICES, HORIZON_DAYS, AppointmentStatus, ServiceKind
from domain.clock import as_utc, mexico_today, to_mexico, utcnow
from domain.enums import Role
from domain.icalendar import CalendarEvent, calendar
from domain.spanish import clock_time

router = APIRouter(tags=["appointments"])
STAFF_ROLES = frozenset({Role.STAFF, Role.ADMIN, Role.TECHNICIAN})
# The feed key is derived from the auth secret with this label: no extra secret to configure,
# and a feed URL can never be replayed as (or forged from) a token or payment signature.
_FEED_LABEL = b"topllantas/calendar/feed/v1"
FEED_PAST_DAYS = 14  # bookings already done stay in staff calendars this long
FEED_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.DONE, AppointmentStatus.CANCELLED)


async def branch_staff(principal: PrincipalDep) -> Principal:
    """Staff, admins and technicians see branch bookings; other roles get 403."""
    if principal.role not in STAFF_ROLES:
        raise PermissionDenied(f"role '{principal.role.value}' may not see branch appointments")
    return principal


BranchStaff = Annotated[Principal, Depends(branch_staff)]


def feed_signature(secret: str, branch_code: str) -> str:
    """HMAC-SHA256 (hex) of the branch's feed, keyed from the app's secret."""
    key = hmac.new(secret.encode(), _FEED_LABEL, hashlib.sha256).digest()
    return hmac.new(key, f"calendar:{branch_code}".encode(), hashlib.sha256).hexdigest()


def _ref(branch: Branch) -> BranchRef:
    return BranchRef(code=branch.code, name=branch.name, address=branch.address)


def _booking(row: Appointment, customer: Customer) -> BranchBooking:
    assert row.number is not None and customer.id is not None
    service = ServiceKind(row.service)
    return BranchBooking(
        number=row.number,
        status=AppointmentStatus(row.status),
        service=service,
        service_name=BAY_SERVICES[service].name,
        starts_at=as_utc(row.starts_at),
        ends_at=as_utc(row.ends_at),
        time=clock_time(to_mexico(row.starts_at)),
        customer_id=customer.id,
        customer_name=customer.name,
        customer_phone=customer.phone,
        vehicle=row.vehicle,
    )


@router.get("/api/v1/appointments", summary="A branch's appointments of one day")
async def branch_day(
    session: SessionDep,
    _: BranchStaff,
    branch: Annotated[str, Query(max_length=8, description="Branch code: CDMX, GDL, MTY")],
    day: Annotated[date | None, Query(description="Mexico City day; default today")] = None,
    status: Annotated[list[AppointmentStatus] | None, Query(description="Repeat for several")] = (
        None
    ),
) -> BranchDay:
    """Bookings of the day by start time (every status unless filtered), with the customer's
    name and phone, and the branch's bays per service."""
    row = repo.branch_by_code(session, branch.upper())
    assert row.id is not None
    wanted = day or mexico_today()
    return BranchDay(
        branch=_ref(row),
        day=wanted,
        bays={s: repo.bays(session, row.id, s) for s in ServiceKind},
        bookings=[
            _booking(a, c)
            for a, c in repo.in_range(session, row.id, wanted, wanted, statuses=status)
        ],
    )


@router.get("/api/v1/calendar/{branch}/url", summary="The signed iCalendar feed of a branch")
async def calendar_url(
    branch: str, session: SessionDep, container: ContainerDep, _: BranchStaff
) -> CalendarFeedUrl:
    """The URL staff paste into Google Calendar, Outlook or Apple Calendar ("subscribe from
    URL"); anyone holding it reads the branch's bookings, so share it like a password."""
    row = repo.branch_by_code(session, branch.upper())
    base = container.settings.public_base_url.rstrip("/")
    sig = feed_signature(container.jwt_secret, row.code)
    return CalendarFeedUrl(branch=row.code, url=f"{base}/calendar/{quote(row.code)}.ics?sig={sig}")


def _feed(session: Session, branch: Branch) -> str:
    assert branch.id is not None
    today = mexico_today()
    rows = repo.in_range(
        session,
        branch.id,
        today - timedelta(days=FEED_PAST_DAYS),
        today + timedelta(days=HORIZON_DAYS),
        statuses=FEED_STATUSES,
    )
    events = []
    for row, customer in rows:
        service = BAY_SERVICES[ServiceKind(row.service)]
        details = [f"Folio {row.number}", f"Cliente: {customer.name}"]
        details += [f"Teléfono: {customer.phone}"] if customer.phone else []
        details += [f"Vehículo: {row.vehicle}"] if row.vehicle else []
        events.append(
            CalendarEvent(
                uid=f"{row.number}@topllantas",
                start=row.starts_at,
                end=row.ends_at,
                summary=f"{service.name}: {customer.name} ({row.number})",
                description="\n".join(details),
                location=f"{branch.name}, {branch.address}",
                status="CANCELLED" if row.status == AppointmentStatus.CANCELLED else "CONFIRMED",
                sequence=int(as_utc(row.updated_at).timestamp()),
                last_modified=row.updated_at,
            )
        )
    return calendar(f"TopLlantas {branch.name}: citas", events, stamp=utcnow())


@router.get(
    "/calendar/{branch}.ics",
    summary="A branch's bookings as an iCalendar feed (signed URL)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 403: {"description": "Bad signature"}},
)
async def calendar_feed(
    branch: str,
    session: SessionDep,
    container: ContainerDep,
    sig: Annotated[
        str, Query(max_length=128, description="From /api/v1/calendar/{branch}/url")
    ] = "",
) -> Response:
    """Bookings from two weeks ago to the booking horizon; cancelled ones stay as CANCELLED so
    subscribed calendars drop them. 403 unless ``sig`` is this branch's signature."""
    expected = feed_signature(container.jwt_secret, branch.upper())
    if not hmac.compare_digest(expected.encode(), sig.strip().lower().encode("utf-8", "replace")):
        raise PermissionDenied("bad or missing calendar signature", field="sig")
    row = repo.branch_by_code(session, branch.upper())
    return Response(
        content=_feed(session, row),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{row.code}.ics"'},
    )
