"""The staff (inventory agent) flow: stock, sales, value, rankings, leads; replenishment
questions; transfers and purchase orders written only after the staff member's yes.

A follow-up ("¿y en MTY?", "¿y el mes pasado?", "¿y de Michelin nomás?") repeats the last
question with what changed; everything it keeps lives in ``slots.staff`` (typed), and what
the bot waits for is ``awaiting`` (a purchase or transfer confirmation), never its own text.
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import replenishment as rp
from adapters.llm.offline.flows.state import apply_commands
from adapters.llm.offline.nlu import staff_terms as st
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.templates import staff as tst
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Turn, call, say
from domain.dialogue import StaffReport, StaffSlots, Task
from domain.staff_results import InventoryValue, SalesSummary
from domain.tool_results import (
    HandoffRequests,
    LowStockResult,
    OrderStatus,
    SalesRanking,
    StockResult,
)

_LEADS = re.compile(
    r"\b(?:asesor\w*|prospect\w*|leads?|pidieron hablar|pidio hablar|quieren hablar|"
    r"casos pendientes|pendientes de llamar|devolver la llamada|pidio q le hablara\w*|"
    r"pidio que le hablara\w*)\b"
)
_LEGACY_DAYS = (
    (re.compile(r"\bultimos? (\d{1,3}) dias\b"), None),
    (re.compile(r"\b(?:toda la semana|esta semana|la semana|semanal|7 dias)\b"), 7),
    (re.compile(r"\b(?:este mes|el mes|del mes|mensual|30 dias)\b"), 30),
    (re.compile(r"\b(?:ayer)\b"), 2),
    (re.compile(r"\b(?:hoy)\b"), 1),
)
_FOLLOW_UP = re.compile(r"^(?:ok |va |ah |oye |bueno |sale )?(?:y|e|ahora|tambien|nomas|solo)\b")
_THERE = re.compile(r"\b(?:alla|ahi|en esa|de esa)\b")
_EVERYWHERE = re.compile(
    r"\b(?:en total|todas las sucursales|todas las tiendas|en todas|global|general)\b"
)
# Rankings keep their rolling windows ("esta semana" = the last 7 days) as they always did;
# calendar periods (last month, a named month) go to the tool as a period.
_ROLLING = {"this_week": 7, "this_month": 30, "last_7_days": 7, "last_30_days": 30,
            "last_90_days": 90, "today": 1}  # fmt: skip


def _legacy_days(text: str) -> int | None:
    for pattern, days in _LEGACY_DAYS:
        match = pattern.search(text)
        if match:
            return days if days is not None else int(match[1])
    return None


def staff(turn: Turn) -> AIMessage:
    """Staff questions (see the module docstring)."""
    if turn.outcomes:
        return _answer(turn)
    state = turn.state
    apply_commands(state, turn.commands)
    state.task = Task.STAFF_QUERY
    pending = rp.answer_pending(turn)
    if pending is not None:
        return pending
    text, e, slots = turn.text, turn.entities, state.slots.staff
    period = st.period_of(text, turn.now.date())
    names_product = bool(e.sizes or e.brands or e.lines)
    report = StaffReport.LEADS if _LEADS.search(text) else st.report_of(text, "")
    changes_only = bool(e.branches or period or st.days_of(text) or _EVERYWHERE.search(text))
    if report is None and not (slots.report and changes_only and not names_product):
        # The classifier's reading only when the words name no report and the message is not
        # a follow-up of the last one ("¿y el mes pasado?" keeps the ranking).
        report = StaffReport.LEADS if turn.intent == "leads_report" else None
        report = report or st.report_of(text, turn.intent)
    if report is None:
        if e.folios:
            return call("get_order_status", folio=e.folios[0])
        if turn.intent == "route_planning":
            return say(tst.ROUTES_NOT_YET)
        if names_product or (st.asks_stock(text) and (e.branches or _EVERYWHERE.search(text))):
            same = slots.report == StaffReport.STOCK or not slots.report
            report = slots.report if (slots.report and not same and _FOLLOW_UP.match(text)
                                      and not st.asks_stock(text)) else StaffReport.STOCK  # fmt: skip
        elif slots.report and (e.branches or period or _legacy_days(text) or _FOLLOW_UP.match(text)
                               or _EVERYWHERE.search(text) or st.group_of(text)):  # fmt: skip
            report = slots.report  # the same question, another branch or period
        else:
            return say(tst.ASK_STOCK)
    _update_filters(turn, slots, report, period)
    return _ask(turn, slots)


def _update_filters(turn: Turn, slots: StaffSlots, report: StaffReport, period: str | None) -> None:
    """What this message changes; a follow-up keeps the rest, a new question starts afresh
    (except "allá" / a "y ..." follow-up, which keeps the branch)."""
    text, e = turn.text, turn.entities
    follow_up = bool(_FOLLOW_UP.match(text)) or bool(_THERE.search(text))
    same = report == slots.report
    if not same:
        keep_branch = follow_up and not e.branches
        fresh = StaffSlots(branch=slots.branch if keep_branch else None,
                           transfer=slots.transfer, purchase=slots.purchase)  # fmt: skip
        # "y cuales se vendieron mas?" keeps the product; "y cual se vendio mas en mty este
        # mes?" names its own branch and period: a question of its own, on every product.
        elliptical = not (e.branches or period)
        if follow_up and elliptical and not (e.sizes or e.brands):
            fresh.size, fresh.brand, fresh.line = slots.size, slots.brand, slots.line
        for name in StaffSlots.model_fields:
            setattr(slots, name, getattr(fresh, name))
        slots.report = report
    elif not follow_up and not (e.branches or period):
        # The same kind of question asked anew ("cuantas 185 65 15 hay"): only its own filters.
        slots.size = slots.brand = slots.line = None
        slots.branch = None
    if e.sizes:
        slots.size = e.sizes[0]
        if not e.brands and not same or not e.brands and not follow_up:
            slots.brand = slots.line = None
    if e.lines:
        slots.brand, slots.line = e.lines[0]
    elif e.brands:
        if slots.brand != e.brands[0]:
            slots.line = None
        slots.brand = e.brands[0]
    if len(set(e.branches)) > 1 and report != StaffReport.TRANSFERS:
        slots.branch = None  # "en gdl ... y en mty": every branch, side by side
    elif e.branches:
        slots.branch = e.branches[0]
    elif _EVERYWHERE.search(text):
        slots.branch = None
    if period:
        slots.period, slots.days = period, None
    days = st.days_of(text)
    if days:
        slots.period, slots.days = None, days
    group = st.group_of(text)
    if group:
        slots.group_by = group
    elif not same:
        slots.group_by = None


def _ask(turn: Turn, slots: StaffSlots) -> AIMessage:
    """The tool call for the question in ``slots``."""
    report, text = slots.report, turn.text
    if report == StaffReport.LEADS:
        return call("list_handoff_requests", days=_legacy_days(text) or slots.days or 1)
    if report in (StaffReport.BEST, StaffReport.WORST):
        days = slots.days or _ROLLING.get(slots.period or "", 0) or None
        return call(
            "get_sales_ranking",
            order=report.value,
            days=days or (None if slots.period else 30),
            period=None if days else slots.period,
            branch_code=slots.branch,
            brand=slots.brand,
            size=slots.size,
            limit=_top(text),
        )
    if report == StaffReport.SALES:
        return call(
            "get_sales_summary",
            period=slots.period or "this_month",
            branch_code=slots.branch,
            brand=slots.brand,
            size=slots.size,
            group_by=slots.group_by or ("brand" if st.LEADERS.search(text) else None),
        )
    if report == StaffReport.VALUE:
        return call("get_inventory_value", branch_code=slots.branch)
    if report == StaffReport.LOW:
        return call("list_low_stock", branch_code=slots.branch)
    if report == StaffReport.STOCK:
        return call(
            "check_stock",
            size=slots.size,
            brand=slots.brand,
            line=slots.line,
            branch_code=slots.branch,
        )
    return rp.ask(turn, slots)


_TOP = re.compile(r"\btop (\d{1,2})\b|\b(?:las|los) (\d{1,2}) (?:mas|menos)\b")


def _top(text: str) -> int | None:
    found = _TOP.search(text)
    if not found:
        return None
    return max(1, min(50, int(found[1] or found[2])))


def _answer(turn: Turn) -> AIMessage:
    outcome = turn.last
    assert outcome is not None
    if outcome.error is not None:
        return say(ts.tool_error(outcome.tool, outcome.error))
    stock = outcome.get(StockResult)
    if stock is not None:
        follow = rp.after_stock(turn, stock)
        return follow if follow is not None else say(tst.stock(stock))
    result = outcome.result
    if isinstance(result, LowStockResult):
        return say(tst.low_stock(result))
    if isinstance(result, SalesRanking):
        return say(tst.ranking(result))
    if isinstance(result, SalesSummary):
        return say(tst.sales_summary(result))
    if isinstance(result, InventoryValue):
        return say(tst.inventory_value(result))
    if isinstance(result, HandoffRequests):
        return say(tst.handoff_requests(result))
    status = outcome.get(OrderStatus)
    if status is not None:
        from adapters.llm.offline.templates import orders as to

        return say(to.order_status(status).replace("Tu pedido", "El pedido"))
    replied = rp.answer(turn)
    return replied if replied is not None else say(t.ASK_AGAIN)
