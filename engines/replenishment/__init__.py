"""Replenishment: reorder policy from forecast quantiles, purchase quantities by CP-SAT over
price breaks, minimums and budget, a 12-week plan, transfers, aged and slow stock."""

from engines.replenishment.alerts import Urgency, days_until_out, stock_urgency
from engines.replenishment.health import (
    AgedLot,
    Lot,
    SlowItem,
    aged_lots,
    days_of_supply,
    dot_date,
    slow_items,
)
from engines.replenishment.model import (
    ItemState,
    Need,
    Policy,
    PriceBreak,
    PurchaseLine,
    PurchasePlan,
    PurchaseSuggestion,
    SupplierTerms,
    WeeklyForecast,
)
from engines.replenishment.plan import PlannedOrder, PlanWeek, plan_by_week, purchase_plan
from engines.replenishment.policy import (
    SERVICE_LEVELS,
    abc_classes,
    demand_over,
    quantile_over,
    reorder_policy,
)
from engines.replenishment.purchase import optimise_purchases, unit_cost_at
from engines.replenishment.replenish import Replenishment, replenish
from engines.replenishment.transfers import TransferSuggestion, suggest_transfers

__all__ = [
    "SERVICE_LEVELS",
    "AgedLot",
    "ItemState",
    "Lot",
    "Need",
    "PlanWeek",
    "PlannedOrder",
    "Policy",
    "PriceBreak",
    "PurchaseLine",
    "PurchasePlan",
    "PurchaseSuggestion",
    "Replenishment",
    "SlowItem",
    "SupplierTerms",
    "TransferSuggestion",
    "Urgency",
    "WeeklyForecast",
    "abc_classes",
    "aged_lots",
    "days_of_supply",
    "days_until_out",
    "demand_over",
    "dot_date",
    "optimise_purchases",
    "plan_by_week",
    "purchase_plan",
    "quantile_over",
    "reorder_policy",
    "replenish",
    "slow_items",
    "stock_urgency",
    "suggest_transfers",
    "unit_cost_at",
]
