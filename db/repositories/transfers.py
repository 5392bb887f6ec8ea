"""Stock transfers between branches: requested → in_transit (units leave the origin, oldest
DOT first) → received (units arrive at the destination); every step audited."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories.audit import record
from db.repositories.catalog import branch_by_code
from db.repositories.lots import adjust_lots
from db.tables import Branch, Product, Stock, StockTransfer
from domain.clock import utcnow

STATUSES = ("requested", "in_transit", "received", "cancelled")


class TransferPublic(BaseModel):
    """A transfer as the API and the tools show it."""

    id: int
    folio: str
    sku: str
    label: str
    from_branch: str
    to_branch: str
    quantity: int
    status: str
    reason: str
    created_by: str
    created_at: datetime
    shipped_at: datetime | None
    received_at: datetime | None


def _stock(session: Session, product_id: int, branch_id: int) -> Stock | None:
    return session.exec(
        select(Stock).where(Stock.product_id == product_id, Stock.branch_id == branch_id)
    ).first()


def transfer_public(session: Session, t: StockTransfer) -> TransferPublic:
    product = session.get(Product, t.product_id)
    frm, to = session.get(Branch, t.from_branch_id), session.get(Branch, t.to_branch_id)
    return TransferPublic(
        id=t.id or 0,
        folio=t.folio or "",
        sku=product.sku if product else "",
        label=f"{product.size} {product.brand} {product.line}" if product else "",
        from_branch=frm.code if frm else "",
        to_branch=to.code if to else "",
        quantity=t.quantity,
        status=t.status,
        reason=t.reason,
        created_by=t.created_by,
        created_at=t.created_at,
        shipped_at=t.shipped_at,
        received_at=t.received_at,
    )


def create_transfer(
    session: Session,
    *,
    sku: str,
    from_branch: str,
    to_branch: str,
    quantity: int,
    actor: str,
    reason: str = "",
) -> TransferPublic:
    """A requested transfer; the origin must have the units available now (not reserved)."""
    if quantity < 1 or quantity > 10_000:
        raise InvalidRequest("quantity must be between 1 and 10000", field="quantity")
    product = session.exec(select(Product).where(Product.sku == sku.strip().upper())).first()
    if product is None:
        raise InvalidRequest(f"SKU '{sku}' does not exist", field="sku")
    frm = branch_by_code(session, from_branch, field="from_branch")
    to = branch_by_code(session, to_branch, field="to_branch")
    if frm.id == to.id:
        raise InvalidRequest("from_branch and to_branch must differ", field="to_branch")
    stock = _stock(session, product.id or 0, frm.id or 0)
    available = (stock.on_hand - stock.reserved) if stock else 0
    if available < quantity:
        raise Conflict(
            f"{frm.code} has {available} available units of {product.sku}, not {quantity}",
            field="quantity",
        )
    row = StockTransfer(
        product_id=product.id or 0, from_branch_id=frm.id or 0, to_branch_id=to.id or 0,
        quantity=quantity, reason=reason[:200], created_by=actor,
    )  # fmt: skip
    session.add(row)
    session.flush()
    row.folio = f"TR-{row.id:06d}"
    session.add(row)
    record(
        session, actor=actor, action="create", entity="stock_transfer", entity_id=row.folio,
        sku=product.sku, from_branch=frm.code, to_branch=to.code, quantity=quantity,
    )  # fmt: skip
    return transfer_public(session, row)


def _get(session: Session, ref: str) -> StockTransfer:
    ref = ref.strip().upper()
    where = StockTransfer.folio == ref if ref.startswith("TR-") else None
    if where is None:
        if not ref.isdigit():
            raise InvalidRequest("a transfer is named by its folio (TR-000123) or id", field="id")
        row = session.get(StockTransfer, int(ref))
    else:
        row = session.exec(select(StockTransfer).where(where)).first()
    if row is None:
        raise NotFound(f"transfer {ref} does not exist", field="id")
    return row


def ship_transfer(session: Session, ref: str, *, actor: str) -> TransferPublic:
    """The units leave the origin (one conditional check on available stock): in transit."""
    row = _get(session, ref)
    if row.status != "requested":
        raise Conflict(f"transfer {row.folio} is {row.status}, not requested", field="status")
    stock = _stock(session, row.product_id, row.from_branch_id)
    if stock is None or stock.on_hand - stock.reserved < row.quantity:
        have = (stock.on_hand - stock.reserved) if stock else 0
        raise Conflict(f"only {have} units available to ship", field="quantity")
    stock.on_hand -= row.quantity
    stock.updated_at = utcnow()
    session.add(stock)
    adjust_lots(session, stock.id or 0, -row.quantity)
    row.status, row.shipped_at = "in_transit", utcnow()
    session.add(row)
    record(session, actor=actor, action="ship", entity="stock_transfer", entity_id=row.folio)
    return transfer_public(session, row)


def receive_transfer(session: Session, ref: str, *, actor: str) -> TransferPublic:
    """The units arrive at the destination's stock."""
    row = _get(session, ref)
    if row.status != "in_transit":
        raise Conflict(f"transfer {row.folio} is {row.status}, not in_transit", field="status")
    stock = _stock(session, row.product_id, row.to_branch_id)
    if stock is None:
        stock = Stock(product_id=row.product_id, branch_id=row.to_branch_id)
        session.add(stock)
        session.flush()
    stock.on_hand += row.quantity
    stock.updated_at = utcnow()
    session.add(stock)
    adjust_lots(session, stock.id or 0, row.quantity)
    row.status, row.received_at = "received", utcnow()
    session.add(row)
    record(session, actor=actor, action="receive", entity="stock_transfer", entity_id=row.folio)
    return transfer_public(session, row)


def list_transfers(
    session: Session, *, status: str | None = None, branch_id: int | None = None, limit: int = 50
) -> list[TransferPublic]:
    """Transfers, newest first; ``branch_id`` matches either end."""
    query = select(StockTransfer)
    if status is not None:
        if status not in STATUSES:
            raise InvalidRequest(f"status must be one of {', '.join(STATUSES)}", field="status")
        query = query.where(StockTransfer.status == status)
    if branch_id is not None:
        query = query.where(
            (col(StockTransfer.from_branch_id) == branch_id)
            | (col(StockTransfer.to_branch_id) == branch_id)
        )
    rows = session.exec(query.order_by(col(StockTransfer.id).desc()).limit(limit)).all()
    return [transfer_public(session, t) for t in rows]
