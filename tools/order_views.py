"""An order from the store of record as the customer sees it (OrderDetails), honestly: what is
paid and still due, how long the hold lasts, the newest payment link, and a late delivery."""

from __future__ import annotations

from domain.clock import as_utc, utcnow
from domain.dialogue import FulfillmentMode
from domain.orders import delivery_lateness
from domain.pricing import with_iva
from domain.sales import OrderPublic
from domain.tool_results import (
    BranchInfo,
    DeliveryInfo,
    FulfillmentInfo,
    InvoiceInfo,
    OrderDetails,
    OrderItem,
    OrderSummary,
    PaymentLinkInfo,
)
from tools.base import ToolTx
from tools.identity import branches


def branch_info(tx: ToolTx, code: str) -> BranchInfo:
    """A branch as customers see it."""
    b = next(b for b in branches(tx) if b.code == code)
    return BranchInfo(
        code=b.code,
        name=b.name,
        city=b.city,
        address=b.address,
        phone=b.phone,
        hours=dict(b.opening_hours),
    )


def describe(order: OrderPublic) -> str:
    """``4 x Continental UltraContact 205/55R16`` (lines joined with "y")."""
    return " y ".join(f"{line.quantity} x {line.description}" for line in order.lines)


def items(order: OrderPublic) -> list[OrderItem]:
    """The order's lines, IVA included."""
    return [
        OrderItem(
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price_cents=line.total_cents // line.quantity,
            total_cents=line.total_cents,
        )
        for line in order.lines
    ]


def summary(order: OrderPublic) -> OrderSummary:
    """One line per order, for the customer to choose from."""
    return OrderSummary(
        folio=order.folio,
        status=order.status.value,
        created_at=as_utc(order.created_at),
        description=describe(order),
        total_cents=order.total_cents,
    )


def details(tx: ToolTx, order: OrderPublic) -> OrderDetails:
    """Everything the customer may ask about an order."""
    link = order.payment_links[0] if order.payment_links else None
    delivery = None
    if order.delivery is not None:
        lateness = delivery_lateness(order.delivery.window_end, order.delivery.status, utcnow())
        delivery = DeliveryInfo(
            status=order.delivery.status,
            window_start=as_utc(order.delivery.window_start),
            window_end=as_utc(order.delivery.window_end),
            late=lateness.late,
            days_late=lateness.days_late,
        )
    invoice = order.invoice
    return OrderDetails(
        folio=order.folio,
        status=order.status.value,
        created_at=as_utc(order.created_at),
        branch=branch_info(tx, order.branch_code),
        items=items(order),
        total_cents=order.total_cents,
        discount_cents=sum(
            with_iva(line.unit_price_cents) * line.quantity - line.total_cents
            for line in order.lines
        ),
        deposit_cents=order.deposit_cents,
        paid_cents=order.paid_cents,
        balance_cents=order.balance_cents,
        held_until=order.held_until,
        payment=None
        if link is None
        else PaymentLinkInfo(
            url=link.url,
            amount_cents=link.amount_cents,
            status=link.status,
            expires_at=link.expires_at,
        ),
        fulfillment=FulfillmentInfo(
            mode=FulfillmentMode(order.fulfillment),
            day=order.fulfillment_day,
            window=order.fulfillment_window,
            address=order.fulfillment_address,
        ),
        delivery=delivery,
        invoice=None
        if invoice is None
        else InvoiceInfo(
            rfc=invoice.rfc,
            name=invoice.name,
            regime=invoice.regime,
            regime_name=invoice.regime_name,
            use=invoice.use,
            use_name=invoice.use_name,
            zip_code=invoice.zip_code,
            status=invoice.status,
        ),
    )
