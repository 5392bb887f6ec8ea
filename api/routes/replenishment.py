"""Inventory intelligence over the ERP API: forecasts, alerts, reorder suggestions (confirmed
into purchase orders), the 12-week purchase plan and its calendar, transfers, weekly report.

Reads: admin, staff, integration (the analytics scope). Acting on them (acknowledge, confirm,
transfers): staff and admin only, the people who run the branches."""

from __future__ import annotations

import hmac
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from api.deps import ContainerDep, EngineDep, PrincipalDep, SessionDep, require
from api.routes.appointments import feed_signature
from core.errors import InvalidRequest, PermissionDenied
from core.security import Principal, Scope
from db.engine import session_scope
from db.repositories import forecast_queries as fq
from db.repositories import inventory_alerts as alerts_repo
from db.repositories import reorder as reorder_repo
from db.repositories import transfers as transfers_repo
from db.repositories.catalog import branch_by_code
from db.repositories.inventory_report import WeeklyReport, weekly_report
from db.repositories.reorder import SuggestionPublic
from db.repositories.replenishment import current_state
from db.repositories.transfers import TransferPublic
from db.tables import Branch, InventoryAlert, PurchaseOrder, Supplier
from domain.bounds import DbId, Offset
from domain.clock import MEXICO_CITY, mexico_today, utcnow
from domain.enums import PurchaseOrderStatus, Role
from domain.icalendar import CalendarEvent, calendar
from domain.inventory_text import supplier_short
from domain.pricing import format_mxn
from domain.purchasing import PurchaseOrderPublic
from engines.replenishment import plan_by_week, purchase_plan
from engines.replenishment import transfers as transfer_engine

router = APIRouter(tags=["inventory intelligence"])
READ = [Depends(require(Scope.ANALYTICS_READ))]
ACTORS = frozenset({Role.STAFF, Role.ADMIN})
CALENDAR_KEY = "compras:plan"  # feed_signature's name for the purchase calendar


async def branch_staff(principal: PrincipalDep) -> Principal:
    """Staff and admins act on alerts, suggestions and transfers; other roles get 403."""
    if principal.role not in ACTORS:
        raise PermissionDenied(f"role '{principal.role.value}' may not act on inventory")
    return principal


Actor = Annotated[Principal, Depends(branch_staff)]


def _branch_id(session: Session, code: str | None) -> int | None:
    return None if not code else branch_by_code(session, code).id


# --- forecasts -------------------------------------------------------------------------------


