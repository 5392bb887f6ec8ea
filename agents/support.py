"""The support agent: warranty, tire problems and care; escalates to a technician."""

from agents.base import AgentSpec
from tools.order_status import GET_ORDER_STATUS
from tools.people import HANDOFF_TO_HUMAN

AGENT = AgentSpec(
    name="support",
    description="Garantías, fallas y cuidados de llantas; pasa el caso a un técnico.",
    tools=(GET_ORDER_STATUS, HANDOFF_TO_HUMAN),
    prompt="support",
)
