"""The inventory agent (staff): stock, low stock, best and worst sellers, hand-off requests,
orders by folio."""

from agents.base import AgentSpec
from tools.inventory import CHECK_STOCK, GET_SALES_RANKING, LIST_HANDOFF_REQUESTS, LIST_LOW_STOCK
from tools.order_status import GET_ORDER_STATUS

AGENT = AgentSpec(
    name="inventory",
    description="Existencias, faltantes, ventas y pendientes para el personal.",
    tools=(CHECK_STOCK, LIST_LOW_STOCK, GET_SALES_RANKING, LIST_HANDOFF_REQUESTS, GET_ORDER_STATUS),
    prompt="inventory",
)