@router.get("/api/v1/forecasts", dependencies=READ, summary="Demand forecast of the latest run")
async def get_forecasts(
    session: SessionDep,
    sku: Annotated[str | None, Query(max_length=40)] = None,
    size: Annotated[str | None, Query(max_length=30)] = None,
    brand: Annotated[str | None, Query(max_length=40)] = None,
    line: Annotated[str | None, Query(max_length=80)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    branch: Annotated[str | None, Query(max_length=8)] = None,
    weeks: Annotated[int, Query(ge=1, le=52, description="The period: next N weeks")] = 4,
    group_by: Annotated[
        Literal["total", "sku", "size", "brand", "line", "category", "branch"], Query()
    ] = "total",
) -> fq.ForecastAnswer:
    """Units forecast over the next ``weeks`` weeks for the matching SKU x branch series,
    summed per group (means add up exactly; p10-p90 is an 80 % interval taking weeks and
    series as independent), with the weekly detail."""
    if branch:
        branch_by_code(session, branch)
    return fq.forecast_answer(
        session, sku=sku, size=size, brand=brand, line=line, category=category, branch=branch,
        weeks=weeks, group_by=group_by,
    )  # fmt: skip


# --- alerts ----------------------------------------------------------------------------------


class AlertPublic(BaseModel):
    """An inventory alert."""

    id: int
    urgency: str
    sku: str
    branch: str | None
    text: str
    action: str
    state: str
    notified: int
    created_at: datetime
    updated_at: datetime
    acknowledged_by: str | None
    detail: dict[str, object]


class AlertPage(BaseModel):
    items: list[AlertPublic]
    total: int
    limit: int
    offset: int


def _alert(row: InventoryAlert, codes: dict[int | None, str]) -> AlertPublic:
    return AlertPublic(
        id=row.id or 0, urgency=row.urgency, sku=row.sku, branch=codes.get(row.branch_id),
        text=row.text, action=row.action, state=row.state, notified=row.notified,
        created_at=row.created_at, updated_at=row.updated_at,
        acknowledged_by=row.acknowledged_by, detail=row.detail,
    )  # fmt: skip


def _codes(session: Session) -> dict[int | None, str]:
    return {b.id: b.code for b in session.exec(select(Branch)).all()}


@router.get("/api/v1/alerts", dependencies=READ, summary="Inventory alerts, most urgent first")
async def list_alerts(
    session: SessionDep,
    urgency: Annotated[
        Literal["crítico", "alto", "medio", "sobreinventario", "antigüedad", "oportunidad"] | None,
        Query(),
    ] = None,
    branch: Annotated[str | None, Query(max_length=8)] = None,
    state: Annotated[Literal["live", "open", "acknowledged", "resolved"], Query()] = "live",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> AlertPage:
    """``state=live`` (default) = open and acknowledged: the situations that still hold."""
    rows, total = alerts_repo.list_alerts(
        session, urgency=urgency, branch_id=_branch_id(session, branch),
        state=None if state == "live" else state, limit=limit, offset=offset,
    )  # fmt: skip
    codes = _codes(session)
    return AlertPage(
        items=[_alert(r, codes) for r in rows], total=total, limit=limit, offset=offset
    )


@router.post("/api/v1/alerts/{alert_id}/acknowledge", summary="Acknowledge an alert")
def acknowledge_alert(alert_id: DbId, engine: EngineDep, principal: Actor) -> AlertPublic:
    """Seen: it stays live (and is not sent again) until the situation ends. 409 unless open."""
    with session_scope(engine, write=True) as session:
        row = alerts_repo.acknowledge(session, alert_id, actor=principal.actor)
        return _alert(row, _codes(session))


# --- reorder suggestions and the purchase plan ------------------------------------------------


@router.get("/api/v1/reorder-suggestions", dependencies=READ, summary="What to buy, per supplier")
async def list_reorder_suggestions(
    session: SessionDep,
    branch: Annotated[str | None, Query(max_length=8)] = None,
    supplier_id: Annotated[DbId | None, Query()] = None,
    status: Annotated[Literal["open", "confirmed", "dismissed", "superseded"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SuggestionPublic]:
    """The nightly run's purchase suggestions (CP-SAT over price breaks, minimum order values
    and the budget), largest first."""
    return reorder_repo.list_suggestions(
        session, status=status, branch_id=_branch_id(session, branch), supplier_id=supplier_id,
        limit=limit,
    )  # fmt: skip


class ConfirmBody(BaseModel):
    """Optional changes before the purchase order is made."""

    quantities: dict[str, Annotated[int, Field(ge=0, le=10_000)]] | None = Field(
        None, description="SKU -> quantity (0 drops the line); unchanged lines keep theirs"
    )


@router.post(
    "/api/v1/reorder-suggestions/{suggestion_id}/confirm",
    status_code=201,
    summary="Confirm a suggestion into a draft purchase order",
)
def confirm_reorder_suggestion(
    suggestion_id: DbId, engine: EngineDep, principal: Actor, body: ConfirmBody | None = None
) -> PurchaseOrderPublic:
    """A draft purchase order through the purchase-order code (priced with the supplier's
    breaks); the suggestion becomes confirmed. 409 unless it is open."""
    with session_scope(engine, write=True) as session:
        return reorder_repo.confirm_suggestion(
            session, suggestion_id, actor=principal.actor,
            quantities=body.quantities if body else None,
        )  # fmt: skip


class PlanWeekPublic(BaseModel):
    week: date
    supplier_id: int
    supplier: str
    units: int
    total_cents: int
    lines: int


@router.get("/api/v1/purchase-plan", dependencies=READ, summary="The 12-week purchase plan")
async def get_purchase_plan(
    session: SessionDep,
    container: ContainerDep,
    weeks: Annotated[int, Query(ge=1, le=26)] = 12,
) -> list[PlanWeekPublic]:
    """Expected orders per week and supplier on the latest forecast's mean path: when each
    item reaches its reorder point, an order up to its order-up-to level."""
    cfg = container.settings.inventory
    snap, policies, _ = current_state(
        session, order_cost_cents=cfg.order_cost_cents, weeks=cfg.horizon_weeks
    )
    orders = purchase_plan(
        snap.items, policies, snap.suppliers, snap.breaks, today=mexico_today(), weeks=weeks
    )
    return [PlanWeekPublic(**asdict(w)) for w in plan_by_week(orders)]


class CalendarUrl(BaseModel):
    url: str


@router.get("/api/v1/purchase-plan/calendar/url", summary="Signed iCalendar feed of purchases")
async def purchase_calendar_url(container: ContainerDep, _: Actor) -> CalendarUrl:
    """The URL a calendar app subscribes to: the dates to place the open suggestions and the
    expected arrival of open purchase orders. Anyone holding it reads them: share it like a
    password."""
    base = container.settings.public_base_url.rstrip("/")
    sig = feed_signature(container.jwt_secret, CALENDAR_KEY)
    return CalendarUrl(url=f"{base}/calendar/compras/plan.ics?sig={sig}")


def purchase_feed(session: Session) -> str:
    """VEVENTs at 09:00 Mexico City: 'Pedir a …' on each open suggestion's order-by date,
    'Llega OC-…' on each draft or sent purchase order's expected date."""
    events = []
    for s in reorder_repo.list_suggestions(session, limit=500):
        start = datetime.combine(s.order_by, time(9), tzinfo=MEXICO_CITY)
        units = sum(x.quantity for x in s.lines)
        events.append(
            CalendarEvent(
                uid=f"sugerencia-{s.id}@topllantas", start=start, end=start + timedelta(minutes=30),
                summary=f"Pedir a {supplier_short(s.supplier)} ({s.branch}): {units} llantas",
                description=f"Sugerencia {s.id}: {format_mxn(s.total_cents)}; llegan el {s.arrives_on}",
            )
        )  # fmt: skip
    names = {x.id: x.name for x in session.exec(select(Supplier)).all()}
    pos = session.exec(
        select(PurchaseOrder).where(
            col(PurchaseOrder.status).in_((PurchaseOrderStatus.DRAFT.value, PurchaseOrderStatus.SENT.value)),
            col(PurchaseOrder.expected_on).is_not(None),
        )
    ).all()  # fmt: skip
    for po in pos:
        assert po.expected_on is not None
        start = datetime.combine(po.expected_on, time(9), tzinfo=MEXICO_CITY)
        events.append(
            CalendarEvent(
                uid=f"{po.folio}@topllantas", start=start, end=start + timedelta(minutes=30),
                summary=f"Llega {po.folio} de {supplier_short(names.get(po.supplier_id, ''))}",
                description=f"{format_mxn(po.total_cents)} ({po.status})",
            )
        )  # fmt: skip
    return calendar("TopLlantas: compras", events, stamp=utcnow())


@router.get(
    "/calendar/compras/plan.ics",
    summary="Purchase due dates as an iCalendar feed (signed URL)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 403: {"description": "Bad signature"}},
)
async def purchase_calendar(
    session: SessionDep,
    container: ContainerDep,
    sig: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """403 unless ``sig`` comes from /api/v1/purchase-plan/calendar/url."""
    expected = feed_signature(container.jwt_secret, CALENDAR_KEY)
    if not hmac.compare_digest(expected.encode(), sig.strip().lower().encode("utf-8", "replace")):
        raise PermissionDenied("bad or missing calendar signature", field="sig")
    return Response(content=purchase_feed(session), media_type="text/calendar; charset=utf-8")


# --- transfers -------------------------------------------------------------------------------


class TransferCreate(BaseModel):
    """A transfer between branches."""

    sku: str = Field(min_length=1, max_length=40)
    from_branch: str = Field(min_length=2, max_length=8)
    to_branch: str = Field(min_length=2, max_length=8)
    quantity: int = Field(gt=0, le=10_000)
    reason: str = Field("", max_length=200)


@router.get("/api/v1/transfers", dependencies=READ, summary="Transfers between branches")
async def list_transfers(
    session: SessionDep,
    status: Annotated[
        Literal["requested", "in_transit", "received", "cancelled"] | None, Query()
    ] = None,
    branch: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[TransferPublic]:
    """Newest first; ``branch`` matches either end."""
    return transfers_repo.list_transfers(
        session, status=status, branch_id=_branch_id(session, branch), limit=limit
    )


class TransferSuggestionPublic(BaseModel):
    sku: str
    label: str
    from_branch: str
    to_branch: str
    quantity: int
    receiver_position: int
    receiver_reorder_point: int


@router.get("/api/v1/transfers/suggestions", dependencies=READ, summary="Transfers to make")
async def transfer_suggestions(
    session: SessionDep,
    container: ContainerDep,
    sku: Annotated[str | None, Query(max_length=40)] = None,
    to_branch: Annotated[str | None, Query(max_length=8)] = None,
) -> list[TransferSuggestionPublic]:
    """Surplus above one branch's order-up-to level for a branch at or below its reorder
    point of the same SKU, before buying (latest forecast, today's stock)."""
    if to_branch:
        to_branch = branch_by_code(session, to_branch, field="to_branch").code
    cfg = container.settings.inventory
    snap, policies, _ = current_state(session, order_cost_cents=cfg.order_cost_cents, weeks=cfg.horizon_weeks)  # fmt: skip
    found = transfer_engine.suggest_transfers(snap.items, policies)
    return [
        TransferSuggestionPublic(
            sku=t.sku, label=t.label, from_branch=t.from_branch, to_branch=t.to_branch,
            quantity=t.quantity, receiver_position=t.receiver_position,
            receiver_reorder_point=t.receiver_reorder_point,
        )
        for t in found
        if (not sku or t.sku == sku.strip().upper()) and (not to_branch or t.to_branch == to_branch)
    ]  # fmt: skip


@router.post("/api/v1/transfers", status_code=201, summary="Request a transfer")
def create_transfer(payload: TransferCreate, engine: EngineDep, principal: Actor) -> TransferPublic:
    """409 (``quantity``) when the origin has fewer available units; 422 names a bad field."""
    with session_scope(engine, write=True) as session:
        return transfers_repo.create_transfer(
            session, sku=payload.sku, from_branch=payload.from_branch, to_branch=payload.to_branch,
            quantity=payload.quantity, actor=principal.actor, reason=payload.reason,
        )  # fmt: skip


@router.post("/api/v1/transfers/{ref}/ship", summary="Ship a transfer: units leave the origin")
def ship_transfer(ref: str, engine: EngineDep, principal: Actor) -> TransferPublic:
    """requested → in_transit; 409 otherwise, or when the units are no longer available."""
    with session_scope(engine, write=True) as session:
        return transfers_repo.ship_transfer(session, ref, actor=principal.actor)


@router.post("/api/v1/transfers/{ref}/receive", summary="Receive a transfer at the destination")
def receive_transfer(ref: str, engine: EngineDep, principal: Actor) -> TransferPublic:
    """in_transit → received: the units join the destination's stock."""
    with session_scope(engine, write=True) as session:
        return transfers_repo.receive_transfer(session, ref, actor=principal.actor)


# --- weekly report ---------------------------------------------------------------------------


@router.get("/api/v1/inventory-report", dependencies=READ, summary="The weekly inventory report")
async def get_weekly_report(
    session: SessionDep,
    container: ContainerDep,
    day: Annotated[
        date | None, Query(description="The week ends the day before (default today)")
    ] = None,
) -> WeeklyReport:
    """Figures per branch, alerts, open purchases and transfers, and the Spanish text."""
    if day is not None and day > mexico_today() + timedelta(days=1):
        raise InvalidRequest("day cannot be in the future", field="day")
    return weekly_report(session, today=day or mexico_today(), settings=container.settings)
