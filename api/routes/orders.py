"""/api/v1/orders: create, list, read, move along the status machine, change a reservation in
place, payment links, fulfilment and invoice data."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adapters.payments.base import PaymentProvider
from api.deps import (
    EngineDep,
    PaymentProviderDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    require,
    run_write,
)
from core.security import Scope
from core.settings import Settings
from db.engine import session_scope
from db.repositories import order_changes, orders
from db.repositories.idempotency import create_order_once
from db.repositories.payments import LinkRules, link_for
from domain.bounds import DbId
from domain.enums import OrderStatus
from domain.sales import (
    FulfillmentUpdate,
    InvoiceRequest,
    OrderChange,
    OrderCreate,
    OrderPublic,
    OrderUpdate,
    PaymentLinkPublic,
    PaymentLinkRequest,
)

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
T = TypeVar("T")


def _rules(settings: Settings, provider: PaymentProvider) -> LinkRules:
    return LinkRules(provider=provider, ttl_hours=settings.payments.link_ttl_hours)


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="Create an order",
)
async def create_order(
    request: Request,
    payload: OrderCreate,
    response: Response,
    principal: PrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
    provider: PaymentProviderDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> OrderPublic:
    """Create an order. ``reserved`` (default) holds the stock at the branch atomically until
    it expires; 409 when the branch has too few units or a dealer's or fleet's credit limit
    would be exceeded (``field: customer_id``); nothing is written then. With
    ``with_deposit_link`` the deposit payment link is made in the same transaction. Send an
    ``Idempotency-Key`` header to make retries safe: the same key returns the same order."""
    order, replayed = await run_write(
        request,
        partial(
            create_order_once,
            engine,
            payload,
            actor=principal.actor,
            principal=principal.key_prefix,
            key=idempotency_key,
            hold_hours=settings.reservation_hold_hours,
            links=_rules(settings, provider),
        ),
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return order


@router.get("", dependencies=[Depends(require(Scope.ORDERS_READ))], summary="List orders")
async def list_orders(
    session: SessionDep,
    provider: PaymentProviderDep,
    customer_id: Annotated[DbId | None, Query()] = None,
    status: Annotated[list[OrderStatus] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[OrderPublic]:
    """Orders, newest first; of one customer and/or in some statuses (repeat ``status``)."""
    return orders.list_orders(
        session, customer_id=customer_id, statuses=status, limit=limit, provider=provider
    )


@router.get(
    "/{order_id}", dependencies=[Depends(require(Scope.ORDERS_READ))], summary="Order status"
)
async def get_order(
    order_id: DbId, session: SessionDep, provider: PaymentProviderDep
) -> OrderPublic:
    """An order with lines, totals, what has been paid and is still due, reservations, payment
    links (newest first), fulfilment, delivery and invoice data."""
    return orders.order_public(session, orders.get_order_row(session, order_id), provider=provider)


async def _write(request: Request, engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one write transaction off the event loop."""

    def run() -> T:
        with session_scope(engine, write=True) as session:
            return work(session)

    return await run_write(request, run)


@router.put(
    "/{order_id}", dependencies=[Depends(require(Scope.ORDERS_WRITE))], summary="Update an order"
)
async def update_order(
    request: Request,
    order_id: DbId,
    change: OrderUpdate,
    principal: PrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> OrderPublic:
    """Move an order along its status machine (409 for an illegal move), change its notes,
    and/or record a payment taken at the counter (``paid_cents``). Cancelling releases the
    stock and expires the order's pending payment links."""
    return await _write(
        request,
        engine,
        lambda session: orders.update_order(
            session,
            order_id,
            change,
            actor=principal.actor,
            hold_hours=settings.reservation_hold_hours,
        ),
    )


@router.put(
    "/{order_id}/lines",
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="Change a reservation in place",
)
async def change_order(
    request: Request,
    order_id: DbId,
    change: OrderChange,
    principal: PrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
    provider: PaymentProviderDep,
) -> OrderPublic:
    """Change a reserved order's lines and/or branch, keeping its folio: the old hold is
    released and the new one taken atomically, totals are recomputed, pending links expire and
    a fresh deposit link is made. 409 when it is not reserved, the stock is short or the credit
    limit is exceeded (the old hold is kept)."""
    return await _write(
        request,
        engine,
        lambda session: order_changes.change_order(
            session,
            order_id,
            change,
            actor=principal.actor,
            hold_hours=settings.reservation_hold_hours,
            links=_rules(settings, provider),
        ),
    )


@router.post(
    "/{order_id}/payment-links",
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="The payment link to pay now",
)
async def create_payment_link(
    request: Request,
    order_id: DbId,
    body: PaymentLinkRequest,
    principal: PrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
    provider: PaymentProviderDep,
) -> PaymentLinkPublic:
    """The deposit link of a reserved order, or the balance link once the deposit is paid: the
    same link while it is payable, a fresh one when it expired. 409 when nothing is due."""
    rules = _rules(settings, provider)
    return await _write(
        request,
        engine,
        lambda session: link_for(
            session, order_id=order_id, purpose=body.purpose, rules=rules, actor=principal.actor
        ),
    )


@router.put(
    "/{order_id}/fulfillment",
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="Pickup or home installation",
)
async def set_fulfillment(
    request: Request,
    order_id: DbId,
    update: FulfillmentUpdate,
    principal: PrincipalDep,
    engine: EngineDep,
) -> OrderPublic:
    """Record pickup at the branch or installation at home, the day, the time window
    (morning/afternoon/evening, Mexico City time) and the address; a home visit with all three
    schedules the delivery. 409 once the tires left; 422 for a past day or window."""
    return await _write(
        request,
        engine,
        lambda session: order_changes.set_fulfillment(
            session, order_id, update, actor=principal.actor
        ),
    )


@router.put(
    "/{order_id}/invoice",
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="CFDI receiver data",
)
async def set_invoice(
    request: Request,
    order_id: DbId,
    body: InvoiceRequest,
    principal: PrincipalDep,
    engine: EngineDep,
) -> OrderPublic:
    """Record CFDI 4.0 receiver data (RFC with its check digit, name, régimen fiscal, uso de
    CFDI compatible with it, código postal) on the order; 422 names the bad field."""
    return await _write(
        request,
        engine,
        lambda session: order_changes.set_invoice(session, order_id, body, actor=principal.actor),
    )
