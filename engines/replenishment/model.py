"""Inputs and outputs of the replenishment engine: plain frozen dataclasses, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

WEEK_DAYS = 7


@dataclass(frozen=True, slots=True)
class PriceBreak:
    """Net unit cost (cents) when buying at least ``min_quantity`` units."""

    min_quantity: int
    unit_cost_cents: int


@dataclass(frozen=True, slots=True)
class SupplierTerms:
    """What a supplier asks: lead time, minimum order value and our fixed cost of one order."""

    supplier_id: int
    name: str
    lead_time_days: int
    min_order_cents: int = 0
    order_cost_cents: int = 0  # our cost of placing and receiving one order (freight, admin)


@dataclass(frozen=True, slots=True)
class WeeklyForecast:
    """Forecast demand for the coming weeks, week 0 first: mean and p10/p50/p90 per week."""

    mean: tuple[float, ...]
    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]

    def __post_init__(self) -> None:
        n = len(self.mean)
        if n == 0 or any(len(x) != n for x in (self.p10, self.p50, self.p90)):
            raise ValueError(
                "a weekly forecast needs mean, p10, p50 and p90 of the same length ≥ 1"
            )

    @property
    def weeks(self) -> int:
        return len(self.mean)

    @staticmethod
    def flat(per_week: float, weeks: int = 12, spread: float = 0.0) -> WeeklyForecast:
        """The same demand every week (tests and simple callers); ``spread`` = p90 - p50."""
        lo = max(0.0, per_week - spread)
        return WeeklyForecast(
            (per_week,) * weeks, (lo,) * weeks, (per_week,) * weeks, (per_week + spread,) * weeks
        )


@dataclass(frozen=True, slots=True)
class ItemState:
    """One SKU at one branch today: stock, what is coming, its supplier and its forecast."""

    sku: str
    branch: str
    supplier_id: int
    forecast: WeeklyForecast
    on_hand: int
    reserved: int = 0
    inbound: int = 0  # on open purchase orders and transfers in transit to this branch
    unit_cost_cents: int = 0  # list cost (the first price break)
    price_cents: int = 0  # selling price, net
    label: str = ""  # "205/55R16 Michelin Primacy 4+"
    product_id: int | None = None
    branch_id: int | None = None

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def position(self) -> int:
        """Inventory position: available now plus what is already on its way."""
        return self.available + self.inbound


@dataclass(frozen=True, slots=True)
class Policy:
    """The reorder policy of one item (units)."""

    sku: str
    branch: str
    service_level: float
    abc: str
    lead_time_days: int
    lead_time_demand_mean: float
    lead_time_demand: float  # the service-level quantile of demand over the lead time
    safety_stock: int
    reorder_point: int
    order_up_to: int
    weekly_mean: float  # mean forecast demand per week over the horizon

    @property
    def daily_mean(self) -> float:
        return self.weekly_mean / WEEK_DAYS


@dataclass(frozen=True, slots=True)
class Need:
    """An item the purchase optimiser may buy: how many the policy asks for and at what cost."""

    item: ItemState
    policy: Policy
    need: int  # order-up-to minus position (≥ 1 when the item is at or below its reorder point)
    breaks: tuple[PriceBreak, ...]
    must: bool  # at or below the reorder point: not buying has a shortage cost


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    """A chosen quantity and its unit cost at the break it reaches."""

    sku: str
    branch: str
    quantity: int
    unit_cost_cents: int
    need: int
    list_cost_cents: int  # unit cost without a volume break
    product_id: int | None = None

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cost_cents

    @property
    def savings_cents(self) -> int:
        return self.quantity * (self.list_cost_cents - self.unit_cost_cents)


@dataclass(frozen=True, slots=True)
class PurchaseSuggestion:
    """What to order from one supplier for one branch, and when it would arrive."""

    supplier_id: int
    supplier: str
    branch: str
    lines: tuple[PurchaseLine, ...]
    order_by: date
    arrives_on: date

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def savings_cents(self) -> int:
        return sum(line.savings_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class PurchasePlan:
    """The optimiser's answer: suggestions, items left unbought (budget, minimums) and costs."""

    suggestions: tuple[PurchaseSuggestion, ...]
    skipped: tuple[str, ...]  # "SKU@BRANCH" the policy wanted that the plan does not buy
    purchase_cents: int
    holding_cents: int
    ordering_cents: int
    shortage_cents: int
    status: str  # OPTIMAL, FEASIBLE (time limit) or EMPTY
    budget_cents: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
