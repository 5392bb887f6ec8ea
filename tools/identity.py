"""Who a conversation speaks for in the store of record, which orders are theirs, and branches.

Identity comes from the tool context (the channel's customer, or the guest bound to an
anonymous chat), never from model-written arguments. With another ERP (RestErp) our customer
is matched there by phone, or created there, and the ERP's id is remembered on our row.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidRequest, NotFound
from db.repositories import crm
from db.tables import ChatSession, Customer
from domain import geo
from domain.catalog import BranchPublic
from domain.clock import as_utc, utcnow
from domain.enums import CustomerKind, OrderStatus
from domain.orders import parse_folio
from domain.parties import CustomerPublic
from domain.sales import CustomerCreate, OrderPublic
from domain.text import fold
from tools import messages
from tools.base import ToolContext, ToolRefused, ToolTx


@dataclass(frozen=True)
class Speaker:
    """The customer a conversation speaks for: our row and their id in the store of record."""

    local: Customer | None
    erp_id: int
    info: CustomerPublic

    @property
    def discount_bp(self) -> int:
        """Their discount (dealers and fleets)."""
        return self.info.discount_bp

    @property
    def kind(self) -> CustomerKind:
        """Retail, dealer or fleet."""
        return self.info.kind


def _local_customer(tx: ToolTx, ctx: ToolContext) -> Customer | None:
    customer_id = ctx.effective_customer_id
    if customer_id is None:
        chat = tx.session.get(ChatSession, ctx.session_id)
        customer_id = chat.customer_id if chat is not None else None
    return tx.session.get(Customer, customer_id) if customer_id is not None else None


def _erp_id(tx: ToolTx, local: Customer, *, create: bool) -> int | None:
    if tx.erp.shares_database:
        return local.id
    if local.erp_customer_id is not None:
        return local.erp_customer_id
    found = tx.erp.list_customers(phone=local.phone, limit=1).items if local.phone else []
    if found:
        erp_id = found[0].id
    elif create:
        erp_id = tx.erp.create_customer(
            CustomerCreate(name=local.name, phone=local.phone, email=local.email)
        ).id
    else:
        return None
    crm.remember_erp_customer(tx.session, local, erp_id)
    return erp_id


def speaker(tx: ToolTx, ctx: ToolContext, *, create: bool = False) -> Speaker | None:
    """The customer this conversation speaks for; with ``create`` an anonymous web chat gets a
    guest customer (in this transaction: a failed write leaves no guest behind)."""
    if tx.memo.get("speaker") is not None or ("speaker" in tx.memo and not create):
        known: Speaker | None = tx.memo["speaker"]
        return known
    local = _local_customer(tx, ctx)
    if local is None and create and ctx.role == "customer":
        local = crm.guest_for_session(tx.session, ctx.session_id, actor=ctx.actor)
        tx.bound_customer_id = local.id
    erp_id = _erp_id(tx, local, create=create) if local is not None else None
    found = (
        Speaker(local=local, erp_id=erp_id, info=tx.erp.get_customer(erp_id))
        if erp_id is not None
        else None
    )
    tx.memo["speaker"] = found
    return found


def branches(tx: ToolTx) -> list[BranchPublic]:
    """Every branch (read once per tool call)."""
    result: list[BranchPublic] = tx.once("branches", tx.erp.list_branches)
    return result


def find_branch(tx: ToolTx, text: str) -> BranchPublic:
    """A branch by code, city or name ("MTY", "monterrey", "Insurgentes").

    Raises:
        ToolRefused: no such branch (the message lists ours).
    """
    wanted = fold(text)
    for branch in branches(tx):
        if wanted in (fold(branch.code), fold(branch.city), fold(branch.name)):
            return branch
    for branch in branches(tx):
        if wanted and (wanted in fold(branch.city) or wanted in fold(branch.name)):
            return branch
    raise ToolRefused(messages.unknown_branch(text.strip(), [b.city for b in branches(tx)]))


def branch_by_code(tx: ToolTx, code: str) -> BranchPublic:
    """The branch with this code (it exists: the store gave it)."""
    return next(b for b in branches(tx) if b.code == code)


def nearest_branch(tx: ToolTx, ctx: ToolContext, who: Speaker | None) -> str | None:
    """The branch serving the customer's phone area code (Branch.area_codes), else the one the
    conversation started with."""
    phone = who.info.phone if who is not None else None
    codes = {b.code: b.area_codes for b in branches(tx)}
    return geo.branch_for_phone(phone, codes) or ctx.branch_code


def main_branch(tx: ToolTx) -> str | None:
    """The main branch (reservations fall back to it)."""
    return next((b.code for b in branches(tx) if b.is_main), None)


def order_by_folio(tx: ToolTx, ctx: ToolContext, folio: str) -> OrderPublic:
    """The order behind a folio, if this speaker may see it: customers only their own, staff
    and technicians any. "Not yours" and "does not exist" answer the same.

    Raises:
        ToolRefused: not a folio, not found, or not theirs.
    """
    try:
        order_id = parse_folio(folio)
    except InvalidRequest as exc:
        raise ToolRefused(messages.NO_ORDER_FOUND) from exc
    try:
        order = tx.erp.get_order(order_id)
    except NotFound as exc:
        raise ToolRefused(messages.NO_ORDER_FOUND) from exc
    if ctx.role == "customer":
        who = speaker(tx, ctx)
        if who is None or order.customer_id != who.erp_id:
            raise ToolRefused(messages.NO_ORDER_FOUND)
    return order


def open_reservation(tx: ToolTx, ctx: ToolContext, who: Speaker | None) -> OrderPublic | None:
    """The conversation's open reservation (``slots.folio``), checked against the store: it is
    this customer's, still reserved and its hold has not run out. A cancelled, expired or paid
    one is no longer open (the slot is cleared), so it never blocks a new reservation."""
    folio = tx.dialogue.slots.folio
    if folio is None or who is None:
        return None
    try:
        order = tx.erp.get_order(parse_folio(folio))
    except (InvalidRequest, NotFound):
        order = None
    if (
        order is None
        or order.customer_id != who.erp_id
        or order.status != OrderStatus.RESERVED
        or order.held_until is None
        or as_utc(order.held_until) <= utcnow()
    ):
        tx.dialogue.slots.folio = None
        return None
    return order


def customer_orders(tx: ToolTx, ctx: ToolContext, *, limit: int = 20) -> list[OrderPublic]:
    """The speaker's orders, newest first (none for an unknown speaker)."""
    who = speaker(tx, ctx)
    if who is None:
        return []
    return tx.erp.list_orders(customer_id=who.erp_id, limit=limit)
