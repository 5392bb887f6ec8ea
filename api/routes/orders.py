"""POST/GET/PUT /api/v1/orders."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from api.deps import EngineDep, PrincipalDep, SessionDep, SettingsDep, require, run_write
from core.security import Scope
from db.engine import session_scope
from db.repositories import orders
from db.repositories.idempotency import create_order_once
from domain.sales import OrderCreate, OrderPublic, OrderUpdate

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])


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
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> OrderPublic:
    """Create an order. ``reserved`` (default) holds the stock at the branch atomically until
    it expires; 409 when the branch has too few units (nothing is written). Send an
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
        ),
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return order


@router.get(
    "/{order_id}", dependencies=[Depends(require(Scope.ORDERS_READ))], summary="Order status"
)
async def get_order(order_id: int, session: SessionDep) -> OrderPublic:
    """An order with lines, totals and reservations."""
    return orders.order_public(session, orders.get_order_row(session, order_id))


@router.put(
    "/{order_id}", dependencies=[Depends(require(Scope.ORDERS_WRITE))], summary="Update an order"
)
async def update_order(
    request: Request,
    order_id: int,
    change: OrderUpdate,
    principal: PrincipalDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> OrderPublic:
    """Move an order along its status machine (409 for an illegal move) and/or change notes."""

    def write() -> OrderPublic:
        with session_scope(engine, write=True) as session:
            return orders.update_order(
                session,
                order_id,
                change,
                actor=principal.actor,
                hold_hours=settings.reservation_hold_hours,
            )

    return await run_write(request, write)
