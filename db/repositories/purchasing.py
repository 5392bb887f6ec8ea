"""Purchase orders priced with the supplier's volume breaks."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import InvalidRequest
from db.repositories.audit import record
from db.repositories.catalog import branch_by_code
from db.tables import Branch, Product, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierPrice
from domain.catalog import Page
from domain.clock import utcnow
from domain.enums import PurchaseOrderStatus
from domain.purchasing import PurchaseOrderCreate, PurchaseOrderLinePublic, PurchaseOrderPublic


def unit_cost(session: Session, supplier_id: int, product: Product, quantity: int) -> int:
    """The best break the quantity reaches; the product's own cost when the supplier lists none."""
    cost = session.exec(
        select(SupplierPrice.unit_cost_cents)
        .where(
            SupplierPrice.supplier_id == supplier_id,
            SupplierPrice.product_id == product.id,
            SupplierPrice.min_quantity <= quantity,
        )
        .order_by(col(SupplierPrice.min_quantity).desc())
    ).first()
    return cost if cost is not None else product.cost_cents


def create_purchase_order(
    session: Session, payload: PurchaseOrderCreate, *, actor: str
) -> PurchaseOrderPublic:
    """A draft purchase order; every SKU must exist."""
    supplier = session.get(Supplier, payload.supplier_id)
    if supplier is None:
        raise InvalidRequest(f"supplier {payload.supplier_id} does not exist", field="supplier_id")
    branch = branch_by_code(session, payload.branch_code, field="branch_code")
    po = PurchaseOrder(
        supplier_id=supplier.id or 0,
        branch_id=branch.id or 0,
        status=PurchaseOrderStatus.DRAFT.value,
        expected_on=(utcnow() + timedelta(days=supplier.lead_time_days)).date(),
    )
    session.add(po)
    session.flush()
    po.folio = f"OC-{po.id:06d}"
    for index, line in enumerate(payload.lines):
        product = session.exec(select(Product).where(Product.sku == line.sku.upper())).first()
        if product is None:
            raise InvalidRequest(f"SKU '{line.sku}' does not exist", field=f"lines.{index}.sku")
        cost = unit_cost(session, supplier.id or 0, product, line.quantity)
        session.add(
            PurchaseOrderLine(
                purchase_order_id=po.id or 0,
                product_id=product.id or 0,
                quantity=line.quantity,
                unit_cost_cents=cost,
            )
        )
        po.total_cents += cost * line.quantity
    session.add(po)
    session.flush()
    record(
        session,
        actor=actor,
        action="create",
        entity="purchase_order",
        entity_id=po.folio,
        supplier=supplier.name,
        total_cents=po.total_cents,
    )
    return purchase_order_public(session, po)


def purchase_order_public(session: Session, po: PurchaseOrder) -> PurchaseOrderPublic:
    """The public view of a purchase order."""
    lines = session.exec(
        select(PurchaseOrderLine, Product.sku)
        .join(Product, col(Product.id) == PurchaseOrderLine.product_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(col(PurchaseOrderLine.id))
    ).all()
    branch = session.get(Branch, po.branch_id)
    return PurchaseOrderPublic(
        id=po.id or 0,
        folio=po.folio or "",
        supplier_id=po.supplier_id,
        branch_code=branch.code if branch else "",
        status=PurchaseOrderStatus(po.status),
        total_cents=po.total_cents,
        expected_on=po.expected_on,
        lines=[
            PurchaseOrderLinePublic(
                sku=sku, quantity=line.quantity, unit_cost_cents=line.unit_cost_cents
            )
            for line, sku in lines
        ],
        created_at=po.created_at,
    )


def list_purchase_orders(
    session: Session, *, status: str | None, limit: int, offset: int
) -> Page[PurchaseOrderPublic]:
    """Purchase orders, newest first."""
    where = (
        sa.true()
        if status is None
        else col(PurchaseOrder.status) == PurchaseOrderStatus(status).value
    )
    total = session.exec(select(sa.func.count()).select_from(PurchaseOrder).where(where)).one()
    rows = session.exec(
        select(PurchaseOrder)
        .where(where)
        .order_by(col(PurchaseOrder.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page[PurchaseOrderPublic](
        items=[purchase_order_public(session, p) for p in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
