"""The customer's delivery in chat: status and ETA, the windows it can move to, moving it
("CAMBIAR HORA"), pickup instead, a new address before it leaves, and the fee for an address.

The order is the one the customer means (a folio, the conversation's order, else their active
order with a delivery), and always theirs: identity comes from the tool context. The order's
columns change through the store of record (``ErpClient.set_fulfillment``), the delivery row
and its day's routes here, in the same transaction; the customer's notice goes to the outbox.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

import db.tables as t
from core.errors import Conflict, InvalidRequest
from db.delivery_planning import DONE, route_stops
from db.repositories import delivery_changes as changes
from db.repositories.deliveries import (
    awaiting_survey,
    notify_customer,
    record_survey,
    tracking_url,
)
from domain import logistics_text as text
from domain.clock import as_utc, mexico_now, to_mexico, utcnow
from domain.delivery_results import (
    DeliveryChanged,
    DeliveryCost,
    DeliveryLookup,
    DeliveryView,
    DeliveryWindows,
    SurveyRecorded,
    WindowOption,
)
from domain.dialogue import FulfillmentMode, TimeWindow
from domain.enums import DeliveryStatus, OrderStatus
from domain.logistics import eta_window
from domain.orders import ACTIVE, choose_order, window_of
from domain.pricing import with_iva
from domain.sales import FulfillmentUpdate, OrderPublic
from domain.spanish import weekday_day_month
from tools import messages
from tools.base import CUSTOMER_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.identity import customer_orders, order_by_folio, speaker
from tools.order_views import branch_info, summary

FOLIO = Field(None, max_length=20, description="Folio (TL-000123); vacío = el pedido del que habla")


def _order(tx: ToolTx, ctx: ToolContext, folio: str | None) -> tuple[OrderPublic | None, list[OrderPublic]]:
    """The order meant: the folio given, the conversation's, else the customer's active order
    with a delivery (several equally likely: candidates)."""
    if folio:
        return order_by_folio(tx, ctx, folio), []
    if ctx.role != "customer":
        raise ToolRefused(messages.STAFF_NEEDS_FOLIO)
    if speaker(tx, ctx) is None:
        raise ToolRefused(messages.NO_ORDERS)
    known = tx.dialogue.slots.order_folio
    if known:
        try:
            return order_by_folio(tx, ctx, known), []
        except ToolRefused:
            pass
    orders = customer_orders(tx, ctx, limit=50)
    delivering = [
        o for o in orders
        if o.status in ACTIVE and (o.delivery is not None or o.fulfillment == "delivery")
    ]  # fmt: skip
    chosen, candidates = choose_order(delivering or orders)
    if candidates:
        return None, candidates
    if chosen is None:
        raise ToolRefused(messages.NO_ORDERS)
    return chosen, []


def _view(tx: ToolTx, ctx: ToolContext, order: OrderPublic, d: t.Delivery | None) -> DeliveryView:
    branch = branch_info(tx, order.branch_code)
    mode = FulfillmentMode(order.fulfillment)
    if d is None or d.status == DeliveryStatus.CANCELLED.value:
        return DeliveryView(folio=order.folio, mode=mode, branch=branch,
                            pickup_day=order.fulfillment_day)  # fmt: skip
    now = utcnow()
    driver = tx.session.get(t.Driver, d.driver_id) if d.driver_id else None
    eta = as_utc(d.eta) if d.eta else None
    window = eta_window(eta) if eta is not None and d.status not in DONE else None
    stops_before = None
    if d.route_id and d.status == DeliveryStatus.OUT_FOR_DELIVERY.value:
        stops = route_stops(tx.session, d.route_id)
        mine = next((s.sequence for s, x in stops if x.id == d.id), None)
        if mine is not None:
            stops_before = sum(1 for s, x in stops if s.sequence < mine and x.status not in DONE)
    late = 0
    if d.status not in DONE:
        predicted = max(eta, now) if eta else now
        late = max(0, round((predicted - as_utc(d.window_end)).total_seconds() / 60))
    tolerance = ctx.settings.logistics.late_tolerance_minutes
    return DeliveryView(
        folio=order.folio, mode=mode, status=d.status, address=d.address,
        window_start=as_utc(d.window_start), window_end=as_utc(d.window_end),
        eta_start=window[0] if window else None, eta_end=window[1] if window else None,
        driver_first_name=text.first_name(driver.name) if driver else None,
        driver_rating=round(driver.rating, 1) if driver and driver.rating else None,
        stops_before=stops_before,
        tracking_url=tracking_url(ctx.settings.public_base_url, d.tracking_token),
        late=late > tolerance, minutes_late=late if late > tolerance else 0,
        can_change=d.status in (DeliveryStatus.SCHEDULED.value, DeliveryStatus.FAILED.value),
        branch=branch,
        delivered_at=as_utc(d.delivered_at) if d.delivered_at else None,
        recipient_name=d.recipient_name,
    )  # fmt: skip


def _changeable(tx: ToolTx, order: OrderPublic) -> t.Delivery:
    """The order's delivery while it can still change; else the reason, in Spanish."""
    d = changes.newest_delivery(tx.session, order.id)
    if d is None or d.status == DeliveryStatus.CANCELLED.value:
        raise ToolRefused(text.NO_DELIVERY.format(folio=order.folio))
    if d.status == DeliveryStatus.OUT_FOR_DELIVERY.value:
        raise ToolRefused(text.ALREADY_LEFT.format(folio=order.folio))
    if d.status == DeliveryStatus.DELIVERED.value or order.status in (
        OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.RETURNED,
    ):  # fmt: skip
        raise ToolRefused(
            text.DONE_ALREADY.format(folio=order.folio, status=messages.STATUS_ES[order.status.value])
        )
    return d


