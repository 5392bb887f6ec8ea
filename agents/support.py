"""The support agent: warranty, tire problems and care; escalates to a technician."""

from agents.base import AgentSpec
from tools.appointments import APPOINTMENT_TOOLS
from tools.cases import CASE_TOOLS
from tools.catalog import GET_SERVICE_PRICES
from tools.history import GET_TECHNICAL_HISTORY
from tools.order_status import GET_ORDER_STATUS
from tools.people import HANDOFF_TO_HUMAN
from tools.support import DIAGNOSE_PROBLEM, SEARCH_KNOWLEDGE_BASE
from tools.warranty import CHECK_WARRANTY

AGENT = AgentSpec(
    name="support",
    description="Garantías, fallas y cuidados de llantas; pasa el caso a un técnico.",
    tools=(
        DIAGNOSE_PROBLEM,
        SEARCH_KNOWLEDGE_BASE,
        CHECK_WARRANTY,
        GET_TECHNICAL_HISTORY,
        GET_SERVICE_PRICES,
        GET_ORDER_STATUS,
        HANDOFF_TO_HUMAN,
        *CASE_TOOLS,
        *APPOINTMENT_TOOLS,
    ),
    prompt="support",
)
