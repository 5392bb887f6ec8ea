"""GET /api/v1/customers, /api/v1/suppliers, and purchase orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.deps import EngineDep, PrincipalDep, SessionDep, SettingsDep, require, run_write
from core.errors import PermissionDenied
from core.security import Scope
from db.engine import session_scope
from db.repositories import credit, parties, purchasing
from db.tables import Customer
from domain.bounds import DbId, Offset
from domain.catalog import Page
from domain.enums import CustomerKind, PurchaseOrderStatus, Role
from domain.parties import CustomerPublic, CustomerTestFlag, SupplierPublic
from domain.phone import E164_PATTERN
from domain.purchasing import PurchaseOrderCreate, PurchaseOrderPublic
from domain.sales import CreditPublic, CustomerCreate

router = APIRouter(prefix="/api/v1", tags=["customers and suppliers"])


@router.get(
    "/customers", dependencies=[Depends(require(Scope.CUSTOMERS_READ))], summary="Customers"
)
def list_customers(
    session: SessionDep,
    settings: SettingsDep,
    kind: CustomerKind | None = None,
    q: Annotated[str | None, Query(max_length=80, description="Text in the name or e-mail")] = None,
    phone: Annotated[str | None, Query(pattern=E164_PATTERN, description="E.164")] = None,
    is_test: Annotated[
        bool | None, Query(description="Only test data (true) or only real customers (false)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> Page[CustomerPublic]:
    """Retail customers, dealers (discount and credit limit) and fleets."""
    return parties.list_customers(
        session,
        kind=kind,
        q=q,
        phone=phone,
        is_test=is_test,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )


@router.get(
    "/customers/{customer_id}",
    dependencies=[Depends(require(Scope.CUSTOMERS_READ))],
    summary="One customer",
)
def get_customer(customer_id: DbId, session: SessionDep) -> CustomerPublic:
    """A customer: kind, contact, RFC, discount and credit limit."""
    return parties.get_customer(session, customer_id)


@router.patch(
    "/customers/{customer_id}",
    dependencies=[Depends(require(Scope.CUSTOMERS_READ))],
    summary="Mark a customer as test data (admin)",
)
async def mark_customer(
    customer_id: DbId,
    payload: CustomerTestFlag,
    request: Request,
    principal: PrincipalDep,
    engine: EngineDep,
) -> CustomerPublic:
    """Flag a customer as test data, whom evaluator keys may then speak as in /v1/chat, or
    as a real customer again (off limits to them at once). Admin keys only: the flag decides
    whose orders an evaluator can read. Audited."""
    if principal.role != Role.ADMIN:
        raise PermissionDenied(
            f"role '{principal.role.value}' may not mark customers as test data (admin only)",
            field="is_test",
        )

    def write() -> CustomerPublic:
        with session_scope(engine, write=True) as session:
            return parties.set_test_flag(
                session, customer_id, payload.is_test, actor=principal.actor
            )

    return await run_write(request, write)


@router.get(
    "/customers/{customer_id}/credit",
    dependencies=[Depends(require(Scope.CUSTOMERS_READ))],
    summary="A customer's credit line",
)
def get_customer_credit(customer_id: DbId, session: SessionDep) -> CreditPublic:
    """Limit, used (unpaid balance of open orders) and available credit of a dealer or fleet."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        parties.get_customer(session, customer_id)  # 404 naming customer_id
    assert customer is not None
    return credit.credit_of(session, customer)


@router.post(
    "/customers",
    status_code=201,
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="Create a retail customer",
)
async def create_customer(
    request: Request, payload: CustomerCreate, principal: PrincipalDep, engine: EngineDep
) -> CustomerPublic:
    """A new retail customer (e.g. the guest of a web chat that reserves); 409 for a phone
    already on file."""

    def write() -> CustomerPublic:
        with session_scope(engine, write=True) as session:
            return parties.create_customer(session, payload, actor=principal.actor)

    return await run_write(request, write)


@router.get(
    "/suppliers", dependencies=[Depends(require(Scope.SUPPLIERS_READ))], summary="Suppliers"
)
def list_suppliers(
    session: SessionDep,
    brand: Annotated[str | None, Query(max_length=40)] = None,
    sku: Annotated[
        str | None, Query(max_length=40, description="Include this SKU's price breaks")
    ] = None,
    include_price_breaks: bool = False,
) -> list[SupplierPublic]:
    """Suppliers with lead times, brands and (for a SKU, or on request) volume price breaks."""
    return parties.list_suppliers(
        session, brand=brand, sku=sku, include_price_breaks=include_price_breaks
    )


@router.get(
    "/purchase-orders",
    dependencies=[Depends(require(Scope.SUPPLIERS_READ))],
    summary="Purchase orders",
)
def list_purchase_orders(
    session: SessionDep,
    settings: SettingsDep,
    status: PurchaseOrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> Page[PurchaseOrderPublic]:
    """Purchase orders to suppliers, newest first."""
    return purchasing.list_purchase_orders(
        session,
        status=status.value if status else None,
        limit=min(limit, settings.max_page_size),
        offset=offset,
    )


@router.post(
    "/purchase-orders",
    status_code=201,
    dependencies=[Depends(require(Scope.ORDERS_WRITE))],
    summary="Create a draft purchase order",
)
def create_purchase_order(
    payload: PurchaseOrderCreate, principal: PrincipalDep, engine: EngineDep
) -> PurchaseOrderPublic:
    """A draft purchase order priced with the supplier's volume breaks."""
    with session_scope(engine, write=True) as session:
        return purchasing.create_purchase_order(session, payload, actor=principal.actor)
