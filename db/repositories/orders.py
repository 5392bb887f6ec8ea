"""Orders: create with atomic stock reservation, legal status moves, reservation expiry,
the credit of dealers and fleets, and the public view (payments, delivery, invoice)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from adapters.payments.base import PaymentProvider
from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories.audit import record
from db.repositories.catalog import branch_by_code
from db.repositories.credit import check_credit
from db.repositories.lots import adjust_lots, stock_id_of
from db.repositories.payment_links import expire_unpayable_links, link_public
from db.tables import (
    Branch,
    Customer,
    Delivery,
    Order,
    OrderInvoice,
    OrderLine,
    PaymentLink,
    Product,
    Reservation,
    Stock,
)
from domain.cfdi import REGIMES, USES
from domain.clock import as_utc, utcnow
from domain.dialogue import TimeWindow
from domain.enums import OrderStatus, ReservationStatus
from domain.orders import StockEffect, check_transition, format_folio
from domain.pricing import format_mxn, price_line
from domain.sales import (
    DeliveryPublic,
    InvoicePublic,
    OrderCreate,
    OrderLineCreate,
    OrderLinePublic,
    OrderPublic,
    OrderUpdate,
    ReservationPublic,
)


def take_stock(session: Session, product: Product, branch: Branch, quantity: int) -> None:
    """Hold units atomically: the UPDATE only matches while enough units are available."""
    now = utcnow()
    taken = session.execute(
        sa.update(Stock)
        .where(
            col(Stock.product_id) == product.id,
            col(Stock.branch_id) == branch.id,
            col(Stock.on_hand) - col(Stock.reserved) >= quantity,
        )
        .values(reserved=col(Stock.reserved) + quantity, updated_at=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        available = session.exec(
            select(Stock.on_hand - Stock.reserved).where(
                Stock.product_id == product.id, Stock.branch_id == branch.id
            )
        ).first()
        raise Conflict(
            f"not enough stock of {product.sku} at {branch.code}: "
            f"{available or 0} available, {quantity} requested",
            field="lines",
        )


def _move_stock(session: Session, order: Order, effect: StockEffect) -> None:
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    if effect == StockEffect.RESERVE:
        branch = session.get(Branch, order.branch_id)
        assert branch is not None
        for line in lines:
            product = session.get(Product, line.product_id)
            assert product is not None
            take_stock(session, product, branch, line.quantity)
        return
    deltas = {
        StockEffect.RELEASE: (0, -1),
        StockEffect.CONSUME: (-1, -1),
        StockEffect.RESTOCK: (1, 0),
    }.get(effect)
    if deltas is None:
        return
    on_hand_sign, reserved_sign = deltas
    for line in lines:
        stock_id = stock_id_of(session, line.product_id, order.branch_id)
        if stock_id is not None:
            adjust_lots(session, stock_id, on_hand_sign * line.quantity)
        session.execute(
            sa.update(Stock)
            .where(
                col(Stock.product_id) == line.product_id, col(Stock.branch_id) == order.branch_id
            )
            .values(
                on_hand=col(Stock.on_hand) + on_hand_sign * line.quantity,
                reserved=col(Stock.reserved) + reserved_sign * line.quantity,
                updated_at=utcnow(),
            )
        )


def resolve_products(
    session: Session, lines: Sequence[OrderLineCreate]
) -> list[tuple[Product, int]]:
    """The active products of order lines and their quantities (a product listed twice is one
    line). Raises InvalidRequest naming the line (``lines.N``) for an unknown or discontinued one.
    """
    wanted: dict[int, int] = defaultdict(int)
    products: dict[int, Product] = {}
    for index, line in enumerate(lines):
        field = f"lines.{index}"
        if line.product_id is not None:
            product = session.get(Product, line.product_id)
            missing = f"product {line.product_id} does not exist"
        else:
            product = session.exec(
                select(Product).where(Product.sku == (line.sku or "").upper())
            ).first()
            missing = f"SKU '{line.sku}' does not exist"
        if product is None:
            raise InvalidRequest(missing, field=field)
        if not product.active:
            raise InvalidRequest(f"{product.sku} is discontinued", field=field)
        products[product.id or 0] = product
        wanted[product.id or 0] += line.quantity
    return [(products[pid], qty) for pid, qty in wanted.items()]


def create_order(
    session: Session, payload: OrderCreate, *, actor: str, hold_hours: int
) -> OrderPublic:
    """Create an order; a ``reserved`` order holds its stock until it expires.

    Raises:
        InvalidRequest: unknown customer, branch or product.
        Conflict: not enough stock at the branch, or a dealer's or fleet's credit line is
            exceeded (field ``customer_id``); nothing is written.
    """
    customer = session.get(Customer, payload.customer_id)
    if customer is None:
        raise InvalidRequest(f"customer {payload.customer_id} does not exist", field="customer_id")
    branch = branch_by_code(session, payload.branch_code, field="branch_code")
    items = resolve_products(session, payload.lines)
    expire_reservations(session, actor="system:expiry")
    now = utcnow()
    order = Order(
        customer_id=customer.id or 0,
        branch_id=branch.id or 0,
        status=payload.status,
        channel=payload.channel.value,
        fulfillment=payload.fulfillment.value,
        fulfillment_day=payload.fulfillment_day,
        fulfillment_window=payload.fulfillment_window.value if payload.fulfillment_window else None,
        fulfillment_address=payload.fulfillment_address,
        deposit_cents=payload.deposit_cents,
        notes=payload.notes,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    order.folio = format_folio(order.id or 0)
    expires = now + timedelta(hours=payload.hold_hours or hold_hours)
    lines: list[OrderLine] = []
    reservations: list[Reservation] = []
    for product, quantity in items:
        amounts = price_line(product.price_cents, quantity, customer.discount_bp)
        line = OrderLine(
            order_id=order.id or 0,
            product_id=product.id or 0,
            quantity=quantity,
            unit_price_cents=product.price_cents,
            discount_cents=amounts.discount_cents,
            iva_cents=amounts.iva_cents,
            total_cents=amounts.total_cents,
        )
        session.add(line)
        lines.append(line)
        order.subtotal_cents += amounts.subtotal_cents
        order.discount_cents += amounts.discount_cents
        order.iva_cents += amounts.iva_cents
        order.total_cents += amounts.total_cents
        if payload.status == OrderStatus.RESERVED.value:
            take_stock(session, product, branch, quantity)
            reservation = Reservation(
                order_id=order.id or 0,
                product_id=product.id or 0,
                branch_id=branch.id or 0,
                quantity=quantity,
                expires_at=expires,
            )
            session.add(reservation)
            reservations.append(reservation)
    if order.deposit_cents > order.total_cents:
        raise InvalidRequest("deposit_cents is larger than the order total", field="deposit_cents")
    if payload.status == OrderStatus.RESERVED.value:
        check_credit(session, customer, order.total_cents, excluding=order.id)
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity="order",
        entity_id=order.folio,
        status=order.status,
        total_cents=order.total_cents,
        lines=[{"sku": p.sku, "quantity": q} for p, q in items],
    )
    # Built from what this transaction wrote: re-reading it costs more than the insert itself.
    by_id = {p.id: p for p, _ in items}
    return _public(
        order,
        branch.code,
        [(line, by_id[line.product_id]) for line in lines],
        [(r, branch.code) for r in reservations],
    )


def get_order_row(session: Session, order_id: int, *, lock: bool = False) -> Order:
    """The order row, or NotFound."""
    query = select(Order).where(Order.id == order_id)
    if lock:
        query = query.with_for_update()
    order = session.exec(query).first()
    if order is None:
        raise NotFound(f"order {order_id} does not exist", field="order_id")
    return order


def update_order(
    session: Session, order_id: int, change: OrderUpdate, *, actor: str, hold_hours: int
) -> OrderPublic:
    """Apply a legal status move (with its stock effect) and/or new notes.

    Raises:
        NotFound: no such order.
        Conflict: the move is illegal, or stock is no longer available to re-reserve.
    """
    order = get_order_row(session, order_id, lock=True)
    before = order.status
    if change.status is not None:
        effect = check_transition(OrderStatus(order.status), change.status)
        _move_stock(session, order, effect)
        _update_reservations(session, order, change.status, hold_hours)
        order.status = change.status.value
        expire_unpayable_links(session, order, reason=f"order is {order.status}")
    if change.notes is not None:
        order.notes = change.notes
    if change.paid_cents is not None:
        if order.paid_cents + change.paid_cents > order.total_cents:
            raise InvalidRequest(
                f"paid_cents would exceed the order total: {format_mxn(order.total_cents)} "
                f"total, {format_mxn(order.paid_cents)} already paid",
                field="paid_cents",
            )
        order.paid_cents += change.paid_cents
    order.updated_at = utcnow()
    session.add(order)
    session.flush()
    record(
        session,
        actor=actor,
        action="update",
        entity="order",
        entity_id=order.folio,
        status_from=before,
        status_to=order.status,
        notes_changed=change.notes is not None,
        paid_cents=change.paid_cents,
    )
    return order_public(session, order)


def _update_reservations(
    session: Session, order: Order, target: OrderStatus, hold_hours: int
) -> None:
    rows = session.exec(select(Reservation).where(Reservation.order_id == order.id)).all()
    if target == OrderStatus.RESERVED:
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
        expires = utcnow() + timedelta(hours=hold_hours)
        for line in lines:
            session.add(
                Reservation(
                    order_id=order.id or 0,
                    product_id=line.product_id,
                    branch_id=order.branch_id,
                    quantity=line.quantity,
                    expires_at=expires,
                )
            )
        return
    new_status = {
        OrderStatus.PAID: ReservationStatus.CONFIRMED,
        OrderStatus.DELIVERED: ReservationStatus.CONSUMED,
        OrderStatus.CANCELLED: ReservationStatus.RELEASED,
    }.get(target)
    if new_status is None:
        return
    for row in rows:
        if row.status in (ReservationStatus.ACTIVE, ReservationStatus.CONFIRMED):
            row.status = new_status.value
            session.add(row)


def expire_reservations(session: Session, *, actor: str, now: datetime | None = None) -> list[str]:
    """Cancel reserved orders whose hold expired and give their units back; returns folios.

    Safe with concurrent callers: each reservation is released by exactly one of them.
    """
    now = now or utcnow()
    expired = session.exec(
        select(Reservation.id, Reservation.order_id).where(
            Reservation.status == ReservationStatus.ACTIVE.value, col(Reservation.expires_at) < now
        )
    ).all()
    folios: list[str] = []
    for reservation_id, order_id in expired:
        released = session.execute(
            sa.update(Reservation)
            .where(
                col(Reservation.id) == reservation_id,
                col(Reservation.status) == ReservationStatus.ACTIVE.value,
            )
            .values(status=ReservationStatus.RELEASED.value)
        )
        if released.rowcount != 1:  # type: ignore[attr-defined]
            continue
        reservation = session.get(Reservation, reservation_id)
        assert reservation is not None
        session.execute(
            sa.update(Stock)
            .where(
                col(Stock.product_id) == reservation.product_id,
                col(Stock.branch_id) == reservation.branch_id,
            )
            .values(reserved=col(Stock.reserved) - reservation.quantity, updated_at=now)
        )
        order = session.get(Order, order_id)
        if order is not None and order.status == OrderStatus.RESERVED.value:
            order.status = OrderStatus.CANCELLED.value
            order.updated_at = now
            session.add(order)
            folios.append(order.folio or "")
            record(
                session,
                actor=actor,
                action="expire",
                entity="order",
                entity_id=order.folio,
                reason="reservation expired",
            )
    session.flush()
    return folios


def order_public(
    session: Session, order: Order, *, provider: PaymentProvider | None = None
) -> OrderPublic:
    """The public view of an order: lines, reservations, payments (link URLs when a provider
    is given), delivery and invoice."""
    rows = session.exec(
        select(OrderLine, Product)
        .join(Product, col(Product.id) == OrderLine.product_id)
        .where(OrderLine.order_id == order.id)
        .order_by(col(OrderLine.id))
    ).all()
    codes = {b.id: b.code for b in session.exec(select(Branch)).all()}
    reservations = session.exec(
        select(Reservation).where(Reservation.order_id == order.id).order_by(col(Reservation.id))
    ).all()
    public = _public(
        order,
        codes.get(order.branch_id, ""),
        [(line, product) for line, product in rows],
        [(r, codes.get(r.branch_id, "")) for r in reservations],
    )
    links = session.exec(
        select(PaymentLink)
        .where(PaymentLink.order_id == order.id)
        .order_by(col(PaymentLink.id).desc())
    ).all()
    delivery = session.exec(
        select(Delivery).where(Delivery.order_id == order.id).order_by(col(Delivery.id).desc())
    ).first()
    invoice = session.exec(select(OrderInvoice).where(OrderInvoice.order_id == order.id)).first()
    return public.model_copy(
        update={
            "payment_links": [link_public(link, order, provider) for link in links],
            "delivery": None
            if delivery is None
            else DeliveryPublic(
                status=delivery.status,
                address=delivery.address,
                window_start=as_utc(delivery.window_start),
                window_end=as_utc(delivery.window_end),
            ),
            "invoice": None if invoice is None else invoice_public(invoice),
        }
    )


def invoice_public(row: OrderInvoice) -> InvoicePublic:
    """The API view of an order's CFDI receiver data, with the SAT catalogue names."""
    regime, use = REGIMES.get(row.regime), USES.get(row.use)
    return InvoicePublic(
        rfc=row.rfc,
        name=row.name,
        regime=row.regime,
        regime_name=regime.name if regime else "",
        use=row.use,
        use_name=use.name if use else "",
        zip_code=row.zip_code,
        status=row.status,
    )


