"""The support, logistics and staff (inventory) flows."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import orders
from adapters.llm.offline.flows.state import apply_commands
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.templates import staff as tst
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Turn, call, say
from domain.dialogue import Awaiting, CommandKind, HandoffReason, Task
from domain.tool_results import (
    HandoffRequests,
    LowStockResult,
    OrderStatus,
    SalesRanking,
    StockResult,
)


def support(turn: Turn) -> AIMessage:
    """Warranty, problems and care; a yes hands the case to a technician."""
    if turn.outcomes:
        outcome = turn.last
        assert outcome is not None
        if outcome.error is not None:
            return say(ts.tool_error(outcome.tool, outcome.error))
        return orders.after(turn)
    state = turn.state
    apply_commands(state, turn.commands)
    intent, e = turn.intent, turn.entities
    folio = e.folios[0] if e.folios else None
    if intent == "warranty_claim" or (folio and state.awaiting == Awaiting.FOLIO):
        if folio:
            return call(
                "handoff_to_human", reason=f"Garantía del folio {folio}", kind=HandoffReason.WARRANTY.value
            )
        turn.expect(Awaiting.FOLIO, Task.SUPPORT)
        return say(ts.WARRANTY)
    if turn.has(CommandKind.HANDOFF) or (
        turn.has(CommandKind.CONFIRM) and state.awaiting == Awaiting.HANDOFF_CONFIRM
    ):
        return call(
            "handoff_to_human",
            reason="Revisión técnica solicitada por el cliente",
            kind=HandoffReason.TECHNICAL.value,
        )
    if turn.has(CommandKind.DENY):
        turn.expect(Awaiting.NOTHING)
        return say(ts.OKAY)
    if intent == "tire_problem":
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.SUPPORT)
        return say(ts.PROBLEM)
    if turn.has(CommandKind.SMALL_TALK):
        return say(t.small_talk(str(turn.command(CommandKind.SMALL_TALK).value)))  # type: ignore[union-attr]
    turn.expect(Awaiting.HANDOFF_CONFIRM, Task.SUPPORT)
    return say(ts.CARE)


def logistics(turn: Turn) -> AIMessage:
    """Order status (the order the customer means, honest about delays); rescheduling goes to a
    person for now; pickup or home visit choices are recorded."""
    if turn.outcomes:
        outcome = turn.last
        assert outcome is not None
        if outcome.error is not None:
            return orders.refusal(turn, outcome.tool, outcome.error)
        return orders.after(turn)
    state = turn.state
    awaiting = state.awaiting
    changed = apply_commands(state, turn.commands)
    pending = orders.answer_pending(turn, awaiting, changed)
    if pending is not None:
        return pending
    if turn.has(CommandKind.HANDOFF):
        return call(
            "handoff_to_human",
            reason="Logística: el cliente pidió atención de una persona",
            kind=HandoffReason.CUSTOMER_ASKED.value,
        )
    if turn.intent in ("delivery_reschedule",):
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.ORDER_STATUS)
        return say(
            "Para cambiar la fecha de tu entrega te paso con logística, que ve la ruta del día. "
            "¿Te comunico con ellos?"
        )
    if turn.has(CommandKind.SMALL_TALK):
        return say(t.small_talk(str(turn.command(CommandKind.SMALL_TALK).value)))  # type: ignore[union-attr]
    folio = turn.value("order_folio")
    state.task = Task.ORDER_STATUS
    return call("get_order_status", folio=folio)


def staff(turn: Turn) -> AIMessage:
    """Staff questions: stock, low stock, best/worst sellers, who asked for a person, orders."""
    if turn.outcomes:
        return _staff_answer(turn)
    state = turn.state
    apply_commands(state, turn.commands)
    intent, e, text = turn.intent, turn.entities, turn.text
    branch = e.branches[0] if e.branches else None
    state.task = Task.STAFF_QUERY
    if intent == "leads_report" or (
        "asesor" in text or "clientes" in text or "prospecto" in text or "lead" in text
    ) and ("pidieron" in text or "quien" in text or "quienes" in text or "que clientes" in text or intent == "leads_report"):
        return call("list_handoff_requests", days=1)
    worst = any(w in text for w in ("menos se vend", "menos vendid", "peor", "no se vend", "no se mueven", "no rotan", "menos salida", "menos se mueve"))
    if intent == "sales_report" or worst or "mas se vend" in text or "mas vendid" in text:
        return call(
            "get_sales_ranking", order="worst" if worst else "best", days=30, branch_code=branch
        )
    if intent == "low_stock":
        return call("list_low_stock", branch_code=branch)
    if e.folios:
        return call("get_order_status", folio=e.folios[0])
    if intent in ("reorder", "demand_forecast"):
        return say(tst.NOT_YET)
    if intent == "route_planning":
        return say(tst.ROUTES_NOT_YET)
    if e.sizes or e.brands:
        return call(
            "check_stock",
            size=e.sizes[0] if e.sizes else None,
            brand=e.brands[0] if e.brands else None,
            branch_code=branch,
        )
    return say(tst.ASK_STOCK)


def _staff_answer(turn: Turn) -> AIMessage:
    outcome = turn.last
    assert outcome is not None
    if outcome.error is not None:
        return say(ts.tool_error(outcome.tool, outcome.error))
    stock = outcome.get(StockResult)
    if stock is not None:
        return say(tst.stock(stock))
    low = outcome.get(LowStockResult)
    if low is not None:
        return say(tst.low_stock(low))
    ranking = outcome.get(SalesRanking)
    if ranking is not None:
        return say(tst.ranking(ranking))
    leads = outcome.get(HandoffRequests)
    if leads is not None:
        return say(tst.handoff_requests(leads))
    status = outcome.get(OrderStatus)
    if status is not None:
        from adapters.llm.offline.templates import orders as to

        return say(to.order_status(status).replace("Tu pedido", "El pedido"))
    return say(t.ASK_AGAIN)
