"""The sales agent: fitment, quotes, reservations with a deposit link, hand-off to a person."""

from agents.base import AgentSpec
from tools.catalog import FIND_TIRES_FOR_VEHICLE, GET_BRANCHES, GET_SERVICE_PRICES, SEARCH_TIRES
from tools.sales import (
    CREATE_RESERVATION,
    GET_CUSTOMER_TERMS,
    GET_ORDER_STATUS,
    HANDOFF_TO_HUMAN,
    QUOTE_TIRES,
)

AGENT = AgentSpec(
    name="sales",
    description="Cotiza llantas por auto o medida, aparta con anticipo y cierra la venta.",
    tools=(
        FIND_TIRES_FOR_VEHICLE,
        SEARCH_TIRES,
        QUOTE_TIRES,
        CREATE_RESERVATION,
        GET_ORDER_STATUS,
        GET_BRANCHES,
        GET_SERVICE_PRICES,
        GET_CUSTOMER_TERMS,
        HANDOFF_TO_HUMAN,
    ),
    prompt="sales",
)