def list_orders(
    session: Session,
    *,
    customer_id: int | None = None,
    statuses: Sequence[OrderStatus] | None = None,
    limit: int = 20,
    provider: PaymentProvider | None = None,
) -> list[OrderPublic]:
    """Orders, newest first, optionally of one customer and in some statuses."""
    query = select(Order).order_by(col(Order.created_at).desc(), col(Order.id).desc())
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    if statuses:
        query = query.where(col(Order.status).in_([s.value for s in statuses]))
    rows = session.exec(query.limit(limit)).all()
    return [order_public(session, row, provider=provider) for row in rows]


def _public(
    order: Order,
    branch_code: str,
    lines: list[tuple[OrderLine, Product]],
    reservations: list[tuple[Reservation, str]],
) -> OrderPublic:
    return OrderPublic(
        id=order.id or 0,
        folio=order.folio or "",
        customer_id=order.customer_id,
        branch_code=branch_code,
        status=OrderStatus(order.status),
        channel=order.channel,
        fulfillment=order.fulfillment,
        lines=[
            OrderLinePublic(
                product_id=line.product_id,
                sku=p.sku,
                description=f"{p.brand} {p.line} {p.size}",
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                discount_cents=line.discount_cents,
                iva_cents=line.iva_cents,
                total_cents=line.total_cents,
            )
            for line, p in lines
        ],
        subtotal_cents=order.subtotal_cents,
        discount_cents=order.discount_cents,
        iva_cents=order.iva_cents,
        total_cents=order.total_cents,
        deposit_cents=order.deposit_cents,
        notes=order.notes,
        reservations=[
            ReservationPublic(
                product_id=r.product_id,
                branch_code=code,
                quantity=r.quantity,
                status=r.status,
                expires_at=r.expires_at,
            )
            for r, code in reservations
        ],
        created_at=order.created_at,
        updated_at=order.updated_at,
        fulfillment_day=order.fulfillment_day,
        fulfillment_window=TimeWindow(order.fulfillment_window)
        if order.fulfillment_window
        else None,
        fulfillment_address=order.fulfillment_address,
        paid_cents=order.paid_cents,
        balance_cents=max(order.total_cents - order.paid_cents, 0),
        held_until=min(
            (as_utc(r.expires_at) for r, _ in reservations if r.status == "active"),
            default=None,
        )
        if order.status == OrderStatus.RESERVED.value
        else None,
    )
