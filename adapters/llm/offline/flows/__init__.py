"""Dialogue flows of the offline model, one per role: business logic run on the typed state."""

from collections.abc import Callable

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import logistics, others, sales, staff, supervisor
from adapters.llm.offline.turn import Turn

Flow = Callable[[Turn], AIMessage]

FLOWS: dict[str, Flow] = {
    "supervisor": supervisor.supervise,
    "sales": sales.sell,
    "support": others.support,
    "inventory": staff.staff,
    "logistics": logistics.logistics,
}

__all__ = ["FLOWS", "Flow"]
