"""The cap on unpaid anonymous holds per address (issue 13): counted in one query however many
guests write from the address (an office, a carrier's NAT), and new holds from one address
taken one at a time across workers, so two conversations reserving at once cannot both pass."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from db.engine import session_scope
from db.repositories.chat import ANONYMOUS_OWNER, start_session
from db.repositories.guest_holds import lock_guest_ip, open_holds_from_ip
from db.repositories.order_changes import place_order
from db.repositories.orders import update_order
from db.tables import Branch, Customer, Order, Product, Reservation, Stock
from domain.clock import utcnow
from domain.enums import OrderStatus
from domain.sales import OrderCreate, OrderLineCreate, OrderUpdate

OFFICE = "10.9.9.9"


def _in_stock(engine: Engine) -> tuple[str, str]:
    """A SKU and branch with free units for a few one-tire holds."""
    with Session(engine) as s:
        sku, branch = s.exec(
            select(Product.sku, Branch.code)
            .join(Stock, col(Stock.product_id) == col(Product.id))
            .join(Branch, col(Branch.id) == col(Stock.branch_id))
            .where(col(Stock.on_hand) - col(Stock.reserved) >= 10)
            .order_by(col(Product.id))
        ).first()  # type: ignore[misc]
    return sku, branch


def _guest(engine: Engine, client_ip: str, *, last_turn: datetime | None = None) -> tuple[str, int]:
    """An anonymous conversation from ``client_ip`` with its guest customer: (session, customer)."""
    with session_scope(engine, write=True) as s:
        guest = Customer(kind="retail", name="Invitado web")
        s.add(guest)
        s.flush()
        assert guest.id is not None
        chat = start_session(
            s, owner=ANONYMOUS_OWNER, role="customer", channel="web", customer_id=guest.id,
            client_ip=client_ip, session_id=uuid.uuid4().hex,
        )  # fmt: skip
        if last_turn is not None:
            chat.updated_at = last_turn
        return chat.id, guest.id


def _hold(engine: Engine, customer_id: int, stock: tuple[str, str]) -> int:
    with session_scope(engine, write=True) as s:
        order = place_order(
            s,
            OrderCreate(
                customer_id=customer_id,
                branch_code=stock[1],
                lines=[OrderLineCreate(sku=stock[0], quantity=1)],
            ),
            actor="test",
            hold_hours=2,
            links=None,
        )
        return order.id


def _count(engine: Engine, client_ip: str, excluding: str) -> int:
    now = utcnow()
    with Session(engine) as s:
        return open_holds_from_ip(
            s, client_ip, active_since=now - timedelta(hours=3), excluding=excluding, now=now
        )


def test_only_live_unpaid_holds_of_the_addresses_other_recent_guests_count(
    engine: Engine,
) -> None:
    stock = _in_stock(engine)
    for _ in range(30):  # guests of the office who only asked prices
        _guest(engine, OFFICE)
    _, live = _guest(engine, OFFICE)
    _hold(engine, live, stock)
    _, lapsed = _guest(engine, OFFICE)
    expired = _hold(engine, lapsed, stock)
    with session_scope(engine, write=True) as s:
        for r in s.exec(select(Reservation).where(Reservation.order_id == expired)).all():
            r.expires_at = utcnow() - timedelta(minutes=1)
    _, paid = _guest(engine, OFFICE)
    confirmed = _hold(engine, paid, stock)
    with session_scope(engine, write=True) as s:
        update_order(
            s, confirmed, OrderUpdate(status=OrderStatus.PAID), actor="test", hold_hours=2
        )
    _, elsewhere = _guest(engine, "10.9.9.10")
    _hold(engine, elsewhere, stock)
    _, long_ago = _guest(engine, OFFICE, last_turn=utcnow() - timedelta(days=2))
    _hold(engine, long_ago, stock)
    asking, own = _guest(engine, OFFICE)
    _hold(engine, own, stock)  # the asking conversation's own hold is not another's

    assert _count(engine, OFFICE, excluding=asking) == 1
    assert _count(engine, "10.9.9.10", excluding=asking) == 1
    assert _count(engine, "10.9.9.11", excluding=asking) == 0
    with Session(engine) as s:  # the statuses the count relies on are what the store wrote
        assert s.get(Order, confirmed).status != "reserved"  # type: ignore[union-attr]


def test_new_holds_from_one_address_wait_for_each_other_across_connections(
    engine: Engine,
) -> None:
    """Two workers' transactions for the same address: the second waits until the first
    commits; another address does not wait. (SQLite's write transactions are serial.)"""
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises write transactions")
    first = Session(engine)
    lock_guest_ip(first, OFFICE)
    outcome: dict[str, object] = {}

    def other_worker(address: str) -> None:
        with Session(engine) as s:
            s.execute(sa.text("SET LOCAL lock_timeout = '300ms'"))
            try:
                lock_guest_ip(s, address)
                outcome[address] = "got it"
            except OperationalError:
                outcome[address] = "waited"

    try:
        for address in (OFFICE, "10.9.9.10"):
            thread = threading.Thread(target=other_worker, args=(address,))
            thread.start()
            thread.join(10)
        assert outcome == {OFFICE: "waited", "10.9.9.10": "got it"}
    finally:
        first.commit()
        first.close()
    other_worker(OFFICE)
    assert outcome[OFFICE] == "got it"
