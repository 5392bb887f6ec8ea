"""The logistics agent: the customer's order and its delivery (status and ETA, moving it,
pickup instead, a new address, the fee, the survey), and staff dispatch (route plans, late
deliveries, trucks, the day's figures)."""

from agents.base import AgentSpec
from tools.dispatch import STAFF_DELIVERY_TOOLS
from tools.fulfillment import SET_FULFILLMENT
from tools.logistics import CUSTOMER_DELIVERY_TOOLS
from tools.order_status import GET_ORDER_STATUS
from tools.people import HANDOFF_TO_HUMAN

AGENT = AgentSpec(
    name="logistics",
    description=(
        "Estado de pedidos y entregas, hora de llegada, reprogramar, recoger en sucursal, "
        "cambiar dirección, costo de envío; para el personal: rutas, retrasos, camionetas e "
        "indicadores de entrega."
    ),
    tools=(
        GET_ORDER_STATUS, SET_FULFILLMENT, *CUSTOMER_DELIVERY_TOOLS, *STAFF_DELIVERY_TOOLS,
        HANDOFF_TO_HUMAN,
    ),
    prompt="logistics",
)
