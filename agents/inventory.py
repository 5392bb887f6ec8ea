"""The inventory agent (staff): stock with totals over everything, low stock, best and worst
sellers, sales against earlier periods, inventory value and rotation, hand-off requests,
orders by folio; alerts, reorders and purchase orders, forecasts, trends, slow and aged stock,
transfers (the replenishment back end)."""

from agents.base import AgentSpec
from tools.inventory import CHECK_STOCK, GET_SALES_RANKING, LIST_HANDOFF_REQUESTS, LIST_LOW_STOCK
from tools.order_status import GET_ORDER_STATUS
from tools.replenishment import REPLENISHMENT_TOOLS
from tools.sales_analytics import GET_INVENTORY_VALUE, GET_SALES_SUMMARY

AGENT = AgentSpec(
    name="inventory",
    description="Existencias, faltantes, ventas, valor de inventario y pendientes para el personal.",
    tools=(
        CHECK_STOCK,
        LIST_LOW_STOCK,
        GET_SALES_RANKING,
        GET_SALES_SUMMARY,
        GET_INVENTORY_VALUE,
        LIST_HANDOFF_REQUESTS,
        GET_ORDER_STATUS,
        *REPLENISHMENT_TOOLS,
    ),
    prompt="inventory",
)
