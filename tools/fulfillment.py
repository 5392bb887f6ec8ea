"""After the reservation: pickup or home installation (day, window, address), and the invoice."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import Conflict, InvalidRequest
from domain.cfdi import validate_receiver
from domain.clock import mexico_today
from domain.dialogue import FulfillmentMode, FulfillmentSlot, InvoiceSlot, TimeWindow
from domain.orders import choose_order
from domain.sales import FulfillmentUpdate, InvoiceRequest, OrderPublic
from domain.spanish import weekday_day_month
from domain.tool_results import FulfillmentInfo, FulfillmentResult, InvoiceResult
from tools import messages
from tools.base import CUSTOMER_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.identity import customer_orders, order_by_folio
from tools.order_views import branch_info, details

Missing = Literal["day", "window", "address"]


class FulfillmentArgs(BaseModel):
    """Arguments of set_fulfillment."""

    mode: FulfillmentMode = Field(
        description="pickup (pasa a la sucursal) o delivery (instalación a domicilio)"
    )
    day: date | None = Field(None, description="Día (AAAA-MM-DD)")
    window: TimeWindow | None = Field(
        None, description="morning (9-13), afternoon (13-17) o evening (17-20), hora de CDMX"
    )
    address: str | None = Field(
        None, min_length=5, max_length=200, description="Dirección para la visita"
    )
    folio: str | None = Field(None, max_length=20, description="Folio; vacío = el de la plática")


class InvoiceArgs(BaseModel):
    """Arguments of request_invoice (the tool checks each field and says what is wrong)."""

    rfc: str = Field(max_length=20, description="RFC: 13 caracteres persona física, 12 empresa")
    name: str = Field(max_length=254, description="Nombre o razón social como en su Constancia")
    regime: str = Field(max_length=120, description="Régimen fiscal (clave SAT), p. ej. 612 o 626")
    use: str = Field(max_length=120, description="Uso de CFDI (clave SAT), p. ej. G03")
    zip_code: str = Field(max_length=10, description="Código postal del domicilio fiscal")
    folio: str | None = Field(None, max_length=20, description="Folio; vacío = el de la plática")


def _conversation_order(tx: ToolTx, ctx: ToolContext, folio: str | None) -> OrderPublic | None:
    """The order named, else the conversation's reservation or the order it talked about."""
    if folio:
        return order_by_folio(tx, ctx, folio)
    for slot in (tx.dialogue.slots.folio, tx.dialogue.slots.order_folio):
        if slot:
            try:
                return order_by_folio(tx, ctx, slot)
            except ToolRefused:
                continue
    return None


def _missing(slot: FulfillmentSlot) -> list[Missing]:
    if slot.mode != FulfillmentMode.DELIVERY:
        return []
    wanted: list[tuple[Missing, object]] = [
        ("day", slot.day),
        ("window", slot.window),
        ("address", slot.address),
    ]
    return [name for name, value in wanted if not value]


def _merged(slot: FulfillmentSlot, args: FulfillmentArgs) -> FulfillmentSlot:
    """The slot after this answer: another mode starts over (what was said for the other one
    no longer holds), given fields replace the old ones."""
    base = slot if slot.mode == args.mode else FulfillmentSlot(mode=args.mode)
    return FulfillmentSlot(
        mode=args.mode,
        day=args.day or base.day,
        window=args.window or base.window,
        address=" ".join(args.address.split()) if args.address else base.address,
    )


