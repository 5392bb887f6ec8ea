"""The sales agent: fitment, quotes, reservations with a deposit link and their changes,
payment, fulfilment and invoice questions, hand-off to a person."""

from agents.base import AgentSpec
from tools.catalog import (
    CHECK_BRANCH_STOCK,
    FIND_TIRES_FOR_VEHICLE,
    GET_BRANCHES,
    GET_SERVICE_PRICES,
    SEARCH_TIRES,
)
from tools.fulfillment import REQUEST_INVOICE, SET_FULFILLMENT
from tools.order_status import GET_ORDER_STATUS
from tools.orders import CANCEL_RESERVATION, CHANGE_RESERVATION, CREATE_RESERVATION
from tools.payments import GET_PAYMENT_OPTIONS, RESEND_PAYMENT_LINK
from tools.people import HANDOFF_TO_HUMAN
from tools.sales import GET_CUSTOMER_TERMS, QUOTE_TIRES

AGENT = AgentSpec(
    name="sales",
    description="Cotiza llantas por auto o medida, aparta con anticipo y cierra la venta.",
    tools=(
        FIND_TIRES_FOR_VEHICLE,
        SEARCH_TIRES,
        CHECK_BRANCH_STOCK,
        QUOTE_TIRES,
        CREATE_RESERVATION,
        CHANGE_RESERVATION,
        CANCEL_RESERVATION,
        RESEND_PAYMENT_LINK,
        GET_PAYMENT_OPTIONS,
        SET_FULFILLMENT,
        REQUEST_INVOICE,
        GET_ORDER_STATUS,
        GET_CUSTOMER_TERMS,
        GET_BRANCHES,
        GET_SERVICE_PRICES,
        HANDOFF_TO_HUMAN,
    ),
    prompt="sales",
)
