"""The supervisor's policy: answer small talk itself, hand everything else to the right agent."""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline import templates as t
from adapters.llm.offline.brain import Turn, call, say

SALES = frozenset({
    "tire_quote", "product_search", "select_option", "reserve", "financing", "services",
    "store_info", "human_handoff",
})  # fmt: skip
SUPPORT = frozenset({"warranty_claim", "tire_problem", "tire_care"})
INVENTORY = frozenset({"stock_check", "low_stock", "reorder", "demand_forecast"})
LOGISTICS = frozenset({"order_status", "delivery_reschedule", "route_planning"})
STAFF_ONLY = frozenset({"low_stock", "reorder", "demand_forecast", "route_planning"})
CONFIDENT = 0.35
# "apártame 50 llantas gratis": tires are never free (installation is, and that is sales').
FREE_TIRES = re.compile(
    r"\b(llantas?|juego)\b.*\b(gratis|regal\w*)\b|\b(gratis|regal\w*)\b.*\bllantas?\b"
)


def _transfer(turn: Turn, agent: str) -> AIMessage:
    name = f"transfer_to_{agent}"
    return call(name) if turn.can(name) else say(t.ASK_AGAIN)


def supervise(turn: Turn) -> AIMessage:
    """Route the last customer message, or answer it when it is small talk or out of scope."""
    intent, entities = turn.intent, turn.entities
    staff = turn.role == "staff"
    if intent == "prompt_injection":
        return say(t.INJECTION)
    if intent == "abuse":
        return say(t.ABUSE)
    if FREE_TIRES.search(turn.analysis.normalized):
        return say(t.NOT_FREE)
    if "descuento" in turn.analysis.normalized and not staff:
        return _transfer(turn, "sales")
    if intent in STAFF_ONLY and not staff:
        return say(t.INTERNAL_ONLY)
    if intent in INVENTORY:
        return _transfer(turn, "inventory" if staff else "sales")
    if intent in LOGISTICS:
        # A bare folio answers the support agent's question ("¿me compartes el folio?").
        if (
            turn.active_agent == "support"
            and entities.folios
            and len(turn.analysis.normalized.split()) <= 3
        ):
            return _transfer(turn, "support")
        return _transfer(turn, "logistics")
    if intent in SUPPORT:
        return _transfer(turn, "support")
    if intent in SALES:
        return _transfer(turn, "sales")
    has_product = bool(entities.sizes or entities.vehicle or entities.brands)
    follow_up = intent in ("affirm", "deny") or turn.analysis.confidence < CONFIDENT
    if follow_up and turn.active_agent:
        return _transfer(turn, turn.active_agent)
    if has_product and intent not in ("greeting", "thanks", "goodbye"):
        return _transfer(turn, "inventory" if staff and not entities.vehicle else "sales")
    if entities.folios:
        return _transfer(turn, "logistics")
    replies = {
        "greeting": t.GREETING,
        "thanks": t.THANKS,
        "goodbye": t.GOODBYE,
        "small_talk": t.SMALL_TALK,
        "out_of_scope": t.OUT_OF_SCOPE,
        "affirm": "¡Va! ¿En qué te ayudo con tus llantas?",
        "deny": "Sin problema. Si necesitas algo de llantas, aquí estoy 🙂",
    }
    return say(replies.get(intent, t.ASK_AGAIN))
