"""Customers and suppliers."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Conflict, NotFound
from db.repositories.audit import record
from db.tables import Customer, Product, Supplier, SupplierPrice
from domain.catalog import Page
from domain.enums import CustomerKind
from domain.parties import CustomerPublic, PriceBreak, SupplierPublic
from domain.sales import CustomerCreate


def customer_public(c: Customer) -> CustomerPublic:
    """The public view of a customer."""
    return CustomerPublic(
        id=c.id or 0,
        kind=CustomerKind(c.kind),
        dealer_type=c.dealer_type,
        name=c.name,
        phone=c.phone,
        whatsapp_id=c.whatsapp_id,
        email=c.email,
        rfc=c.rfc,
        city=c.city,
        discount_bp=c.discount_bp,
        credit_limit_cents=c.credit_limit_cents,
        consent_marketing=c.consent_marketing,
        consent_notifications=c.consent_notifications,
        is_test=c.is_test,
    )


def get_customer(session: Session, customer_id: int) -> CustomerPublic:
    """One customer, or NotFound."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    return customer_public(customer)


def set_test_flag(
    session: Session, customer_id: int, is_test: bool, *, actor: str
) -> CustomerPublic:
    """Mark a customer as test data or as real again, audited; NotFound naming
    ``customer_id``."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    if customer.is_test != is_test:
        record(
            session, actor=actor, action="mark_test" if is_test else "mark_real",
            entity="customer", entity_id=customer_id,
        )  # fmt: skip
        customer.is_test = is_test
        session.add(customer)
        session.flush()
    return customer_public(customer)


def create_customer(session: Session, payload: CustomerCreate, *, actor: str) -> CustomerPublic:
    """A new retail customer (a phone already on file is a Conflict naming ``phone``)."""
    if (
        payload.phone
        and session.exec(select(Customer).where(Customer.phone == payload.phone)).first()
    ):
        raise Conflict(f"a customer with phone {payload.phone} already exists", field="phone")
    customer = Customer(
        kind=payload.kind, name=payload.name, phone=payload.phone, email=payload.email
    )
    session.add(customer)
    session.flush()
    record(session, actor=actor, action="create", entity="customer", entity_id=customer.id)
    return customer_public(customer)


def list_customers(
    session: Session,
    *,
    kind: CustomerKind | None,
    q: str | None,
    phone: str | None,
    limit: int,
    offset: int,
    is_test: bool | None = None,
) -> Page[CustomerPublic]:
    """Customers filtered by kind, name/e-mail text, exact E.164 phone or test flag."""
    conds: list[sa.ColumnElement[bool]] = []
    if is_test is not None:
        conds.append(col(Customer.is_test) == is_test)
    if kind is not None:
        conds.append(col(Customer.kind) == kind.value)
    if q:
        text = q.strip().lower()  # autoescape: "%" and "_" are text, not wildcards
        conds.append(
            sa.or_(
                sa.func.lower(Customer.name).contains(text, autoescape=True),
                sa.func.lower(Customer.email).contains(text, autoescape=True),
            )
        )
    if phone:
        conds.append(col(Customer.phone) == phone.strip())
    where = sa.and_(sa.true(), *conds)
    total = session.exec(select(sa.func.count()).select_from(Customer).where(where)).one()
    rows = session.exec(
        select(Customer).where(where).order_by(col(Customer.id)).limit(limit).offset(offset)
    ).all()
    return Page[CustomerPublic](
        items=[customer_public(c) for c in rows], total=total, limit=limit, offset=offset
    )


def list_suppliers(
    session: Session, *, brand: str | None, sku: str | None, include_price_breaks: bool
) -> list[SupplierPublic]:
    """Suppliers; price breaks for one SKU, or for all when ``include_price_breaks``."""
    suppliers = session.exec(select(Supplier).order_by(Supplier.name)).all()
    if brand:
        wanted = brand.strip().lower()
        suppliers = [s for s in suppliers if wanted in (b.lower() for b in s.brands)]
    breaks: dict[int, list[PriceBreak]] = defaultdict(list)
    ids = [s.id for s in suppliers]
    if ids and (sku or include_price_breaks):
        query = (
            select(SupplierPrice, Product.sku)
            .join(Product, col(Product.id) == SupplierPrice.product_id)
            .where(col(SupplierPrice.supplier_id).in_(ids))
            .order_by(
                col(SupplierPrice.supplier_id), col(Product.sku), col(SupplierPrice.min_quantity)
            )
        )
        if sku:
            query = query.where(col(Product.sku) == sku.strip().upper())
        rows = session.exec(query).all()
        for price, price_sku in rows:
            breaks[price.supplier_id].append(
                PriceBreak(
                    product_id=price.product_id,
                    sku=price_sku,
                    min_quantity=price.min_quantity,
                    unit_cost_cents=price.unit_cost_cents,
                )
            )
    if sku:
        suppliers = [s for s in suppliers if breaks.get(s.id or 0)]
    return [
        SupplierPublic(
            id=s.id or 0,
            name=s.name,
            rfc=s.rfc,
            email=s.email,
            phone=s.phone,
            lead_time_days=s.lead_time_days,
            brands=list(s.brands),
            price_breaks=breaks.get(s.id or 0, []),
        )
        for s in suppliers
    ]
