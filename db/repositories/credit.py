"""The credit line of dealers and fleets: what their open orders use, and the limit enforced."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Conflict
from db.tables import Customer, Order
from domain.enums import CustomerKind, OrderStatus
from domain.pricing import format_mxn
from domain.sales import CreditPublic

# Orders whose unpaid balance uses a dealer's or fleet's credit line.
CREDIT_STATUSES = frozenset(
    {
        OrderStatus.RESERVED,
        OrderStatus.PAID,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERED,
    }
)


def credit_of(
    session: Session, customer: Customer, *, excluding: int | None = None
) -> CreditPublic:
    """A customer's credit line: used = unpaid balance of orders in CREDIT_STATUSES."""
    query = select(sa.func.coalesce(sa.func.sum(Order.total_cents - Order.paid_cents), 0)).where(
        Order.customer_id == customer.id,
        col(Order.status).in_([s.value for s in CREDIT_STATUSES]),
    )
    if excluding is not None:
        query = query.where(Order.id != excluding)
    used = max(int(session.exec(query).one()), 0)
    limit = customer.credit_limit_cents
    return CreditPublic(
        customer_id=customer.id or 0,
        limit_cents=limit,
        used_cents=used,
        available_cents=max(limit - used, 0),
    )


def has_credit_line(customer: Customer) -> bool:
    """Dealers and fleets with a credit limit buy on credit (and are held to it)."""
    return customer.kind != CustomerKind.RETAIL.value and customer.credit_limit_cents > 0


def check_credit(
    session: Session, customer: Customer, total_cents: int, *, excluding: int | None = None
) -> None:
    """Refuse an order that would take a dealer or fleet past its credit limit.

    Raises:
        Conflict: field ``customer_id``, naming the total, the limit, what is used and what is
            available.
    """
    if not has_credit_line(customer):
        return
    credit = credit_of(session, customer, excluding=excluding)
    if total_cents > credit.available_cents:
        raise Conflict(
            f"credit limit exceeded: the order total {format_mxn(total_cents)} is more than the "
            f"{format_mxn(credit.available_cents)} available to customer {customer.id} "
            f"(limit {format_mxn(credit.limit_cents)}, used {format_mxn(credit.used_cents)})",
            field="customer_id",
        )
