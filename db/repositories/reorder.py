"""Reorder suggestions: written by the nightly job (a night's open ones replace the last),
listed for staff, and confirmed into a draft purchase order through the purchase-order code."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from core.errors import Conflict, NotFound
from db.repositories.audit import record
from db.repositories.purchasing import create_purchase_order
from db.tables import Branch, ReorderSuggestion, Supplier
from domain.clock import utcnow
from domain.purchasing import PurchaseOrderCreate, PurchaseOrderLineCreate, PurchaseOrderPublic
from engines.replenishment import PurchaseLine, PurchaseSuggestion

MAX_LINES = 200  # PurchaseOrderCreate.lines takes at most this many


class SuggestionLine(BaseModel):
    """One SKU of a suggestion."""

    sku: str
    quantity: int
    need: int
    unit_cost_cents: int
    list_cost_cents: int
    total_cents: int


class SuggestionPublic(BaseModel):
    """A reorder suggestion as the API and the tools show it."""

    id: int
    supplier_id: int
    supplier: str
    branch: str
    status: str
    order_by: date
    arrives_on: date
    total_cents: int
    savings_cents: int
    lines: list[SuggestionLine]
    purchase_order_id: int | None
    created_at: datetime


def save_suggestions(
    session: Session,
    suggestions: list[PurchaseSuggestion],
    *,
    run_id: int | None,
    branch_ids: dict[str, int],
) -> list[int]:
    """Supersede the open suggestions and write tonight's."""
    for old in session.exec(select(ReorderSuggestion).where(ReorderSuggestion.status == "open")):
        old.status, old.updated_at = "superseded", utcnow()
        session.add(old)
    ids = []
    for whole in suggestions:
        # a purchase order takes at most MAX_LINES lines: a larger basket becomes several
        # suggestions to the same supplier (each far above any minimum order value)
        for start in range(0, len(whole.lines), MAX_LINES):
            ids.append(
                _save(session, whole, whole.lines[start : start + MAX_LINES], run_id, branch_ids)
            )
    return ids


def _save(
    session: Session,
    s: PurchaseSuggestion,
    lines: tuple[PurchaseLine, ...],
    run_id: int | None,
    branch_ids: dict[str, int],
) -> int:
    row = ReorderSuggestion(
        run_id=run_id,
        supplier_id=s.supplier_id,
        branch_id=branch_ids[s.branch],
        order_by=s.order_by,
        arrives_on=s.arrives_on,
        lines=[
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "need": line.need,
                "unit_cost_cents": line.unit_cost_cents,
                "list_cost_cents": line.list_cost_cents,
            }
            for line in lines
        ],  # fmt: skip
        total_cents=sum(line.total_cents for line in lines),
        savings_cents=sum(line.savings_cents for line in lines),
    )
    session.add(row)
    session.flush()
    return row.id or 0


def suggestion_public(session: Session, row: ReorderSuggestion) -> SuggestionPublic:
    supplier = session.get(Supplier, row.supplier_id)
    branch = session.get(Branch, row.branch_id)
    return SuggestionPublic(
        id=row.id or 0,
        supplier_id=row.supplier_id,
        supplier=supplier.name if supplier else "",
        branch=branch.code if branch else "",
        status=row.status,
        order_by=row.order_by,
        arrives_on=row.arrives_on,
        total_cents=row.total_cents,
        savings_cents=row.savings_cents,
        lines=[
            SuggestionLine(
                sku=x["sku"],
                quantity=x["quantity"],
                need=x["need"],
                unit_cost_cents=x["unit_cost_cents"],
                list_cost_cents=x["list_cost_cents"],
                total_cents=x["quantity"] * x["unit_cost_cents"],
            )
            for x in row.lines
        ],  # fmt: skip
        purchase_order_id=row.purchase_order_id,
        created_at=row.created_at,
    )


def list_suggestions(
    session: Session,
    *,
    status: str | None = "open",
    branch_id: int | None = None,
    supplier_id: int | None = None,
    limit: int = 50,
) -> list[SuggestionPublic]:
    """Suggestions, largest first."""
    query = select(ReorderSuggestion)
    if status is not None:
        query = query.where(ReorderSuggestion.status == status)
    if branch_id is not None:
        query = query.where(ReorderSuggestion.branch_id == branch_id)
    if supplier_id is not None:
        query = query.where(ReorderSuggestion.supplier_id == supplier_id)
    rows = session.exec(
        query.order_by(col(ReorderSuggestion.total_cents).desc(), col(ReorderSuggestion.id))
        .limit(limit)
    ).all()  # fmt: skip
    return [suggestion_public(session, r) for r in rows]


def get_suggestion(session: Session, suggestion_id: int) -> ReorderSuggestion:
    row = session.get(ReorderSuggestion, suggestion_id)
    if row is None:
        raise NotFound(f"reorder suggestion {suggestion_id} does not exist", field="id")
    return row


def confirm_suggestion(
    session: Session,
    suggestion_id: int,
    *,
    actor: str,
    quantities: dict[str, int] | None = None,
) -> PurchaseOrderPublic:
    """A draft purchase order from an open suggestion (quantities may be changed per SKU; 0
    drops a line); the suggestion becomes confirmed and points at it."""
    row = get_suggestion(session, suggestion_id)
    if row.status != "open":
        raise Conflict(f"reorder suggestion {suggestion_id} is {row.status}", field="status")
    changes = {k.upper(): v for k, v in (quantities or {}).items()}
    unknown = sorted(set(changes) - {x["sku"] for x in row.lines})
    if unknown:
        raise Conflict(f"SKU {unknown[0]} is not in suggestion {suggestion_id}", field="quantities")
    lines = [
        PurchaseOrderLineCreate(sku=x["sku"], quantity=changes.get(x["sku"], x["quantity"]))
        for x in row.lines
        if changes.get(x["sku"], x["quantity"]) > 0
    ]
    if not lines:
        raise Conflict("every line was set to 0; nothing to order", field="quantities")
    branch = session.get(Branch, row.branch_id)
    po = create_purchase_order(
        session,
        PurchaseOrderCreate(supplier_id=row.supplier_id, branch_code=branch.code if branch else "", lines=lines),
        actor=actor,
    )  # fmt: skip
    row.status, row.purchase_order_id, row.updated_at = "confirmed", po.id, utcnow()
    session.add(row)
    record(
        session, actor=actor, action="confirm", entity="reorder_suggestion",
        entity_id=suggestion_id, purchase_order=po.folio,
    )  # fmt: skip
    return po
