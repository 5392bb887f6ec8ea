"""Order status: the order the customer means, several to choose from, the newest when none is
active, paid and due told honestly, and a late delivery called late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.repositories.orders import create_order, update_order
from db.tables import Customer, Delivery, Order
from domain.clock import utcnow
from domain.enums import OrderStatus as S
from domain.sales import OrderCreate, OrderLineCreate, OrderUpdate
from domain.tool_results import OrderStatus
from tests.api.test_orders import a_product_with_stock
from tests.tools.conftest import MakeCtx, call, refusal
from tools.order_status import GET_ORDER_STATUS

PATHS = {
    S.RESERVED: (),
    S.PAID: (S.PAID,),
    S.READY_FOR_PICKUP: (S.PAID, S.READY_FOR_PICKUP),
    S.OUT_FOR_DELIVERY: (S.PAID, S.OUT_FOR_DELIVERY),
    S.DELIVERED: (S.PAID, S.OUT_FOR_DELIVERY, S.DELIVERED),
    S.CANCELLED: (S.CANCELLED,),
}


def new_customer(engine: Engine, phone: str) -> int:
    with session_scope(engine, write=True) as s:
        customer = Customer(kind="retail", name="Ana Torres", phone=phone)
        s.add(customer)
        s.flush()
        return customer.id or 0


def order_in(engine: Engine, customer_id: int, status: S, *, age_days: int = 0) -> str:
    """An order of this customer moved to ``status`` through the store's own code path."""
    sku = a_product_with_stock(engine, 2)
    with session_scope(engine, write=True) as s:
        order = create_order(
            s,
            OrderCreate(
                customer_id=customer_id,
                branch_code="CDMX",
                lines=[OrderLineCreate(sku=sku, quantity=2)],
            ),
            actor="test",
            hold_hours=48,
        )
        for step in PATHS[status]:
            update_order(s, order.id, OrderUpdate(status=step), actor="test", hold_hours=48)
        row = s.get(Order, order.id)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=age_days)
        s.add(row)
        return order.folio


def test_the_order_on_the_road_wins_over_paid_and_reserved(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    customer = new_customer(engine, "+525511110001")
    order_in(engine, customer, S.RESERVED)
    order_in(engine, customer, S.PAID, age_days=1)
    road = order_in(engine, customer, S.OUT_FOR_DELIVERY, age_days=3)
    ctx = make_ctx(customer_id=customer, channel="whatsapp")
    status = call(GET_ORDER_STATUS, ctx, OrderStatus)
    assert status.order is not None and status.order.folio == road and not status.candidates
    assert ctx.dialogue.slots.order_folio == road


def test_paid_or_ready_wins_over_reserved_and_ties_are_asked(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    customer = new_customer(engine, "+525511110002")
    order_in(engine, customer, S.RESERVED)
    ready = order_in(engine, customer, S.READY_FOR_PICKUP, age_days=2)
    ctx = make_ctx(customer_id=customer, channel="whatsapp")
    assert call(GET_ORDER_STATUS, ctx, OrderStatus).order.folio == ready  # type: ignore[union-attr]
    paid = order_in(engine, customer, S.PAID, age_days=1)
    both = call(GET_ORDER_STATUS, ctx, OrderStatus)
    assert both.order is None
    assert [c.folio for c in both.candidates] == [paid, ready]  # newest first
    assert all(c.description.startswith("2 x ") for c in both.candidates)


def test_with_nothing_active_the_newest_order(engine: Engine, make_ctx: MakeCtx) -> None:
    customer = new_customer(engine, "+525511110003")
    order_in(engine, customer, S.DELIVERED, age_days=20)
    newest = order_in(engine, customer, S.CANCELLED, age_days=2)
    ctx = make_ctx(customer_id=customer, channel="whatsapp")
    status = call(GET_ORDER_STATUS, ctx, OrderStatus)
    assert status.order is not None and status.order.folio == newest
    nobody = make_ctx(customer_id=new_customer(engine, "+525511110004"), channel="whatsapp")
    assert "No encuentro pedidos" in refusal(GET_ORDER_STATUS, nobody)


def test_a_delivery_nineteen_days_late_is_late(engine: Engine, make_ctx: MakeCtx) -> None:
    customer = new_customer(engine, "+525511110005")
    folio = order_in(engine, customer, S.OUT_FOR_DELIVERY, age_days=21)
    end = utcnow() - timedelta(days=19)
    with session_scope(engine, write=True) as s:
        s.add(
            Delivery(
                order_id=int(folio[3:]),
                address="Calle Roble 12, Coyoacán",
                window_start=end - timedelta(hours=3),
                window_end=end,
                status="out_for_delivery",
            )
        )
    ctx = make_ctx(customer_id=customer, channel="whatsapp")
    status = call(GET_ORDER_STATUS, ctx, OrderStatus)
    assert status.order is not None and status.order.delivery is not None
    assert status.order.delivery.late and status.order.delivery.days_late == 19
    # Fully paid at the counter? No: this order was never paid, and says so.
    assert status.order.paid_cents == 0 and status.order.balance_cents == status.order.total_cents


def test_a_reserved_order_says_how_long_it_is_held(engine: Engine, make_ctx: MakeCtx) -> None:
    customer = new_customer(engine, "+525511110006")
    folio = order_in(engine, customer, S.RESERVED)
    ctx = make_ctx(customer_id=customer, channel="whatsapp")
    status = call(GET_ORDER_STATUS, ctx, OrderStatus, folio=folio.lower().replace("-", " "))
    assert status.order is not None and status.order.held_until is not None
    assert timedelta(hours=47) < status.order.held_until - utcnow() <= timedelta(hours=48)
    assert status.order.fulfillment.mode == "pickup"


def test_staff_need_a_folio(make_ctx: MakeCtx) -> None:
    assert "folio" in refusal(GET_ORDER_STATUS, make_ctx("staff"))
