"""Replenishment questions of the staff flow: alerts, reorder suggestions, forecasts, trends,
slow and aged stock, transfers; purchase orders and transfers only after the staff member's
yes ("sí, pídelo"), a new quantity ("mejor 20") re-asks, a no ("no, déjalo") writes nothing.

What waits for the yes is typed state (``awaiting`` and ``slots.staff.transfer`` /
``slots.staff.purchase``), never the bot's text.
"""

from __future__ import annotations

from langchain_core.messages import AIMessage

from adapters.llm.offline.nlu import staff_terms as st
from adapters.llm.offline.templates import staff as tst
from adapters.llm.offline.turn import Turn, call, say
from domain.dialogue import Awaiting, CommandKind, PendingTransfer, StaffReport, StaffSlots
from domain.tool_results import StockResult

TOOLS = {
    StaffReport.ALERTS: "list_inventory_alerts",
    StaffReport.REORDER: "suggest_reorders",
    StaffReport.FORECAST: "get_demand_forecast",
    StaffReport.TRENDING: "list_trending_products",
    StaffReport.SLOW: "list_slow_and_aged_stock",
    StaffReport.TRANSFERS: "suggest_transfers",
}


def ask(turn: Turn, slots: StaffSlots) -> AIMessage:
    """The replenishment tool for the question (or an honest "not yet")."""
    report = slots.report
    assert report is not None
    if report == StaffReport.TRANSFERS:
        route = st.route_of(turn.text, turn.entities.branches)
        if route and (slots.size or slots.brand):
            # "pasa 10 tornel real 205/55r16 de mty a gdl": which product, from the origin's stock.
            slots.transfer = PendingTransfer(
                from_branch=route[0], to_branch=route[1], quantity=turn.entities.quantity
            )
            return call("check_stock", size=slots.size, brand=slots.brand, line=slots.line,
                        branch_code=route[0])  # fmt: skip
    tool = TOOLS[report]
    if not turn.can(tool):
        return say(tst.NOT_YET)
    args: dict[str, object] = {"branch_code": slots.branch}
    if report in (StaffReport.REORDER, StaffReport.FORECAST):
        args.update(size=slots.size, brand=slots.brand)
    if report == StaffReport.FORECAST:
        args["weeks"] = st.weeks_ahead(turn.text)
    return call(tool, **args)


def after_stock(turn: Turn, stock: StockResult) -> AIMessage | None:
    """A transfer being set up: the product found at the origin becomes the proposal."""
    slots = turn.state.slots.staff
    pending = slots.transfer
    if slots.report != StaffReport.TRANSFERS or pending is None or pending.sku is not None:
        return None
    if not stock.products:
        slots.transfer = None
        turn.expect(Awaiting.NOTHING)
        return say(tst.stock(stock))
    top = stock.products[0]
    pending.sku, pending.product = top.sku, top.product
    pending.available = top.stock.get(pending.from_branch, stock.total_available)
    if not turn.can("create_transfer"):
        slots.transfer = None
        return say(f"{tst.stock(stock)}\n{tst.NOT_YET}")
    turn.expect(Awaiting.TRANSFER_CONFIRM)
    return say(tst.transfer_proposal(pending))


def answer_pending(turn: Turn) -> AIMessage | None:
    """The answer to "¿hago el traspaso?" / "¿genero la orden de compra?", if it is one."""
    state = turn.state
    slots = state.slots.staff
    if state.awaiting == Awaiting.TRANSFER_CONFIRM and slots.transfer is not None:
        pending = slots.transfer
        quantity = turn.value("quantity") or turn.entities.quantity
        if quantity and quantity != pending.quantity:
            pending.quantity = int(quantity)  # "mejor 5": asked again with the new number
            return say(tst.transfer_proposal(pending))
        if turn.has(CommandKind.CONFIRM) and pending.quantity:
            turn.expect(Awaiting.NOTHING)
            return call(
                "create_transfer",
                sku=pending.sku,
                from_branch_code=pending.from_branch,
                to_branch_code=pending.to_branch,
                quantity=pending.quantity,
            )
        if turn.has(CommandKind.DENY) or turn.has(CommandKind.CANCEL):
            slots.transfer = None
            turn.expect(Awaiting.NOTHING)
            return say(tst.TRANSFER_DROPPED)
        slots.transfer = None  # another question: the proposal lapses, nothing is written
        turn.expect(Awaiting.NOTHING)
    if state.awaiting == Awaiting.PURCHASE_CONFIRM and slots.purchase is not None:
        purchase = slots.purchase
        quantity = turn.value("quantity") or turn.entities.quantity
        if quantity and len(purchase.lines) >= 1:
            sku = _line_for(turn, list(purchase.lines))
            if sku is not None and purchase.lines[sku] != quantity:
                purchase.lines[sku] = int(quantity)
                return say(tst.purchase_proposal(purchase))
        if turn.has(CommandKind.CONFIRM):
            turn.expect(Awaiting.NOTHING)
            return call(
                "draft_purchase_order",
                branch_code=purchase.branch,
                supplier_id=purchase.supplier_id,
                lines=[{"sku": s, "quantity": q} for s, q in purchase.lines.items()],
            )
        if turn.has(CommandKind.DENY) or turn.has(CommandKind.CANCEL):
            slots.purchase = None
            turn.expect(Awaiting.NOTHING)
            return say(tst.PURCHASE_DROPPED)
        slots.purchase = None
        turn.expect(Awaiting.NOTHING)
    return None


def _line_for(turn: Turn, skus: list[str]) -> str | None:
    """The purchase line a new quantity is for: the only one, or the size named."""
    if len(skus) == 1:
        return skus[0]
    return None


def answer(turn: Turn) -> AIMessage | None:
    """Replies to the replenishment tools' results (None: not one of them)."""
    return None
