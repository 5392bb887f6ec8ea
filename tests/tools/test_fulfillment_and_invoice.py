"""Pickup or home installation in real columns (and a scheduled visit in Mexico City time), and
CFDI receiver data on the order, refused field by field in Spanish."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.tables import Customer, Delivery, Order, OrderInvoice
from domain.clock import mexico_today, to_mexico
from domain.orders import parse_folio
from domain.tool_results import FulfillmentResult, InvoiceResult, ReservationResult, TireOptions
from tests.tools.conftest import MakeCtx, call, customer_of, refusal
from tools.base import ToolContext
from tools.catalog import SEARCH_TIRES
from tools.fulfillment import REQUEST_INVOICE, SET_FULFILLMENT
from tools.orders import CREATE_RESERVATION


def reserved(ctx: ToolContext) -> str:
    sku = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16").options[0].sku
    return call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4).order.folio


def test_home_installation_is_recorded_on_the_order_and_scheduled(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    folio = reserved(ctx)
    first = call(SET_FULFILLMENT, ctx, FulfillmentResult, mode="delivery")
    assert first.folio == folio and first.missing == ["day", "window", "address"]
    assert not first.delivery_scheduled
    day = mexico_today() + timedelta(days=3)
    partial = call(
        SET_FULFILLMENT,
        ctx,
        FulfillmentResult,
        mode="delivery",
        day=day.isoformat(),
        window="morning",
    )
    assert partial.missing == ["address"] and partial.fulfillment.day == day
    done = call(
        SET_FULFILLMENT, ctx, FulfillmentResult, mode="delivery",
        address="Calle Roble 12, Col. Del Valle, Benito Juárez",
    )  # fmt: skip
    assert done.missing == [] and done.delivery_scheduled
    assert done.fulfillment.window == "morning" and done.fulfillment.day == day
    with Session(engine) as s:
        order = s.get(Order, parse_folio(folio))
        assert order is not None and order.fulfillment == "delivery"
        assert (order.fulfillment_day, order.fulfillment_window) == (day, "morning")
        assert order.fulfillment_address and "Roble" in order.fulfillment_address
        assert "Recoge" not in order.notes and "domicilio" not in order.notes
        visit = s.exec(select(Delivery).where(Delivery.order_id == order.id)).one()
        start, end = to_mexico(visit.window_start), to_mexico(visit.window_end)
    assert (start.date(), start.hour, end.hour) == (day, 9, 13)  # morning, Mexico City time
    slot = ctx.dialogue.slots.fulfillment
    assert (slot.mode, slot.day, slot.window) == ("delivery", day, "morning")
    # Back to picking up at the shop: the visit is called off.
    pickup = call(SET_FULFILLMENT, ctx, FulfillmentResult, mode="pickup")
    assert pickup.fulfillment.mode == "pickup" and pickup.missing == []
    with Session(engine) as s:
        visit = s.exec(select(Delivery).where(Delivery.order_id == parse_folio(folio))).one()
        assert visit.status == "cancelled"


def test_before_a_reservation_the_choice_waits_in_the_conversation(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    day = mexico_today() + timedelta(days=2)
    early = call(SET_FULFILLMENT, ctx, FulfillmentResult, mode="delivery", day=day.isoformat())
    assert early.folio is None and early.missing == ["window", "address"]
    sku = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16").options[0].sku
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert made.order.fulfillment.mode == "delivery" and made.order.fulfillment.day == day


def test_past_days_and_windows_are_refused(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    reserved(ctx)
    yesterday = mexico_today() - timedelta(days=1)
    assert "ya pasó" in refusal(SET_FULFILLMENT, ctx, mode="pickup", day=yesterday.isoformat())


def test_invoice_data_is_recorded_on_the_order_and_the_customer(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    customer = customer_of(engine, area="55")
    ctx = make_ctx(customer_id=customer.id, channel="whatsapp")
    folio = reserved(ctx)
    result = call(
        REQUEST_INVOICE, ctx, InvoiceResult, rfc="gode 561231 gr8", name="Godínez Delgado Erika",
        regime="612", use="G03", zip_code="03100",
    )  # fmt: skip
    assert result.folio == folio and result.invoice.rfc == "GODE561231GR8"
    assert result.invoice.regime_name.startswith("Personas Físicas")
    assert result.invoice.use_name == "Gastos en general"
    with Session(engine) as s:
        row = s.exec(select(OrderInvoice).where(OrderInvoice.order_id == parse_folio(folio))).one()
        assert (row.rfc, row.regime, row.use, row.zip_code) == (
            "GODE561231GR8",
            "612",
            "G03",
            "03100",
        )
        assert s.get(Customer, customer.id).rfc == "GODE561231GR8"  # type: ignore[union-attr]
    assert ctx.dialogue.slots.invoice.rfc == "GODE561231GR8"


def test_bad_invoice_data_is_refused_naming_the_problem(engine: Engine, make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    folio = reserved(ctx)
    good = {"name": "Erika Godínez", "regime": "612", "use": "G03", "zip_code": "03100"}
    assert "dígito verificador" in refusal(REQUEST_INVOICE, ctx, rfc="GODE561231GR9", **good)
    assert "genérico" in refusal(REQUEST_INVOICE, ctx, rfc="XAXX010101000", **good)
    assert "persona física" in refusal(
        REQUEST_INVOICE, ctx, rfc="GODE561231GR8", **{**good, "regime": "601"}
    )
    assert "código postal" in refusal(
        REQUEST_INVOICE, ctx, rfc="GODE561231GR8", **{**good, "zip_code": "3100"}
    )
    with Session(engine) as s:
        assert (
            s.exec(select(OrderInvoice).where(OrderInvoice.order_id == parse_folio(folio))).first()
            is None
        )
