"""Changes to an order after it is placed: its lines and branch (same folio), how it reaches
the customer, and the CFDI receiver data; and placing an order with its deposit link.

Every function works in the caller's session: the change and its audit entry commit together.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Conflict, InvalidRequest
from db.repositories.audit import record
from db.repositories.catalog import branch_by_code
from db.repositories.credit import check_credit
from db.repositories.orders import (
    create_order,
    get_order_row,
    order_public,
    resolve_products,
    take_stock,
)
from db.repositories.payment_links import expire_pending_links
from db.repositories.payments import LinkRules, link_for
from db.tables import (
    Branch,
    Customer,
    Delivery,
    Order,
    OrderInvoice,
    OrderLine,
    Product,
    Reservation,
    Stock,
)
from domain.cfdi import validate_receiver
from domain.clock import as_utc, mexico_today, utcnow
from domain.dialogue import FulfillmentMode, TimeWindow
from domain.enums import DeliveryStatus, OrderStatus, ReservationStatus
from domain.orders import window_bounds
from domain.pricing import price_line
from domain.sales import (
    FulfillmentUpdate,
    InvoiceRequest,
    OrderChange,
    OrderCreate,
    OrderPublic,
)

# Until the tires leave the branch, how they reach the customer can still change.
FULFILLMENT_OPEN = frozenset(
    {OrderStatus.QUOTE, OrderStatus.RESERVED, OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP}
)
DELIVERY_LOCKED = frozenset({DeliveryStatus.OUT_FOR_DELIVERY.value, DeliveryStatus.DELIVERED.value})


def place_order(
    session: Session,
    payload: OrderCreate,
    *,
    actor: str,
    hold_hours: int,
    links: LinkRules | None,
) -> OrderPublic:
    """Create an order and, when asked, its deposit payment link, in the caller's transaction.

    Raises:
        InvalidRequest: a deposit link for an order that is not reserved or has no deposit, or
            a store that makes no links (field ``with_deposit_link``); and what create_order
            raises.
        Conflict: see create_order (stock, credit limit).
    """
    if payload.with_deposit_link and (payload.status != "reserved" or payload.deposit_cents < 1):
        raise InvalidRequest(
            "a deposit link needs a reserved order with deposit_cents", field="with_deposit_link"
        )
    if payload.with_deposit_link and links is None:
        raise InvalidRequest("this store makes no payment links", field="with_deposit_link")
    order = create_order(session, payload, actor=actor, hold_hours=hold_hours)
    if not payload.with_deposit_link or links is None:
        return order
    link_for(session, order_id=order.id, purpose="deposit", rules=links, actor=actor)
    return order_public(session, get_order_row(session, order.id), provider=links.provider)


def _active_reservations(session: Session, order: Order) -> list[Reservation]:
    return list(
        session.exec(
            select(Reservation).where(
                Reservation.order_id == order.id,
                Reservation.status == ReservationStatus.ACTIVE.value,
            )
        ).all()
    )


def _release(session: Session, reservation: Reservation) -> None:
    session.execute(
        sa.update(Stock)
        .where(
            col(Stock.product_id) == reservation.product_id,
            col(Stock.branch_id) == reservation.branch_id,
        )
        .values(reserved=col(Stock.reserved) - reservation.quantity, updated_at=utcnow())
    )
    reservation.status = ReservationStatus.RELEASED.value
    session.add(reservation)


def _lines_text(session: Session, order: Order) -> list[dict[str, object]]:
    rows = session.exec(
        select(OrderLine, Product.sku)
        .join(Product, col(Product.id) == OrderLine.product_id)
        .where(OrderLine.order_id == order.id)
        .order_by(col(OrderLine.id))
    ).all()
    return [{"sku": sku, "quantity": line.quantity} for line, sku in rows]


def change_order(
    session: Session,
    order_id: int,
    change: OrderChange,
    *,
    actor: str,
    hold_hours: int,
    links: LinkRules | None,
) -> OrderPublic:
    """Change a reserved order in place (same folio): release its hold, re-price the new lines
    for the customer, take the new hold, expire its pending links and (when asked) make a
    fresh deposit link. All or nothing: without the units the old hold stays as it was.

    Raises:
        NotFound: no such order.
        Conflict: the order is not reserved or its hold expired (field ``status``); not enough
            stock at the branch (field ``lines``); the credit limit (field ``customer_id``).
        InvalidRequest: an unknown branch or product.
    """
    order = get_order_row(session, order_id, lock=True)
    if order.status != OrderStatus.RESERVED.value:
        raise Conflict(
            f"order {order.folio} is {order.status}; only a reserved order can change",
            field="status",
        )
    now = utcnow()
    held = _active_reservations(session, order)
    if not held or min(as_utc(r.expires_at) for r in held) <= now:
        raise Conflict(f"the reservation of order {order.folio} has expired", field="status")
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    before = _lines_text(session, order)
    old_branch = session.get(Branch, order.branch_id)
    assert old_branch is not None
    branch = (
        branch_by_code(session, change.branch_code, field="branch_code")
        if change.branch_code
        else old_branch
    )
    if change.lines is not None:
        items = resolve_products(session, change.lines)
    else:
        rows = session.exec(
            select(OrderLine, Product)
            .join(Product, col(Product.id) == OrderLine.product_id)
            .where(OrderLine.order_id == order.id)
        ).all()
        items = [(product, line.quantity) for line, product in rows]
    for reservation in held:
        _release(session, reservation)
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        session.delete(line)
    session.flush()
    order.branch_id = branch.id or 0
    order.subtotal_cents = order.discount_cents = order.iva_cents = order.total_cents = 0
    expires = now + timedelta(hours=hold_hours)
    if change.hold_until is not None:
        if as_utc(change.hold_until) <= now:
            raise InvalidRequest("hold_until must be in the future", field="hold_until")
        expires = min(expires, as_utc(change.hold_until))
    for product, quantity in items:
        amounts = price_line(product.price_cents, quantity, customer.discount_bp)
        session.add(
            OrderLine(
                order_id=order.id or 0,
                product_id=product.id or 0,
                quantity=quantity,
                unit_price_cents=product.price_cents,
                discount_cents=amounts.discount_cents,
                iva_cents=amounts.iva_cents,
                total_cents=amounts.total_cents,
            )
        )
        order.subtotal_cents += amounts.subtotal_cents
        order.discount_cents += amounts.discount_cents
        order.iva_cents += amounts.iva_cents
        order.total_cents += amounts.total_cents
        take_stock(session, product, branch, quantity)
        session.add(
            Reservation(
                order_id=order.id or 0,
                product_id=product.id or 0,
                branch_id=branch.id or 0,
                quantity=quantity,
                expires_at=expires,
            )
        )
    order.deposit_cents = min(order.deposit_cents, order.total_cents)
    order.updated_at = now
    session.add(order)
    check_credit(session, customer, order.total_cents, excluding=order.id)
    expire_pending_links(session, order, reason="order changed")
    session.flush()
    record(
        session,
        actor=actor,
        action="modify",
        entity="order",
        entity_id=order.folio,
        lines_before=before,
        lines_after=[{"sku": p.sku, "quantity": q} for p, q in items],
        branch_before=old_branch.code,
        branch_after=branch.code,
        total_cents=order.total_cents,
    )
    if change.with_deposit_link and links is not None and order.deposit_cents > 0:
        link_for(session, order_id=order.id or 0, purpose="deposit", rules=links, actor=actor)
    return order_public(session, order, provider=links.provider if links else None)


def set_fulfillment(
    session: Session, order_id: int, update: FulfillmentUpdate, *, actor: str
) -> OrderPublic:
    """Record pickup or home installation, the day, window and address, on the order's columns;
    a home visit with all three schedules (or moves) the order's delivery.

    Raises:
        NotFound: no such order.
        Conflict: the tires already left, or the order is closed (field ``status``).
        InvalidRequest: a day in the past (``day``) or a window already over (``window``).
    """
    order = get_order_row(session, order_id, lock=True)
    if OrderStatus(order.status) not in FULFILLMENT_OPEN:
        raise Conflict(
            f"order {order.folio} is {order.status}; how it is delivered can no longer change",
            field="status",
        )
    delivery = session.exec(
        select(Delivery).where(Delivery.order_id == order.id).order_by(col(Delivery.id).desc())
    ).first()
    if delivery is not None and delivery.status in DELIVERY_LOCKED:
        raise Conflict(f"the delivery of order {order.folio} already left", field="status")
    if update.day is not None and update.day < mexico_today():
        raise InvalidRequest(f"{update.day.isoformat()} is in the past", field="day")
    before = (order.fulfillment, order.fulfillment_day, order.fulfillment_window)
    if update.mode.value != order.fulfillment:
        # Another way of getting the tires: what was said for the other one no longer holds.
        order.fulfillment_day = order.fulfillment_window = None
        if update.mode == FulfillmentMode.PICKUP:
            order.fulfillment_address = None
    order.fulfillment = update.mode.value
    if update.day is not None:
        order.fulfillment_day = update.day
    if update.window is not None:
        order.fulfillment_window = update.window.value
    if update.address is not None:
        order.fulfillment_address = " ".join(update.address.split())
    if update.mode == FulfillmentMode.DELIVERY and (
        order.fulfillment_day and order.fulfillment_window and order.fulfillment_address
    ):
        window = TimeWindow(order.fulfillment_window)
        start, end = window_bounds(order.fulfillment_day, window)
        if end <= utcnow():
            raise InvalidRequest("that time window is already over", field="window")
        if delivery is None or delivery.status == DeliveryStatus.CANCELLED.value:
            delivery = Delivery(
                order_id=order.id or 0,
                address=order.fulfillment_address,
                window_start=start,
                window_end=end,
                status=DeliveryStatus.SCHEDULED.value,
            )
        else:
            delivery.address = order.fulfillment_address
            delivery.window_start, delivery.window_end = start, end
            delivery.status = DeliveryStatus.SCHEDULED.value
        session.add(delivery)
    elif update.mode == FulfillmentMode.PICKUP and delivery is not None:
        delivery.status = DeliveryStatus.CANCELLED.value
        session.add(delivery)
    order.updated_at = utcnow()
    session.add(order)
    session.flush()
    record(
        session,
        actor=actor,
        action="fulfillment",
        entity="order",
        entity_id=order.folio,
        before=[str(v) if v is not None else None for v in before],
        mode=order.fulfillment,
        day=order.fulfillment_day.isoformat() if order.fulfillment_day else None,
        window=order.fulfillment_window,
        address_given=order.fulfillment_address is not None,
    )
    return order_public(session, order)


def set_invoice(
    session: Session, order_id: int, request: InvoiceRequest, *, actor: str
) -> OrderPublic:
    """Validate CFDI 4.0 receiver data and record it on the order for the ERP to stamp; the
    customer's RFC is updated too.

    Raises:
        NotFound: no such order.
        InvalidRequest: a bad field (``rfc``, ``name``, ``regime``, ``use``, ``zip_code``),
            with the reason in Spanish.
        Conflict: the order is cancelled, or its invoice was already issued.
    """
    receiver = validate_receiver(
        rfc=request.rfc,
        name=request.name,
        regime=request.regime,
        use=request.use,
        zip_code=request.zip_code,
    )
    order = get_order_row(session, order_id, lock=True)
    if order.status in (OrderStatus.CANCELLED.value, OrderStatus.QUOTE.value):
        raise Conflict(
            f"order {order.folio} is {order.status}; it takes no invoice", field="status"
        )
    row = session.exec(select(OrderInvoice).where(OrderInvoice.order_id == order.id)).first()
    if row is not None and row.status == "issued":
        raise Conflict(f"the invoice of order {order.folio} was already issued", field="status")
    now = utcnow()
    if row is None:
        row = OrderInvoice(
            order_id=order.id or 0,
            rfc=receiver.rfc,
            name=receiver.name,
            regime=receiver.regime.code,
            use=receiver.use.code,
            zip_code=receiver.zip_code,
            created_at=now,
        )
    else:
        row.rfc, row.name, row.zip_code = receiver.rfc, receiver.name, receiver.zip_code
        row.regime, row.use = receiver.regime.code, receiver.use.code
    row.updated_at = now
    session.add(row)
    customer = session.get(Customer, order.customer_id)
    if customer is not None and customer.rfc != receiver.rfc:
        customer.rfc = receiver.rfc
        session.add(customer)
    session.flush()
    record(
        session,
        actor=actor,
        action="invoice_request",
        entity="order",
        entity_id=order.folio,
        rfc=receiver.rfc,
        regime=receiver.regime.code,
        use=receiver.use.code,
    )
    return order_public(session, order)
