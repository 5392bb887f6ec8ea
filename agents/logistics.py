"""The logistics agent: the status of the customer's own orders and deliveries, and how they
receive them (pickup or home installation)."""

from agents.base import AgentSpec
from tools.fulfillment import SET_FULFILLMENT
from tools.order_status import GET_ORDER_STATUS
from tools.people import HANDOFF_TO_HUMAN

AGENT = AgentSpec(
    name="logistics",
    description="Estado de pedidos y entregas; recoger o instalar a domicilio; lo demás, una persona.",
    tools=(GET_ORDER_STATUS, SET_FULFILLMENT, HANDOFF_TO_HUMAN),
    prompt="logistics",
)
