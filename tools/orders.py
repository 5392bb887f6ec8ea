"""Reservation tools: hold tires with a deposit link, change or cancel the hold, and send the
link to pay. One open reservation per conversation (``slots.folio``, checked against the store).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from core.errors import Conflict
from domain.catalog import ProductPublic
from domain.dialogue import FulfillmentMode
from domain.enums import Channel, OrderStatus
from domain.pricing import unit_total_cents
from domain.sales import (
    FulfillmentUpdate,
    OrderChange,
    OrderCreate,
    OrderLineCreate,
    OrderPublic,
    OrderUpdate,
)
from domain.tool_results import (
    CancellationResult,
    ReservationChange,
    ReservationResult,
)
from tools import messages
from tools.base import CUSTOMER_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.catalog import MAX_QUANTITY
from tools.guest_holds import check_ip, check_units, guest_rules, open_guest_hold
from tools.identity import (
    Speaker,
    customer_orders,
    find_branch,
    main_branch,
    nearest_branch,
    open_reservation,
    order_by_folio,
    speaker,
)
from tools.offers import quantity_or_default
from tools.order_views import branch_info, describe, details, items
from tools.people import refund_lead
from tools.sales import credit_info, product_by_sku

CANCELLABLE = frozenset({OrderStatus.QUOTE, OrderStatus.RESERVED, OrderStatus.PAID})


class ReservationArgs(BaseModel):
    """Arguments of create_reservation."""

    sku: str = Field(min_length=1, max_length=40, description="SKU de la llanta elegida")
    quantity: int | None = Field(
        None, ge=1, le=MAX_QUANTITY, description="Cuántas (vacío = las de la plática, o 4)"
    )
    branch_code: str | None = Field(
        None, max_length=40, description="Sucursal que pidió: CDMX, GDL, MTY o la ciudad"
    )
    fulfillment: FulfillmentMode | None = Field(
        None, description="pickup (en sucursal) o delivery (instalación a domicilio)"
    )
    pickup_date: date | None = Field(None, description="Día en que pasa por ellas (AAAA-MM-DD)")


class ChangeArgs(BaseModel):
    """Arguments of change_reservation."""

    quantity: int | None = Field(None, ge=1, le=MAX_QUANTITY, description="Nueva cantidad")
    sku: str | None = Field(None, max_length=40, description="Otra llanta (SKU)")
    branch_code: str | None = Field(None, max_length=40, description="Otra sucursal")


class FolioArgs(BaseModel):
    """A folio, or none for the conversation's reservation."""

    folio: str | None = Field(
        None, max_length=20, description="Folio como TL-000123; vacío = el apartado de la plática"
    )


def _channel(ctx: ToolContext) -> Channel:
    return Channel.WHATSAPP if ctx.channel == Channel.WHATSAPP.value else Channel.WEB


def _description(product: ProductPublic) -> str:
    return f"{product.brand} {product.line} {product.size}"


def _choose_branch(
    tx: ToolTx,
    ctx: ToolContext,
    who: Speaker,
    product: ProductPublic,
    quantity: int,
    held: dict[str, int],
) -> str:
    """The nearest branch to the customer's phone that has the units (counting what this
    reservation already holds), then the main branch, then the one with the most units."""
    stock = {s.branch_code: s.available + held.get(s.branch_code, 0) for s in product.stock}
    for code, units in held.items():
        stock.setdefault(code, units)
    near, main = nearest_branch(tx, ctx, who), main_branch(tx)
    ok = sorted(
        (code for code, units in stock.items() if units >= quantity),
        key=lambda code: (code != near, code != main, -stock[code], code),
    )
    if not ok:
        most = max(stock.values(), default=0)
        raise ToolRefused(messages.not_enough_units(quantity, _description(product), most))
    return ok[0]


def _check_credit(
    tx: ToolTx, who: Speaker, product: ProductPublic, quantity: int, freed_cents: int = 0
) -> None:
    credit = credit_info(tx, who)
    if credit is None:
        return
    total = unit_total_cents(product.price.net_cents, who.discount_bp) * quantity
    available = credit.available_cents + freed_cents
    if total > available:
        raise ToolRefused(messages.credit_exceeded(total, available, credit.limit_cents))


def _refusal(exc: Conflict, quantity: int, product: ProductPublic, branch: str) -> ToolRefused:
    """A store conflict in the customer's words (the hold is untouched: nothing was written)."""
    if exc.field == "customer_id":
        return ToolRefused(
            "Este pedido rebasa tu crédito disponible; puedo apartar menos piezas o te paso con "
            "tu asesor."
        )
    return ToolRefused(messages.units_taken(quantity, _description(product), branch))


