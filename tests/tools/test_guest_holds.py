"""An anonymous conversation's holds (issue 13, finding 2) at the tools: one open reservation
found in the store even when the dialogue lost its folio, the tire cap on a change too, the
short hold, and the hold policy the customer is told."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.tables import Order
from domain.clock import as_utc
from domain.orders import parse_folio
from domain.tool_results import PaymentOptions, ReservationResult, TireOptions
from tests.tools.conftest import MakeCtx, call, refusal
from tools.catalog import SEARCH_TIRES
from tools.orders import CHANGE_RESERVATION, CREATE_RESERVATION
from tools.payments import GET_PAYMENT_OPTIONS


def _sku(make_ctx: MakeCtx) -> tuple[str, str]:
    options = call(SEARCH_TIRES, make_ctx(), TireOptions, size="205/55R16").options
    return options[0].sku, options[1].sku


def test_a_lost_folio_does_not_let_an_anonymous_chat_hold_twice(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    ctx = make_ctx()
    first_sku, second_sku = _sku(make_ctx)
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=first_sku, quantity=4)
    assert made.change == "created"
    span = as_utc(made.order.held_until) - as_utc(made.order.created_at)  # type: ignore[arg-type]
    assert timedelta(hours=1, minutes=59) <= span <= timedelta(hours=2)
    ctx.dialogue.slots.folio = None  # the dialogue forgot it (a repair, a crash, a bug)
    again = call(CREATE_RESERVATION, ctx, ReservationResult, sku=second_sku, quantity=2)
    assert again.change == "modified" and again.order.folio == made.order.folio
    with Session(engine) as s:
        mine = s.exec(
            select(sa.func.count())
            .select_from(Order)
            .where(Order.customer_id == s.get(Order, parse_folio(made.order.folio)).customer_id)  # type: ignore[union-attr]
        ).one()
    assert mine == 1


def test_the_tire_cap_holds_on_a_change_and_a_known_customer_has_none(
    make_ctx: MakeCtx,
) -> None:
    ctx = make_ctx()
    sku, _ = _sku(make_ctx)
    call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert "hasta 8 llantas" in refusal(CHANGE_RESERVATION, ctx, quantity=12)
    known = make_ctx(customer_id=1)
    big = call(CREATE_RESERVATION, known, ReservationResult, sku=sku, quantity=12)
    assert big.change == "created"


def test_an_anonymous_chat_is_told_its_short_hold(make_ctx: MakeCtx) -> None:
    assert call(GET_PAYMENT_OPTIONS, make_ctx(), PaymentOptions).hold_hours == 2
    assert call(GET_PAYMENT_OPTIONS, make_ctx(customer_id=1), PaymentOptions).hold_hours is None
