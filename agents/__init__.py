"""The agents of the supervisor graph, one module each."""

from agents import inventory, logistics, sales, support
from agents.base import AgentSpec

AGENTS: tuple[AgentSpec, ...] = (sales.AGENT, support.AGENT, inventory.AGENT, logistics.AGENT)

__all__ = ["AGENTS", "AgentSpec"]