def _one_order(tx: ToolTx, ctx: ToolContext, folio: str | None) -> OrderPublic:
    order, candidates = _order(tx, ctx, folio)
    if order is None:
        raise ToolRefused(messages.which_order([o.folio for o in candidates]))
    return order


def _remember(tx: ToolTx, order: OrderPublic) -> None:
    tx.dialogue.slots.order_folio = order.folio


def _window_text(start: datetime, end: datetime) -> str:
    return f"{weekday_day_month(to_mexico(start).date())}, {text.window_text(start, end)}"


def _options(windows: list[changes.Window]) -> list[WindowOption]:
    return [WindowOption(day=w.day, window=w.window, start=w.start, end=w.end) for w in windows]


# --- reads ---------------------------------------------------------------------------------


class StatusArgs(BaseModel):
    folio: str | None = FOLIO


def get_delivery_status(ctx: ToolContext, args: StatusArgs) -> DeliveryLookup:
    """Estado y hora estimada de la entrega de un pedido del cliente: programada (día y
    horario), en camino (ventana de llegada estimada por GPS, conductor, cuántas paradas
    faltan, link de seguimiento), entregada (quién recibió) o no entregada; retraso en minutos
    si va tarde. Sin folio, el pedido del que habla (si hay varios, vienen en candidates para
    preguntarle cuál). Un cliente solo ve sus pedidos; el personal cualquiera por folio."""
    with ctx.transaction() as tx:
        order, candidates = _order(tx, ctx, args.folio)
        if order is None:
            return DeliveryLookup(candidates=[summary(o) for o in candidates])
        _remember(tx, order)
        view = _view(tx, ctx, order, changes.newest_delivery(tx.session, order.id))
        return DeliveryLookup(delivery=view)


class WindowsArgs(BaseModel):
    folio: str | None = FOLIO
    day: date | None = Field(None, description="Día que pide (AAAA-MM-DD); vacío = los próximos días")


def find_delivery_windows(ctx: ToolContext, args: WindowsArgs) -> DeliveryWindows:
    """Horarios a los que todavía se puede mover la entrega del cliente (mañana 9-13, tarde
    13-17, noche 17-20) según las camionetas y lo ya programado: del día que pida, o de los
    próximos días si no dice. Úsala cuando responde CAMBIAR HORA o pide otro día, antes de
    moverla. Rechaza si el pedido ya salió, ya se entregó o es para recoger."""
    with ctx.transaction() as tx:
        order = _one_order(tx, ctx, args.folio)
        _remember(tx, order)
        d = _changeable(tx, order)
        now = utcnow()
        if args.day is not None and args.day < to_mexico(now).date():
            raise ToolRefused(messages.day_in_the_past(weekday_day_month(args.day)))
        found = (
            changes.open_windows(tx.session, d, args.day, now)
            if args.day is not None
            else changes.next_windows(tx.session, d, now)
        )
        return DeliveryWindows(folio=order.folio, current=_view(tx, ctx, order, d), day=args.day,
                               windows=_options(found))  # fmt: skip


