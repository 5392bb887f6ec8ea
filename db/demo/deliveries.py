"""A realistic, deterministic day of home deliveries in each branch's city (real neighbourhoods).

Separate from ``seed_demo`` so the rest of the demo data (and every test built on it) does not
move: ``topllantas demo seed`` and ``serve`` add it for the anchor day; tests call it directly.
Orders are made through the same code path as the API, so stock stays consistent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from db.demo import people
from db.engine import session_scope
from db.repositories.lots import adjust_lots
from db.repositories.orders import create_order, update_order
from domain.clock import MEXICO_CITY
from domain.enums import CustomerKind, DeliveryStatus, OrderStatus
from domain.logistics import GAZETTEER, geocode, service_minutes
from domain.sales import OrderCreate, OrderLineCreate, OrderUpdate

ACTOR = "system:seed"
# Deliveries on the demo day per branch (CDMX runs three trucks, the others two).
PER_BRANCH = {"CDMX": 24, "GDL": 14, "MTY": 16}
KG_PER_TIRE = 11  # a passenger/SUV tire, 9-13 kg
# What customers ask for: the three named windows (most), a two-hour slot, or all day (dealers).
RETAIL_WINDOWS = ((9, 13), (9, 13), (13, 17), (13, 17), (17, 19), (10, 12), (15, 17))
DEALER_WINDOWS = ((9, 13), (9, 17), (9, 17))
STREETS = (
    "Av. Revolución", "Calle Hidalgo", "Calle Morelos", "Av. Juárez", "Calle Allende",
    "Calle Zaragoza", "Av. Independencia", "Calle Guerrero", "Calle Aldama", "Calle Madero",
    "Calle Ocampo", "Av. Universidad", "Calle Matamoros", "Calle Abasolo", "Av. Constitución",
)  # fmt: skip


@dataclass
class DeliveryDay:
    day: date
    deliveries: int


def seed_delivery_day(engine: Engine, day: date, *, seed: int = 7) -> DeliveryDay:
    """Paid orders with home delivery on ``day`` in every branch; nothing if it has some already."""
    rng = random.Random(f"deliveries:{seed}:{day.isoformat()}")
    start = datetime.combine(day, time(0), tzinfo=MEXICO_CITY)
    with session_scope(engine) as session:
        existing = session.exec(
            select(t.Delivery.id).where(
                col(t.Delivery.window_start) >= start,
                col(t.Delivery.window_start) < start + timedelta(days=1),
                col(t.Delivery.tires) > 0,
            )
        ).first()
        if existing is not None:
            return DeliveryDay(day, 0)
        branches = {b.code: b for b in session.exec(select(t.Branch).order_by(col(t.Branch.id)))}
        products = session.exec(
            select(t.Product).where(col(t.Product.active)).order_by(col(t.Product.id))
        ).all()[:200]
        customers = session.exec(select(t.Customer).order_by(col(t.Customer.id))).all()
    made = 0
    for code, count in PER_BRANCH.items():
        branch = branches.get(code)
        if branch is None:
            continue
        local = [c for c in customers if c.city == people.CITY[code]] or list(customers)
        for n in range(count):
            customer = rng.choice(local)
            dealer = customer.kind != CustomerKind.RETAIL
            quantity = rng.choice((8, 12, 16, 20)) if dealer else rng.choice((2, 4, 4, 4))
            windows = DEALER_WINDOWS if dealer else RETAIL_WINDOWS
            hours = rng.choice(windows)
            colonia = rng.choice(GAZETTEER[code])[0]
            address = (
                f"{rng.choice(STREETS)} {rng.randint(10, 2999)}, Col. {colonia}, "
                f"{people.CITY[code]}"
            )
            product = rng.choice(products)
            # Orders came in through the previous afternoon and this morning: entry order.
            entered = datetime.combine(day - timedelta(days=1), time(12), tzinfo=MEXICO_CITY)
            entered += timedelta(minutes=25 * n + rng.randint(0, 20))
            with session_scope(engine, write=True) as session:
                made += _one(
                    session, branch, customer, product, quantity, address, hours, day, entered
                )
    return DeliveryDay(day, made)


def _one(
    session: Session,
    branch: t.Branch,
    customer: t.Customer,
    product: t.Product,
    quantity: int,
    address: str,
    hours: tuple[int, int],
    day: date,
    entered: datetime,
) -> int:
    stock = session.exec(
        select(t.Stock).where(t.Stock.product_id == product.id, t.Stock.branch_id == branch.id)
    ).first()
    if stock is None:
        return 0
    if stock.on_hand - stock.reserved < quantity:
        stock.on_hand += quantity  # a restock before this order, so the seed never fails
        adjust_lots(session, stock.id or 0, quantity, received=day - timedelta(days=30))
        session.add(stock)
        session.flush()
    payload = OrderCreate(
        customer_id=customer.id or 0,
        branch_code=branch.code,
        lines=[OrderLineCreate(sku=product.sku, quantity=quantity)],
        status="reserved",
        channel="whatsapp",
        fulfillment="delivery",
    )
    order = create_order(session, payload, actor=ACTOR, hold_hours=48)
    update_order(
        session, order.id, OrderUpdate(status=OrderStatus.PAID), actor=ACTOR, hold_hours=48
    )
    row = session.get(t.Order, order.id)
    assert row is not None
    row.paid_cents = row.total_cents
    row.fulfillment_address = address
    row.fulfillment_day = day
    session.add(row)
    point = geocode(address, branch.code)
    assert point is not None  # the colonia comes from the gazetteer
    session.add(
        t.Delivery(
            order_id=order.id,
            branch_id=branch.id,
            address=address,
            latitude=point[0],
            longitude=point[1],
            window_start=datetime.combine(day, time(hours[0]), tzinfo=MEXICO_CITY),
            window_end=datetime.combine(day, time(hours[1]), tzinfo=MEXICO_CITY),
            status=DeliveryStatus.SCHEDULED.value,
            tires=quantity,
            kg=quantity * KG_PER_TIRE,
            service_minutes=service_minutes(quantity),
            created_at=entered,
        )
    )
    return 1
