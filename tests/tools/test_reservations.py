"""Reservations in chat: one open reservation per conversation, changed in place (same folio,
one hold, one payable link), cancelled with its stock back, never blocked by a dead one."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from adapters.payments.base import PaymentEvent
from db.engine import session_scope
from db.repositories.payments import apply_payment_event
from db.tables import Branch, Customer, Lead, Order, PaymentLink, Product, Reservation, Stock
from domain.enums import Role
from domain.orders import parse_folio
from domain.tool_results import (
    CancellationResult,
    OrderStatus,
    PaymentLinkResult,
    ReservationResult,
    TireOptions,
)
from tests.conftest import bearer
from tests.tools.conftest import MakeCtx, Refused, call, customer_of, refusal
from tools.base import ToolContext
from tools.catalog import SEARCH_TIRES
from tools.order_status import GET_ORDER_STATUS
from tools.orders import CANCEL_RESERVATION, CHANGE_RESERVATION, CREATE_RESERVATION
from tools.payments import RESEND_PAYMENT_LINK


def held(engine: Engine, sku: str) -> dict[str, int]:
    """Units reserved of a product, per branch."""
    with Session(engine) as s:
        rows = s.exec(
            select(Branch.code, Stock.reserved)
            .join(Stock, col(Stock.branch_id) == Branch.id)
            .join(Product, col(Product.id) == Stock.product_id)
            .where(Product.sku == sku)
        ).all()
    return dict(rows)


def links_of(engine: Engine, folio: str) -> list[PaymentLink]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(PaymentLink)
                .where(PaymentLink.order_id == parse_folio(folio))
                .order_by(col(PaymentLink.id))
            ).all()
        )


def offered_sku(ctx: ToolContext, size: str = "205/55R16") -> str:
    found = call(SEARCH_TIRES, ctx, TireOptions, size=size)
    return found.options[0].sku


def pay(engine: Engine, url: str, amount_cents: int) -> None:
    token = url.rsplit("/", 1)[-1]
    with session_scope(engine, write=True) as session:
        apply_payment_event(
            session,
            PaymentEvent(
                token=token, status="paid", provider_ref=f"t-{token[:6]}", amount_cents=amount_cents
            ),
            actor="test:provider",
        )


def test_reserve_four_then_two_holds_exactly_two_with_one_folio_and_one_payable_link(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    before = held(engine, sku)
    first = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    folio, branch = first.order.folio, first.order.branch.code
    assert first.change == "created" and ctx.dialogue.slots.folio == folio
    assert first.order.payment and first.order.payment.status == "pending"
    assert (
        first.order.held_until is not None and first.order.balance_cents == first.order.total_cents
    )
    assert held(engine, sku)[branch] == before[branch] + 4

    again = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert again.change == "unchanged" and again.order.folio == folio
    assert again.order.payment and again.order.payment.url == first.order.payment.url
    assert held(engine, sku)[branch] == before[branch] + 4

    fewer = call(CHANGE_RESERVATION, ctx, ReservationResult, quantity=2)
    assert fewer.change == "modified" and fewer.order.folio == folio
    assert fewer.previous_description and fewer.previous_description.startswith("4 x ")
    assert fewer.order.items[0].quantity == 2
    assert fewer.order.total_cents == fewer.order.items[0].unit_price_cents * 2
    assert fewer.order.payment and fewer.order.payment.url != first.order.payment.url

    confirm = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
    assert confirm.change == "unchanged" and confirm.order.folio == folio
    assert held(engine, sku)[branch] == before[branch] + 2
    links = links_of(engine, folio)
    assert [link.status for link in links] == ["expired", "pending"]
    assert links[-1].amount_cents == 50_000
    with Session(engine) as s:
        order = s.get(Order, parse_folio(folio))
        assert order is not None
        assert (
            s.exec(
                select(sa.func.count())
                .select_from(Order)
                .where(Order.customer_id == order.customer_id)
            ).one()
            == 1
        )
        active = s.exec(
            select(Reservation).where(
                Reservation.order_id == order.id, Reservation.status == "active"
            )
        ).all()
        assert [r.quantity for r in active] == [2]
        assert order.total_cents == fewer.order.total_cents


def test_another_tire_or_branch_changes_the_same_reservation(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    found = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16")
    first_sku, other_sku = found.options[0].sku, found.options[1].sku
    first = call(CREATE_RESERVATION, ctx, ReservationResult, sku=first_sku, quantity=2)
    before_other = held(engine, other_sku)
    swapped = call(CREATE_RESERVATION, ctx, ReservationResult, sku=other_sku, quantity=2)
    assert swapped.change == "modified" and swapped.order.folio == first.order.folio
    assert swapped.order.items[0].sku == other_sku
    branch = swapped.order.branch.code
    assert held(engine, other_sku)[branch] == before_other[branch] + 2
    _only_stock(engine, other_sku, {"CDMX": 8, "GDL": 8, "MTY": 8})
    moved = call(CHANGE_RESERVATION, ctx, ReservationResult, branch_code="Guadalajara")
    assert moved.order.branch.code == "GDL" and moved.order.folio == first.order.folio
    after = held(engine, other_sku)
    assert after["GDL"] == before_other["GDL"] + 2
    if branch != "GDL":
        assert after[branch] == before_other[branch]  # released where it was


def test_cancel_gives_the_stock_back_and_closes_the_reservation(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    before = held(engine, sku)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    cancelled = call(CANCEL_RESERVATION, ctx, CancellationResult)
    assert cancelled.folio == made.order.folio and cancelled.status == "cancelled"
    assert [(i.sku, i.quantity) for i in cancelled.released] == [(sku, 4)]
    assert cancelled.refund_lead_id is None and cancelled.paid_cents == 0
    assert held(engine, sku) == before
    assert {link.status for link in links_of(engine, made.order.folio)} == {"expired"}
    assert ctx.dialogue.slots.folio is None
    assert "apartado abierto" in refusal(CHANGE_RESERVATION, ctx, quantity=2)
    assert "ya estaba cancelado" in refusal(CANCEL_RESERVATION, ctx, folio=made.order.folio)
    # A new reservation after cancelling is a new folio.
    again = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert again.change == "created" and again.order.folio != made.order.folio


def test_after_staff_cancel_through_the_api_the_conversation_can_reserve_again(
    engine: Engine, make_ctx: MakeCtx, client: TestClient, keys: dict[Role, str]
) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    r = client.put(
        f"/api/v1/orders/{parse_folio(made.order.folio)}",
        json={"status": "cancelled"},
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code == 200, r.text
    again = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert again.change == "created" and again.order.folio != made.order.folio
    assert again.order.status == "reserved" and ctx.dialogue.slots.folio == again.order.folio


def test_an_expired_hold_never_blocks_a_new_reservation(engine: Engine, make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
    with session_scope(engine, write=True) as s:
        s.execute(
            sa.update(Reservation)
            .where(col(Reservation.order_id) == parse_folio(made.order.folio))
            .values(expires_at=Reservation.created_at)  # the hold ran out
        )
    fresh = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
    assert fresh.change == "created" and fresh.order.folio != made.order.folio
    with Session(engine) as s:
        old = s.get(Order, parse_folio(made.order.folio))
        assert old is not None and old.status == "cancelled"  # released by the expiry sweep


def test_a_failed_reservation_leaves_no_guest_no_order_and_no_state(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    # The store's refusal, not the anonymous chat's tire cap (tests/tools/test_guest_holds.py).
    abuse = ctx.settings.abuse.model_copy(update={"guest_max_units": 200})
    ctx.settings = ctx.settings.model_copy(update={"abuse": abuse})
    sku = offered_sku(ctx)
    with Session(engine) as s:
        customers = s.exec(select(sa.func.count()).select_from(Customer)).one()
        orders = s.exec(select(sa.func.count()).select_from(Order)).one()
    text = refusal(CREATE_RESERVATION, ctx, sku=sku, quantity=200)
    assert "200 piezas" in text and "máximo" in text
    with Session(engine) as s:
        assert s.exec(select(sa.func.count()).select_from(Customer)).one() == customers
        assert s.exec(select(sa.func.count()).select_from(Order)).one() == orders
    assert ctx.bound_customer_id is None and ctx.dialogue.slots.folio is None
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=1)
    assert ctx.bound_customer_id is not None and made.change == "created"


def _only_stock(engine: Engine, sku: str, units: dict[str, int]) -> None:
    """Arrange the shelf: these units available at these branches, none elsewhere."""
    with session_scope(engine, write=True) as s:
        product = s.exec(select(Product).where(Product.sku == sku)).one()
        for branch in s.exec(select(Branch)).all():
            stock = s.exec(
                select(Stock).where(Stock.product_id == product.id, Stock.branch_id == branch.id)
            ).first()
            if stock is None:
                stock = Stock(product_id=product.id or 0, branch_id=branch.id or 0)
            stock.on_hand = stock.reserved + units.get(branch.code, 0)
            s.add(stock)


def test_the_branch_is_the_nearest_to_the_phone_with_the_units_then_the_main_one(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    monterrey = customer_of(engine, area="81")
    ctx = make_ctx(customer_id=monterrey.id, channel="whatsapp")
    sku = offered_sku(ctx)
    _only_stock(engine, sku, {"CDMX": 10, "GDL": 10, "MTY": 10})
    near = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert near.order.branch.code == "MTY"
    call(CANCEL_RESERVATION, ctx, CancellationResult)
    _only_stock(engine, sku, {"CDMX": 10, "GDL": 12, "MTY": 1})
    main = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert main.order.branch.code == "CDMX"  # the main branch (Branch.is_main), not the biggest
    call(CANCEL_RESERVATION, ctx, CancellationResult)
    _only_stock(engine, sku, {"CDMX": 0, "GDL": 6, "MTY": 5})
    most = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert most.order.branch.code == "MTY"  # nearest again: it has the units
    asked = call(CHANGE_RESERVATION, ctx, ReservationResult, branch_code="GDL")
    assert asked.order.branch.code == "GDL" and asked.order.folio == most.order.folio


def test_concurrent_reservations_never_oversell(engine: Engine, make_ctx: MakeCtx) -> None:
    contexts = [make_ctx() for _ in range(6)]
    sku = offered_sku(contexts[0])
    _only_stock(engine, sku, {"CDMX": 5})
    before = held(engine, sku)["CDMX"]
    outcomes: list[str] = []
    start = threading.Barrier(len(contexts))

    def reserve(ctx: ToolContext) -> None:
        start.wait()
        try:
            call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
            outcomes.append("ok")
        except Refused:
            outcomes.append("refused")

    threads = [threading.Thread(target=reserve, args=(c,)) for c in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "ok"] + ["refused"] * 4
    assert held(engine, sku)["CDMX"] == before + 4
    with Session(engine) as s:
        stock = s.exec(
            select(Stock)
            .join(Product, col(Product.id) == Stock.product_id)
            .join(Branch, col(Branch.id) == Stock.branch_id)
            .where(Product.sku == sku, Branch.code == "CDMX")
        ).one()
        assert stock.reserved <= stock.on_hand


def test_a_dealer_cannot_reserve_past_the_credit_limit(engine: Engine, make_ctx: MakeCtx) -> None:
    dealer = customer_of(engine, "dealer")
    with session_scope(engine, write=True) as s:
        row = s.get(Customer, dealer.id)
        assert row is not None
        # Whatever its open orders use, only $1,000 of credit is left.
        used = s.exec(
            select(sa.func.coalesce(sa.func.sum(Order.total_cents - Order.paid_cents), 0)).where(
                Order.customer_id == dealer.id,
                col(Order.status).in_(
                    ["reserved", "paid", "ready_for_pickup", "out_for_delivery", "delivered"]
                ),
            )
        ).one()
        row.credit_limit_cents = int(used) + 100_000
        s.add(row)
    ctx = make_ctx(customer_id=dealer.id, channel="whatsapp")
    sku = offered_sku(ctx)
    text = refusal(CREATE_RESERVATION, ctx, sku=sku, quantity=4)
    assert "crédito" in text and "$1,000" in text
    assert ctx.dialogue.slots.folio is None


def test_the_link_is_resent_renewed_and_then_asks_for_the_balance(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert made.order.payment is not None
    same = call(RESEND_PAYMENT_LINK, ctx, PaymentLinkResult)
    assert same.purpose == "deposit" and not same.new and same.link.url == made.order.payment.url
    with session_scope(engine, write=True) as s:  # the link ran out; the hold did not
        s.execute(
            sa.update(PaymentLink)
            .where(col(PaymentLink.order_id) == parse_folio(made.order.folio))
            .values(expires_at=PaymentLink.created_at)
        )
    fresh = call(RESEND_PAYMENT_LINK, ctx, PaymentLinkResult)
    assert fresh.new and fresh.link.url != same.link.url and fresh.link.amount_cents == 50_000

    pay(engine, fresh.link.url, 50_000)
    status = call(GET_ORDER_STATUS, ctx, OrderStatus)
    assert status.order is not None and status.order.status == "paid"
    total = status.order.total_cents
    assert status.order.paid_cents == 50_000 and status.order.balance_cents == total - 50_000
    balance = call(RESEND_PAYMENT_LINK, ctx, PaymentLinkResult, folio=made.order.folio)
    assert balance.purpose == "balance" and balance.link.amount_cents == total - 50_000
    pay(engine, balance.link.url, total - 50_000)
    assert "pagado por completo" in refusal(RESEND_PAYMENT_LINK, ctx, folio=made.order.folio)
    done = call(GET_ORDER_STATUS, ctx, OrderStatus, folio=made.order.folio)
    assert done.order and done.order.balance_cents == 0 and done.order.paid_cents == total


def test_cancelling_after_the_deposit_opens_a_refund_for_a_person(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    before = held(engine, sku)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
    assert made.order.payment is not None
    pay(engine, made.order.payment.url, 50_000)
    assert "ya no lo puedo cambiar" in refusal(CHANGE_RESERVATION, ctx, quantity=4)
    cancelled = call(CANCEL_RESERVATION, ctx, CancellationResult, folio=made.order.folio)
    assert cancelled.status == "cancelled" and cancelled.paid_cents == 50_000
    assert cancelled.refund_lead_id is not None
    with Session(engine) as s:
        lead = s.get(Lead, cancelled.refund_lead_id)
        assert lead is not None and lead.kind == "refund"
        assert lead.order_id == parse_folio(made.order.folio)
    assert held(engine, sku) == before


def test_orders_past_the_shop_are_not_cancelled_in_chat(engine: Engine, make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    sku = offered_sku(ctx)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
    with session_scope(engine, write=True) as s:
        row = s.get(Order, parse_folio(made.order.folio))
        assert row is not None
        row.status = "out_for_delivery"
        s.add(row)
    text = refusal(CANCEL_RESERVATION, ctx, folio=made.order.folio)
    assert "en camino" in text and "asesor" in text


def test_only_customers_reserve_and_only_their_own_orders(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    owner = make_ctx()
    sku = offered_sku(owner)
    made = call(CREATE_RESERVATION, owner, ReservationResult, sku=sku, quantity=2)
    staff = make_ctx("staff")
    assert "clientes" in refusal(CREATE_RESERVATION, staff, sku=sku, quantity=2)
    stranger = make_ctx(customer_id=customer_of(engine).id, channel="whatsapp")
    missing = refusal(CANCEL_RESERVATION, stranger, folio="TL-999999")
    assert refusal(CANCEL_RESERVATION, stranger, folio=made.order.folio) == missing
    assert refusal(GET_ORDER_STATUS, stranger, folio=made.order.folio) == missing
    seen = call(GET_ORDER_STATUS, staff, OrderStatus, folio=made.order.folio)
    assert seen.order and seen.order.folio == made.order.folio