class CostArgs(BaseModel):
    address: str | None = Field(
        None, min_length=3, max_length=200, description="Dirección o colonia; vacío = la del pedido"
    )
    folio: str | None = FOLIO
    branch: str | None = Field(None, max_length=8, description="Sucursal (CDMX, GDL, MTY)")


def get_delivery_cost(ctx: ToolContext, args: CostArgs) -> DeliveryCost:
    """Costo de la entrega a domicilio para una dirección (por la colonia y la distancia desde
    la sucursal: hasta 8 km, 15 km y 25 km; más lejos no entregamos, se recoge sin costo).
    Sin dirección, la de su pedido. Precio con IVA."""
    with ctx.transaction() as tx:
        address, branch = args.address, args.branch
        if address is None:
            try:
                order = _one_order(tx, ctx, args.folio)
            except ToolRefused as exc:
                if str(exc) in (messages.NO_ORDERS, messages.STAFF_NEEDS_FOLIO):
                    raise ToolRefused(text.UNKNOWN_ZONE) from exc  # nothing bought yet: where?
                raise
            d = changes.newest_delivery(tx.session, order.id)
            address = (d.address if d else None) or order.fulfillment_address
            branch = branch or order.branch_code
            if not address:
                raise ToolRefused(text.UNKNOWN_ZONE)
        quote = changes.fee_for_address(tx.session, address, branch)
        if quote is None:
            raise ToolRefused(text.UNKNOWN_ZONE)
        fee = quote.fee
        return DeliveryCost(
            address=address, zone=quote.zone, branch=quote.branch, km=fee.km,
            fee_cents=with_iva(fee.cents) if fee.cents is not None else None, band=fee.band,
        )  # fmt: skip


# --- writes --------------------------------------------------------------------------------


def _set_order(tx: ToolTx, order: OrderPublic, update: FulfillmentUpdate) -> None:
    try:
        tx.erp.set_fulfillment(order.id, update)
    except Conflict as exc:
        raise ToolRefused(text.ALREADY_LEFT.format(folio=order.folio)) from exc
    except InvalidRequest as exc:
        if exc.field in ("window", "day"):
            raise ToolRefused(messages.WINDOW_OVER) from exc
        raise


def _notice(ctx: ToolContext, tx: ToolTx, d: t.Delivery, kind: str, body: str) -> bool:
    """On WhatsApp the reply is the notice; on other channels it goes to their WhatsApp."""
    if ctx.channel == "whatsapp":
        return False
    return bool(notify_customer(tx.session, d, text.KINDS[kind], body).outbox_ids)


def _customer_name(tx: ToolTx, order: OrderPublic) -> str:
    row = tx.session.get(t.Customer, order.customer_id)
    return row.name if row else ""


class RescheduleArgs(BaseModel):
    day: date = Field(description="Nuevo día (AAAA-MM-DD)")
    window: TimeWindow = Field(description="morning (9-13), afternoon (13-17) o evening (17-20)")
    folio: str | None = FOLIO


