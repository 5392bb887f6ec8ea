"""The inventory agent (staff): stock by size, brand and branch; low stock."""

from agents.base import AgentSpec
from tools.inventory import CHECK_STOCK, LIST_LOW_STOCK

AGENT = AgentSpec(
    name="inventory",
    description="Existencias, faltantes y reorden para el personal.",
    tools=(CHECK_STOCK, LIST_LOW_STOCK),
    prompt="inventory",
)
