"""The closed set of intents the offline NLU predicts (one label per message)."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What a customer or staff message asks for; the values are the corpus labels."""

    # Supervisor / general.
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    SMALL_TALK = "small_talk"
    OUT_OF_SCOPE = "out_of_scope"
    HUMAN_HANDOFF = "human_handoff"
    PROMPT_INJECTION = "prompt_injection"
    ABUSE = "abuse"
    AFFIRM = "affirm"
    DENY = "deny"
    # Sales.
    # Prices, fitment and browsing ("¿qué Michelin tienen?", "llantas AT para mi Hilux"): the
    # former product_search is merged here, since every policy treated the two alike.
    TIRE_QUOTE = "tire_quote"
    SELECT_OPTION = "select_option"
    RESERVE = "reserve"
    FINANCING = "financing"
    SERVICES = "services"
    STORE_INFO = "store_info"
    # Sales: the reservation after it exists.
    CANCEL = "cancel"  # cancel the reservation, order or purchase ("siempre no, cancélalo")
    MODIFY_ORDER = "modify_order"  # change quantity or product of an existing reservation
    PAYMENT_LINK = "payment_link"  # the deposit payment link (again), paying online
    HOLD_PERIOD = "hold_period"  # how long the reservation holds the tires
    BALANCE = "balance"  # what is left to pay, what was paid
    PAYMENT_METHODS = "payment_methods"  # cash, OXXO, transfer, card at the branch
    INVOICE = "invoice"  # factura / CFDI and tax data
    FULFILLMENT = "fulfillment"  # home installation or delivery vs pickup at the shop
    # Support.
    WARRANTY_CLAIM = "warranty_claim"
    TIRE_PROBLEM = "tire_problem"
    TIRE_CARE = "tire_care"
    # Inventory (staff).
    STOCK_CHECK = "stock_check"
    LOW_STOCK = "low_stock"
    REORDER = "reorder"
    DEMAND_FORECAST = "demand_forecast"
    # Staff reports.
    SALES_REPORT = "sales_report"  # best and worst sellers, sales figures
    LEADS_REPORT = "leads_report"  # customers who asked for an advisor, pending callbacks
    # Logistics.
    ORDER_STATUS = "order_status"
    DELIVERY_RESCHEDULE = "delivery_reschedule"
    ROUTE_PLANNING = "route_planning"