def _modify(
    tx: ToolTx,
    ctx: ToolContext,
    who: Speaker,
    current: OrderPublic,
    product: ProductPublic,
    quantity: int,
    branch_wanted: str | None,
) -> tuple[ReservationChange, str | None, OrderPublic, str | None]:
    """The open reservation as asked: unchanged (its still-payable link, or a fresh one), or
    changed in place (same folio) with the old hold released and the new one taken at once."""
    wanted = find_branch(tx, branch_wanted).code if branch_wanted else None
    same = (
        len(current.lines) == 1
        and current.lines[0].sku == product.sku
        and current.lines[0].quantity == quantity
    )
    if same and wanted in (None, current.branch_code):
        tx.erp.payment_link(current.id, "deposit")
        return "unchanged", None, tx.erp.get_order(current.id), None
    guest = guest_rules(tx, ctx)
    check_units(guest, quantity)
    held = {current.branch_code: sum(li.quantity for li in current.lines if li.sku == product.sku)}
    here = next((s.available for s in product.stock if s.branch_code == current.branch_code), 0)
    branch = wanted or (
        current.branch_code
        if here + held[current.branch_code] >= quantity
        else _choose_branch(tx, ctx, who, product, quantity, held)
    )
    _check_credit(tx, who, product, quantity, freed_cents=current.balance_cents)
    change = OrderChange(
        lines=[OrderLineCreate(sku=product.sku, quantity=quantity)],
        branch_code=branch if branch != current.branch_code else None,
        with_deposit_link=True,
        # An anonymous hold keeps its end: changing it never buys more time.
        hold_until=current.held_until if guest is not None else None,
    )
    try:
        order = tx.erp.change_order(current.id, change)
    except Conflict as exc:
        raise _refusal(exc, quantity, product, branch) from exc
    moved_from = (
        find_branch(tx, current.branch_code).name if branch != current.branch_code else None
    )
    return "modified", describe(current), order, moved_from


def _create(
    tx: ToolTx,
    ctx: ToolContext,
    who: Speaker,
    product: ProductPublic,
    quantity: int,
    args: ReservationArgs,
) -> OrderPublic:
    guest = guest_rules(tx, ctx)
    check_units(guest, quantity)
    if guest is not None:
        check_ip(tx, ctx, guest)
    if args.branch_code:
        branch = find_branch(tx, args.branch_code).code
    else:
        branch = _choose_branch(tx, ctx, who, product, quantity, {})
    _check_credit(tx, who, product, quantity)
    total = unit_total_cents(product.price.net_cents, who.discount_bp) * quantity
    deposit = min(ctx.settings.payments.deposit_cents, total)
    mode = args.fulfillment or tx.dialogue.slots.fulfillment.mode or FulfillmentMode.PICKUP
    slot = tx.dialogue.slots.fulfillment
    payload = OrderCreate(
        customer_id=who.erp_id,
        branch_code=branch,
        lines=[OrderLineCreate(sku=product.sku, quantity=quantity)],
        status="reserved",
        channel=_channel(ctx),
        fulfillment=mode,
        fulfillment_day=args.pickup_date or (slot.day if slot.mode == mode else None),
        fulfillment_window=slot.window if slot.mode == mode else None,
        fulfillment_address=slot.address if mode == FulfillmentMode.DELIVERY else None,
        deposit_cents=deposit,
        with_deposit_link=deposit > 0,
        # Anonymous: a short hold until the deposit is paid (paid, the tires stay until pickup).
        hold_hours=guest.hold_hours if guest is not None else None,
    )
    try:
        return tx.erp.create_order(payload)
    except Conflict as exc:
        raise _refusal(exc, quantity, product, branch) from exc


def _record(tx: ToolTx, order: OrderPublic) -> None:
    slots = tx.dialogue.slots
    slots.folio = order.folio
    slots.order_folio = order.folio
    slots.branch = order.branch_code
    if len(order.lines) == 1:
        slots.chosen_sku, slots.quantity = order.lines[0].sku, order.lines[0].quantity
    slots.fulfillment.mode = FulfillmentMode(order.fulfillment)


def create_reservation(ctx: ToolContext, args: ReservationArgs) -> ReservationResult:
    """Aparta llantas con un anticipo: toma las piezas en una sucursal hasta que venza el
    apartado y da el link de pago del anticipo. SOLO después de que el cliente dijo que sí las
    quiere. Sucursal: la que pidió; si no, la más cercana a su teléfono que las tenga, luego la
    matriz, luego la que tenga más. Hay UN apartado abierto por plática: si ya lo hay y pide lo
    mismo, devuelve el mismo folio y link (change=unchanged); si pide otra cantidad, otra llanta
    u otra sucursal, lo cambia en su lugar, mismo folio y link nuevo (change=modified). Un
    apartado cancelado, vencido o pagado no estorba: se hace uno nuevo. Devuelve el pedido con
    folio, sucursal, vigencia (held_until), total, anticipo y link de pago."""
    with ctx.transaction(write=True) as tx:
        product = product_by_sku(tx, args.sku)
        quantity = quantity_or_default(tx, args.quantity)
        who = speaker(tx, ctx, create=True)
        if who is None:
            raise ToolRefused(messages.NEED_IDENTITY)
        current = open_reservation(tx, ctx, who)
        if current is None and guest_rules(tx, ctx) is not None:
            current = open_guest_hold(tx, who)  # one open hold per anonymous conversation
        previous: str | None = None
        moved_from: str | None = None
        if current is not None:
            change, previous, order, moved_from = _modify(
                tx, ctx, who, current, product, quantity, args.branch_code
            )
        else:
            change, order = "created", _create(tx, ctx, who, product, quantity, args)
        if change != "created" and (args.fulfillment or args.pickup_date):
            mode = args.fulfillment or FulfillmentMode(order.fulfillment)
            order = tx.erp.set_fulfillment(
                order.id, FulfillmentUpdate(mode=mode, day=args.pickup_date)
            )
            order = tx.erp.get_order(order.id)
        _record(tx, order)
        return ReservationResult(
            change=change,
            previous_description=previous,
            moved_from=moved_from,
            order=details(tx, order),
        )


