"""Dialogue policies of the offline model, one per role."""

from adapters.llm.offline.brain import Policy
from adapters.llm.offline.policies import others, sales, supervisor

POLICIES: dict[str, Policy] = {
    "supervisor": supervisor.supervise,
    "sales": sales.sell,
    "support": others.support,
    "inventory": others.inventory,
    "logistics": others.logistics,
}
