"""Replenishment questions of the staff flow: alerts, reorder suggestions, forecasts, trends,
slow and aged stock, transfers; purchase orders and transfers only after the staff member's
yes ("sí, pídelo"), a new quantity ("mejor 20") re-asks, a no ("no, déjalo") writes nothing.

What waits for the yes is typed state (``awaiting`` and ``slots.staff.transfer`` /
``slots.staff.purchase``), never the bot's text.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage

from adapters.llm.offline.nlu import staff_terms as st
from adapters.llm.offline.templates import replenishment as tr
from adapters.llm.offline.templates import staff as tst
from adapters.llm.offline.turn import Turn, call, say
from domain.dialogue import (
    Awaiting,
    CommandKind,
    PendingPurchase,
    PendingTransfer,
    StaffReport,
    StaffSlots,
)
from domain.tool_results import StockResult

# "pasa 10 tornel real ...", "manda 8 de las firestone ...": the count right after the verb.
_MOVE_COUNT = re.compile(
    r"\b(?:pasa\w*|manda\w*|mueve\w*|traspasa\w*|envia\w*|lleva\w*) (\d{1,4})\b"
)
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
            said = _MOVE_COUNT.search(turn.text)
            slots.transfer = PendingTransfer(
                from_branch=route[0],
                to_branch=route[1],
                quantity=int(said[1]) if said else turn.entities.quantity,
            )
            return call("check_stock", size=slots.size, brand=slots.brand, line=slots.line,
                        branch_code=route[0])  # fmt: skip
    tool = TOOLS[report]
    if not turn.can(tool):
        return say(tst.NOT_YET)
    branch = slots.branch
    if report == StaffReport.ALERTS:
        urgent = bool(re.search(r"\bcritic", turn.text))
        return call(tool, branch_code=branch, urgency="crítico" if urgent else None)
    if report == StaffReport.FORECAST:
        return call(tool, size=slots.size, brand=slots.brand, line=slots.line, branch_code=branch,
                    weeks=st.weeks_ahead(turn.text) or 4)  # fmt: skip
    if report == StaffReport.TRENDING:
        direction = "decline" if re.search(r"\b(?:baj|cay|declin|a la baja)", turn.text) else None
        growth = "growth" if re.search(r"\b(?:crec|sub|al alza|aumento)", turn.text) else None
        return call(tool, branch_code=branch, direction=direction or growth)
    return call(tool, branch_code=branch)


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
                from_branch=pending.from_branch,
                to_branch=pending.to_branch,
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
            if len(purchase.lines) > 1 and EACH.search(turn.text):
                purchase.lines = {s: int(quantity) for s in purchase.lines}  # "20 de cada una"
                return say(tst.purchase_proposal(purchase))
            sku = _line_for(turn, list(purchase.lines))
            if sku is None:  # "mejor 20" with several lines: ask which, the proposal waits
                return say(tst.which_purchase_line(int(quantity), purchase))
            if purchase.lines[sku] != quantity:
                purchase.lines[sku] = int(quantity)
                return say(tst.purchase_proposal(purchase))
        if turn.has(CommandKind.CONFIRM) and purchase.draft and turn.can("confirm_purchase_order"):
            turn.expect(Awaiting.NOTHING)
            return call(
                "confirm_purchase_order",
                suggestion_id=int(purchase.draft),
                quantities=dict(purchase.lines),
                only_listed=True,  # the lines shown (one size, a brand), not the whole supplier
            )
        if turn.has(CommandKind.DENY) or turn.has(CommandKind.CANCEL):
            slots.purchase = None
            turn.expect(Awaiting.NOTHING)
            return say(tst.PURCHASE_DROPPED)
        slots.purchase = None
        turn.expect(Awaiting.NOTHING)
    return None


EACH = re.compile(r"\b(de )?cada (una|uno)\b|\ba todas\b|\ba todos\b|\btodas de\b")


def _line_for(turn: Turn, skus: list[str]) -> str | None:
    """The purchase line a new quantity is for: the only one, or the one of the SKU, size or
    brand named."""
    if len(skus) == 1:
        return skus[0]
    said = turn.text.upper()
    named = [s for s in skus if s in said]
    if len(named) == 1:
        return named[0]
    for brand in turn.entities.brands:
        hits = [s for s in skus if s.startswith(brand[:3].upper())]
        if len(hits) == 1:
            return hits[0]
    for size in turn.entities.sizes:
        digits = re.sub(r"\D", "", size)
        hits = [s for s in skus if digits in re.sub(r"\D", "", s)]
        if len(hits) == 1:
            return hits[0]
    return None


def answer(turn: Turn) -> AIMessage | None:
    """Replies to the replenishment tools' results (None: not one of them)."""
    from tools import replenishment as r  # the back end's typed results

    result = turn.last.result if turn.last is not None else None
    slots = turn.state.slots.staff
    if isinstance(result, r.ReorderSuggestions):
        return _suggestions(turn, result)
    if isinstance(result, r.PurchaseOrderMade):
        slots.purchase = None
        return say(tr.purchase_made(result))
    if isinstance(result, r.TransferMade):
        slots.transfer = None
        return say(tr.transfer_made(result))
    if isinstance(result, r.InventoryAlerts):
        return say(tr.alerts(result))
    if isinstance(result, r.DemandForecast):
        return say(tr.forecast(result))
    if isinstance(result, r.TrendingProducts):
        return say(tr.trending(result))
    if isinstance(result, r.SlowAndAgedStock):
        return say(tr.slow_and_aged(result))
    if isinstance(result, r.TransferSuggestions):
        return say(tr.transfer_suggestions(result))
    return None


def _suggestions(turn: Turn, result: Any) -> AIMessage:
    """The first suggestion (narrowed to the size or brand asked) becomes a proposal that waits
    for the staff member's yes; nothing is written yet."""
    slots = turn.state.slots.staff
    for suggestion in result.suggestions:
        lines = {
            line.sku: line.quantity
            for line in suggestion.lines
            if _wanted(line.sku, slots.size, slots.brand)
        }
        if lines:
            slots.purchase = PendingPurchase(
                branch=suggestion.branch, supplier_id=suggestion.supplier_id,
                supplier=suggestion.supplier, lines=lines, draft=str(suggestion.id),
            )  # fmt: skip
            turn.expect(Awaiting.PURCHASE_CONFIRM)
            others = len(result.suggestions) - 1
            more = f"\n(Hay {others} sugerencias más de otros proveedores.)" if others > 0 else ""
            return say(tst.purchase_proposal(slots.purchase) + more)
    note = result.note or "No hay sugerencias de compra abiertas con ese criterio."
    return say(note)


def _wanted(sku: str, size: str | None, brand: str | None) -> bool:
    """Whether a suggested SKU is of the size and brand asked (SKUs carry both)."""
    squeezed = sku.upper()
    if size and re.sub(r"\D", "", size) not in re.sub(r"\D", "", squeezed):
        return False
    return not brand or squeezed.startswith(brand[:3].upper())