def reschedule_delivery(ctx: ToolContext, args: RescheduleArgs) -> DeliveryChanged:
    """Mueve la entrega del cliente a otro día y horario, solo si las camionetas lo pueden
    cubrir (si no, dice qué horarios hay) y si no ha salido. Vuelve a planear las rutas del día
    que deja y del nuevo, y avisa al cliente. Úsala después de que el cliente eligió el día y
    el horario."""
    with ctx.transaction(write=True) as tx:
        order = _one_order(tx, ctx, args.folio)
        _remember(tx, order)
        d = _changeable(tx, order)
        previous = _window_text(as_utc(d.window_start), as_utc(d.window_end))
        before = (to_mexico(d.window_start).date(), window_of(d.window_start))
        if before == (args.day, args.window) and d.status == "scheduled":
            return DeliveryChanged(folio=order.folio, change="unchanged", previous=previous,
                                   delivery=_view(tx, ctx, order, d))  # fmt: skip
        now = utcnow()
        windows = changes.open_windows(tx.session, d, args.day, now)
        if args.window not in {w.window for w in windows}:
            if not windows:
                raise ToolRefused(text.NO_WINDOWS)
            offers = ", ".join(_window_text(w.start, w.end) for w in windows)
            raise ToolRefused(text.WINDOW_FULL.format(offers=offers))
        old_route = d.route_id
        _set_order(tx, order, FulfillmentUpdate(
            mode=FulfillmentMode.DELIVERY, day=args.day, window=args.window,
            address=None if order.fulfillment_address else d.address,
        ))  # fmt: skip
        tx.session.refresh(d)
        d.delay_notified_at = None
        d.eta = None
        changes.replan_after_move(tx.session, d, old_route, settings=ctx.settings, actor=ctx.actor)
        replanned = old_route is not None or d.route_id is not None
        when = _window_text(as_utc(d.window_start), as_utc(d.window_end))
        url = tracking_url(ctx.settings.public_base_url, d.tracking_token)
        notified = _notice(ctx, tx, d, "moved",
                           text.rescheduled(_customer_name(tx, order), order.folio, when, url))  # fmt: skip
        f = tx.dialogue.slots.fulfillment
        f.mode, f.day, f.window = FulfillmentMode.DELIVERY, args.day, args.window
        return DeliveryChanged(folio=order.folio, change="rescheduled", previous=previous,
                               previous_day=before[0], previous_window=before[1],
                               delivery=_view(tx, ctx, order, d), replanned=replanned,
                               notified=notified)  # fmt: skip


class PickupArgs(BaseModel):
    folio: str | None = FOLIO
    day: date | None = Field(None, description="Día en que pasa (AAAA-MM-DD), si lo dice")
    branch: str | None = Field(None, max_length=40, description="Sucursal que nombra, si nombra una")


def switch_delivery_to_pickup(ctx: ToolContext, args: PickupArgs) -> DeliveryChanged:
    """Cancela la entrega a domicilio y deja el pedido para recoger en la sucursal donde están
    sus llantas (si nombra otra sucursal, dice cuál es). Solo antes de que salga la camioneta.
    Vuelve a planear las rutas de ese día."""
    with ctx.transaction(write=True) as tx:
        order = _one_order(tx, ctx, args.folio)
        _remember(tx, order)
        d = _changeable(tx, order)
        branch = branch_info(tx, order.branch_code)
        if args.branch and args.branch.strip().lower() not in (
            branch.code.lower(), branch.city.lower(), branch.name.lower(),
        ):  # fmt: skip
            from tools.identity import find_branch

            named = find_branch(tx, args.branch)
            if named.code != branch.code:
                raise ToolRefused(text.OTHER_BRANCH.format(branch=f"{branch.name} ({branch.city})"))
        if args.day is not None and args.day < mexico_now().date():
            raise ToolRefused(messages.day_in_the_past(weekday_day_month(args.day)))
        previous = f"entrega en {d.address}, {_window_text(as_utc(d.window_start), as_utc(d.window_end))}"
        old_route = d.route_id
        _set_order(tx, order, FulfillmentUpdate(mode=FulfillmentMode.PICKUP, day=args.day))
        tx.session.refresh(d)
        if d.status != DeliveryStatus.CANCELLED.value:  # a failed one: no longer pending either
            d.status = DeliveryStatus.CANCELLED.value
            tx.session.add(d)
        changes.replan_after_move(tx.session, d, old_route, settings=ctx.settings, actor=ctx.actor)
        notified = _notice(ctx, tx, d, "changed", text.to_pickup(
            _customer_name(tx, order), order.folio, branch.name, branch.address))  # fmt: skip
        refreshed = tx.erp.get_order(order.id)
        f = tx.dialogue.slots.fulfillment
        f.mode, f.day, f.window, f.address = FulfillmentMode.PICKUP, args.day, None, None
        return DeliveryChanged(folio=order.folio, change="pickup", previous=previous,
                               delivery=_view(tx, ctx, refreshed, None),
                               replanned=old_route is not None, notified=notified)  # fmt: skip


class AddressArgs(BaseModel):
    address: str = Field(min_length=5, max_length=200, description="Dirección completa con colonia")
    folio: str | None = FOLIO


