"""Reading a finished turn: the transcript, the reply text and the CRM outcome."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agents.base import transcript
from domain.messages import FOLLOW_UP

__all__ = ["last_text", "outcome", "transcript"]
REFUSALS = frozenset({"prompt_injection", "abuse", "out_of_scope"})


def last_text(messages: list[BaseMessage]) -> str:
    """The assistant's reply of the last turn."""
    for m in reversed(messages):
        if isinstance(m, AIMessage) and m.content and not m.tool_calls:
            return str(m.content)
        if isinstance(m, HumanMessage):
            break
    return FOLLOW_UP


def outcome(trace: list[dict[str, Any]], intent: str) -> str:
    """What the turn achieved, for the CRM interaction log."""
    done = {t["tool"] for t in trace if t.get("ok")}
    for tool, result in (
        ("create_reservation", "reserved"),
        ("handoff_to_human", "handoff"),
        ("quote_tires", "quoted"),
        ("find_tires_for_vehicle", "quoted"),
        ("search_tires", "quoted"),
        ("get_order_status", "order_status"),
    ):
        if tool in done:
            return result
    return "refused" if intent in REFUSALS else "answered"
