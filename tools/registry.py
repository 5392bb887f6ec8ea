"""Every tool spec, for agents, evals and docs to list (each agent picks its own from these)."""

from __future__ import annotations

from tools.appointments import APPOINTMENT_TOOLS
from tools.base import ToolSpec
from tools.cases import CASE_TOOLS
from tools.catalog import (
    CHECK_BRANCH_STOCK,
    FIND_TIRES_FOR_VEHICLE,
    GET_BRANCHES,
    GET_SERVICE_PRICES,
    SEARCH_TIRES,
)
from tools.dispatch import STAFF_DELIVERY_TOOLS
from tools.fulfillment import REQUEST_INVOICE, SET_FULFILLMENT
from tools.history import GET_TECHNICAL_HISTORY
from tools.inventory import CHECK_STOCK, GET_SALES_RANKING, LIST_HANDOFF_REQUESTS, LIST_LOW_STOCK
from tools.logistics import CUSTOMER_DELIVERY_TOOLS
from tools.order_status import GET_ORDER_STATUS
from tools.orders import CANCEL_RESERVATION, CHANGE_RESERVATION, CREATE_RESERVATION
from tools.payments import GET_PAYMENT_OPTIONS, RESEND_PAYMENT_LINK
from tools.people import HANDOFF_TO_HUMAN
from tools.sales import GET_CUSTOMER_TERMS, QUOTE_TIRES
from tools.sales_analytics import SALES_ANALYTICS_TOOLS
from tools.support import DIAGNOSE_PROBLEM, SEARCH_KNOWLEDGE_BASE
from tools.warranty import CHECK_WARRANTY

ALL_TOOLS: tuple[ToolSpec, ...] = (
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
    DIAGNOSE_PROBLEM,
    SEARCH_KNOWLEDGE_BASE,
    CHECK_WARRANTY,
    GET_TECHNICAL_HISTORY,
    CHECK_STOCK,
    LIST_LOW_STOCK,
    GET_SALES_RANKING,
    LIST_HANDOFF_REQUESTS,
    *SALES_ANALYTICS_TOOLS,
    *CASE_TOOLS,
    *APPOINTMENT_TOOLS,
    *CUSTOMER_DELIVERY_TOOLS,
    *STAFF_DELIVERY_TOOLS,
)
TOOLS_BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in ALL_TOOLS}