def change_delivery_address(ctx: ToolContext, args: AddressArgs) -> DeliveryChanged:
    """Corrige la dirección de entrega antes de que salga la camioneta (después ya no: lo ve
    logística). La dirección debe nombrar una colonia de la zona de la sucursal y estar a 25 km
    o menos. Vuelve a planear la ruta del día y avisa al cliente."""
    with ctx.transaction(write=True) as tx:
        order = _one_order(tx, ctx, args.folio)
        _remember(tx, order)
        d = _changeable(tx, order)
        quote = changes.fee_for_address(tx.session, args.address, order.branch_code)
        if quote is None:
            raise ToolRefused(text.UNKNOWN_ZONE)
        if quote.fee.cents is None:
            raise ToolRefused(text.OUT_OF_AREA.format(km=f"{quote.fee.km:.0f}"))
        previous = d.address
        old_route = d.route_id
        address = " ".join(args.address.split())
        _set_order(tx, order, FulfillmentUpdate(mode=FulfillmentMode.DELIVERY, address=address))
        tx.session.refresh(d)
        changes.relocate(tx.session, d, address)
        if old_route is not None:
            changes.replan_after_move(tx.session, d, old_route, settings=ctx.settings,
                                      actor=ctx.actor)  # fmt: skip
        url = tracking_url(ctx.settings.public_base_url, d.tracking_token)
        notified = _notice(ctx, tx, d, "changed", text.address_changed(
            _customer_name(tx, order), order.folio, d.address, url))  # fmt: skip
        tx.dialogue.slots.fulfillment.address = d.address
        return DeliveryChanged(folio=order.folio, change="address", previous=previous,
                               delivery=_view(tx, ctx, order, d),
                               replanned=old_route is not None, notified=notified)  # fmt: skip


class SurveyArgs(BaseModel):
    score: int = Field(ge=1, le=5, description="Calificación de 1 (mala) a 5 (excelente)")
    comment: str | None = Field(None, max_length=500, description="Su comentario, si dio uno")


def record_delivery_survey(ctx: ToolContext, args: SurveyArgs) -> SurveyRecorded:
    """Guarda la respuesta del cliente a la encuesta que le llegó después de su entrega (1 a 5
    y su comentario); cuenta para la calificación del conductor. Solo si hay una encuesta de
    entrega sin contestar de los últimos 3 días; si no, lo dice."""
    with ctx.transaction(write=True) as tx:
        who = speaker(tx, ctx)
        phone = who.info.phone if who is not None else None
        pending = awaiting_survey(tx.session, phone) if phone else None
        if pending is None:
            raise ToolRefused(text.NO_SURVEY)
        record_survey(tx.session, pending, args.score, args.comment or "", actor=ctx.actor)
        order = tx.session.get(t.Order, pending.order_id)
        driver = tx.session.get(t.Driver, pending.driver_id) if pending.driver_id else None
        return SurveyRecorded(
            folio=(order.folio if order else None) or "", score=args.score,
            comment=pending.survey_comment,
            driver_first_name=text.first_name(driver.name) if driver else None,
        )  # fmt: skip


GET_DELIVERY_STATUS = tool(get_delivery_status, StatusArgs)
FIND_DELIVERY_WINDOWS = tool(find_delivery_windows, WindowsArgs)
GET_DELIVERY_COST = tool(get_delivery_cost, CostArgs)
RESCHEDULE_DELIVERY = tool(reschedule_delivery, RescheduleArgs, roles=CUSTOMER_ONLY, writes=True)
SWITCH_DELIVERY_TO_PICKUP = tool(
    switch_delivery_to_pickup, PickupArgs, roles=CUSTOMER_ONLY, writes=True
)
CHANGE_DELIVERY_ADDRESS = tool(
    change_delivery_address, AddressArgs, roles=CUSTOMER_ONLY, writes=True
)
RECORD_DELIVERY_SURVEY = tool(
    record_delivery_survey, SurveyArgs, roles=CUSTOMER_ONLY, writes=True
)
CUSTOMER_DELIVERY_TOOLS = (
    GET_DELIVERY_STATUS, FIND_DELIVERY_WINDOWS, RESCHEDULE_DELIVERY, SWITCH_DELIVERY_TO_PICKUP,
    CHANGE_DELIVERY_ADDRESS, GET_DELIVERY_COST, RECORD_DELIVERY_SURVEY,
)  # fmt: skip