def set_fulfillment(ctx: ToolContext, args: FulfillmentArgs) -> FulfillmentResult:
    """Registra cómo recibe las llantas: pickup (pasa a la sucursal; day = el día que pasa) o
    delivery (instalación a domicilio: día, horario morning/afternoon/evening y dirección). Se
    guarda en el pedido de la plática (o el folio que diga); si aún no hay apartado, se guarda
    para cuando aparte. Con día, horario y dirección agenda la visita. missing dice lo que aún
    falta para una visita a domicilio. Úsala cuando responde "a domicilio", "paso a la
    sucursal", "el sábado en la mañana"."""
    refusal: str | None = None
    with ctx.transaction(write=True) as tx:
        if args.day is not None and args.day < mexico_today():
            raise ToolRefused(messages.day_in_the_past(weekday_day_month(args.day)))
        order = _conversation_order(tx, ctx, args.folio)
        slot = _merged(tx.dialogue.slots.fulfillment, args)
        if order is None:
            tx.dialogue.slots.fulfillment = slot
            return FulfillmentResult(
                fulfillment=FulfillmentInfo(
                    mode=args.mode, day=slot.day, window=slot.window, address=slot.address
                ),
                missing=_missing(slot),
            )
        update = FulfillmentUpdate(
            mode=args.mode, day=args.day, window=args.window, address=args.address
        )
        try:
            order = tx.erp.set_fulfillment(order.id, update)
        except Conflict:
            refusal = messages.fulfillment_locked(order.folio, order.status.value)
        except InvalidRequest as exc:
            if exc.field != "window":
                raise
            refusal = messages.WINDOW_OVER
        if refusal is None:
            view = details(tx, order)
            tx.dialogue.slots.fulfillment = FulfillmentSlot(
                mode=view.fulfillment.mode,
                day=view.fulfillment.day,
                window=view.fulfillment.window,
                address=view.fulfillment.address,
            )
            result = FulfillmentResult(
                folio=order.folio,
                fulfillment=view.fulfillment,
                branch=branch_info(tx, order.branch_code),
                missing=_missing(tx.dialogue.slots.fulfillment),
                delivery_scheduled=order.delivery is not None
                and order.delivery.status == "scheduled",
            )
    if refusal is not None:
        raise ToolRefused(refusal)
    return result


def _invoice_order(tx: ToolTx, ctx: ToolContext, folio: str | None) -> OrderPublic:
    order = _conversation_order(tx, ctx, folio)
    if order is not None:
        return order
    chosen, candidates = choose_order(customer_orders(tx, ctx))
    if candidates:
        raise ToolRefused(messages.which_order([o.folio for o in candidates]))
    if chosen is None:
        raise ToolRefused(messages.WHICH_ORDER_FOR_INVOICE)
    return chosen


def request_invoice(ctx: ToolContext, args: InvoiceArgs) -> InvoiceResult:
    """Registra los datos de facturación (CFDI 4.0) en el pedido para que se timbre la factura:
    RFC (formato, fecha y dígito verificador; no se aceptan RFC genéricos), nombre o razón
    social, régimen fiscal, uso de CFDI compatible con el régimen y código postal. Si un dato
    está mal, no guarda nada y dice cuál y por qué. Pedido: el folio que diga, o el de la
    plática."""
    try:
        receiver = validate_receiver(
            rfc=args.rfc, name=args.name, regime=args.regime, use=args.use, zip_code=args.zip_code
        )
    except InvalidRequest as exc:
        raise ToolRefused(messages.invoice_refused(exc.message)) from exc
    refusal: str | None = None
    with ctx.transaction(write=True) as tx:
        order = _invoice_order(tx, ctx, args.folio)
        request = InvoiceRequest(
            rfc=receiver.rfc,
            name=receiver.name,
            regime=receiver.regime.code,
            use=receiver.use.code,
            zip_code=receiver.zip_code,
        )
        try:
            order = tx.erp.set_invoice(order.id, request)
        except Conflict:
            refusal = messages.invoice_locked(order.folio, order.status.value)
        if refusal is None:
            tx.dialogue.slots.invoice = InvoiceSlot(
                rfc=request.rfc,
                name=request.name,
                regime=request.regime,
                use=request.use,
                zip_code=request.zip_code,
            )
            tx.dialogue.slots.order_folio = order.folio
            invoice = details(tx, order).invoice
            assert invoice is not None
            result = InvoiceResult(folio=order.folio, invoice=invoice)
    if refusal is not None:
        raise ToolRefused(refusal)
    return result


SET_FULFILLMENT = tool(set_fulfillment, FulfillmentArgs, roles=CUSTOMER_ONLY, writes=True)
REQUEST_INVOICE = tool(request_invoice, InvoiceArgs, roles=CUSTOMER_ONLY, writes=True)