def change_reservation(ctx: ToolContext, args: ChangeArgs) -> ReservationResult:
    """Cambia el apartado abierto de esta plática: otra cantidad ("mejor solo 2"), otra llanta
    (SKU) u otra sucursal. Mismo folio: libera las piezas y toma las nuevas a la vez, recalcula
    el total y manda un link de pago nuevo (el anterior deja de servir). Se niega si no hay
    apartado abierto o si ya no está apartado (pagado, cancelado o vencido)."""
    refusal: str | None = None
    with ctx.transaction(write=True) as tx:
        who = speaker(tx, ctx)
        folio = tx.dialogue.slots.folio
        if who is None or folio is None:
            raise ToolRefused(messages.NO_OPEN_RESERVATION)
        try:
            order = order_by_folio(tx, ctx, folio)
        except ToolRefused as exc:
            raise ToolRefused(messages.NO_OPEN_RESERVATION) from exc
        current = open_reservation(tx, ctx, who)
        if current is None:
            # The slot is cleared (committed); then the customer hears why.
            expired = order.status == OrderStatus.RESERVED
            refusal = (
                messages.hold_expired(folio)
                if expired
                else messages.not_reserved(folio, order.status.value)
            )
        else:
            line = current.lines[0]
            product = product_by_sku(tx, args.sku or line.sku)
            quantity = args.quantity or (line.quantity if product.sku == line.sku else None)
            quantity = quantity_or_default(tx, quantity)
            change, previous, changed, moved_from = _modify(
                tx, ctx, who, current, product, quantity, args.branch_code
            )
            _record(tx, changed)
            result = ReservationResult(
                change=change,
                previous_description=previous,
                moved_from=moved_from,
                order=details(tx, changed),
            )
    if refusal is not None:
        raise ToolRefused(refusal)
    return result


def order_to_act_on(
    tx: ToolTx, ctx: ToolContext, folio: str | None, wanted: frozenset[OrderStatus]
) -> OrderPublic:
    """The order named, else the conversation's reservation, else the customer's one order in
    one of the ``wanted`` statuses (several: ask which)."""
    if folio:
        return order_by_folio(tx, ctx, folio)
    slot = tx.dialogue.slots.folio
    if slot:
        try:
            return order_by_folio(tx, ctx, slot)
        except ToolRefused:
            tx.dialogue.slots.folio = None
    candidates = [o for o in customer_orders(tx, ctx) if o.status in wanted]
    if not candidates:
        raise ToolRefused(messages.NO_OPEN_RESERVATION)
    if len(candidates) > 1:
        raise ToolRefused(messages.which_order([o.folio for o in candidates]))
    return candidates[0]


def cancel_reservation(ctx: ToolContext, args: FolioArgs) -> CancellationResult:
    """Cancela el apartado de esta plática (o el folio que diga el cliente): libera las piezas y
    el link de pago deja de servir. Si ya pagó el anticipo, se cancela y se abre un caso para
    que una persona le devuelva su dinero (refund_lead_id). Si el pedido ya está listo, en
    camino o entregado, no se cancela aquí: lo ve un asesor. Úsala cuando el cliente dice
    "siempre no", "cancélalo"."""
    refusal: str | None = None
    with ctx.transaction(write=True) as tx:
        order = order_to_act_on(tx, ctx, args.folio, CANCELLABLE)
        if order.status not in CANCELLABLE:
            refusal = messages.cannot_cancel(order.folio, order.status.value)
        else:
            cancelled = tx.erp.update_order(order.id, OrderUpdate(status=OrderStatus.CANCELLED))
            lead_id = refund_lead(tx, ctx, order) if order.paid_cents > 0 else None
            result = CancellationResult(
                folio=order.folio,
                status=cancelled.status.value,
                released=items(order),
                branch=branch_info(tx, order.branch_code),
                paid_cents=order.paid_cents,
                refund_lead_id=lead_id,
            )
        if tx.dialogue.slots.folio == order.folio:
            tx.dialogue.slots.folio = None
    if refusal is not None:
        raise ToolRefused(refusal)
    return result


CREATE_RESERVATION = tool(create_reservation, ReservationArgs, roles=CUSTOMER_ONLY, writes=True)
CHANGE_RESERVATION = tool(change_reservation, ChangeArgs, roles=CUSTOMER_ONLY, writes=True)
CANCEL_RESERVATION = tool(cancel_reservation, FolioArgs, roles=CUSTOMER_ONLY, writes=True)
