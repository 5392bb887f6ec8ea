"""The logistics agent: the status of the customer's own orders and deliveries."""

from agents.base import AgentSpec
from tools.sales import GET_ORDER_STATUS, HANDOFF_TO_HUMAN

AGENT = AgentSpec(
    name="logistics",
    description="Estado de pedidos y entregas; reprogramaciones con una persona.",
    tools=(GET_ORDER_STATUS, HANDOFF_TO_HUMAN),
    prompt="logistics",
)
