"""get_technical_history: the customer's own purchases, cases and visits, nobody else's."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.tables import Customer, Order
from tests.tools.conftest import MakeCtx, call
from tools.history import GET_TECHNICAL_HISTORY, TechnicalHistory


def _buyers(engine: Engine) -> tuple[Customer, Customer]:
    """Two seeded customers who have orders."""
    with Session(engine) as s:
        ids = list(dict.fromkeys(s.exec(select(Order.customer_id).order_by(col(Order.id))).all()))
        first, second = s.get(Customer, ids[0]), s.get(Customer, ids[1])
    assert first is not None and second is not None
    return first, second


def test_an_identified_customer_sees_their_own_purchases(make_ctx: MakeCtx, engine: Engine) -> None:
    first, second = _buyers(engine)
    mine = call(GET_TECHNICAL_HISTORY, make_ctx(customer_id=first.id), TechnicalHistory)
    theirs = call(GET_TECHNICAL_HISTORY, make_ctx(customer_id=second.id), TechnicalHistory)
    assert mine.identified and theirs.identified
    assert mine.purchases and theirs.purchases
    assert {p.folio for p in mine.purchases}.isdisjoint({p.folio for p in theirs.purchases})
    assert all(p.items and p.bought_on for p in mine.purchases)


def test_an_anonymous_chat_has_no_history(make_ctx: MakeCtx) -> None:
    found = call(GET_TECHNICAL_HISTORY, make_ctx(), TechnicalHistory)
    assert not found.identified and found.purchases == [] and found.cases == []
