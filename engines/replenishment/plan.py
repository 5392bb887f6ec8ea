"""The medium-term purchase plan: week by week, when each item reaches its reorder point on
the forecast mean, an order up to its order-up-to level, grouped by supplier and week."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from engines.replenishment.model import WEEK_DAYS, ItemState, Policy, PriceBreak, SupplierTerms
from engines.replenishment.purchase import unit_cost_at


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """An order the plan expects to place in the week starting ``week``."""

    week: date
    supplier_id: int
    supplier: str
    branch: str
    sku: str
    quantity: int
    unit_cost_cents: int
    arrives_on: date

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cost_cents


@dataclass(frozen=True, slots=True)
class PlanWeek:
    """One supplier's planned spend in one week (every branch)."""

    week: date
    supplier_id: int
    supplier: str
    units: int
    total_cents: int
    lines: int


def purchase_plan(
    items: Sequence[ItemState],
    policies: Mapping[tuple[str, str], Policy],
    suppliers: Mapping[int, SupplierTerms],
    breaks: Mapping[tuple[int, str], Sequence[PriceBreak]],
    *,
    today: date,
    weeks: int = 12,
) -> list[PlannedOrder]:
    """Orders over the next ``weeks`` weeks. Each item's position falls by its weekly forecast
    mean; at or below the reorder point it is ordered up to the order-up-to level, priced at
    the break the quantity reaches. This is the expected path, not the optimiser's answer for
    each week (that runs every night on the day's real stock)."""
    out = []
    for item in items:
        p = policies.get((item.sku, item.branch))
        terms = suppliers.get(item.supplier_id)
        if p is None or terms is None:
            continue
        position = float(item.position)
        for w in range(weeks):
            if position <= p.reorder_point and p.order_up_to > 0:
                qty = int(round(p.order_up_to - position))
                if qty > 0:
                    start = today + timedelta(days=WEEK_DAYS * w)
                    cost = unit_cost_at(
                        breaks.get((item.supplier_id, item.sku), ()), qty, item.unit_cost_cents
                    )
                    out.append(
                        PlannedOrder(
                            week=start,
                            supplier_id=terms.supplier_id,
                            supplier=terms.name,
                            branch=item.branch,
                            sku=item.sku,
                            quantity=qty,
                            unit_cost_cents=cost,
                            arrives_on=start + timedelta(days=terms.lead_time_days),
                        )
                    )
                    position += qty
            i = min(w, item.forecast.weeks - 1)
            position -= item.forecast.mean[i]
    return sorted(out, key=lambda o: (o.week, o.supplier, o.branch, o.sku))


def plan_by_week(orders: Sequence[PlannedOrder]) -> list[PlanWeek]:
    """The plan summed per week and supplier."""
    acc: dict[tuple[date, int], list[PlannedOrder]] = {}
    for o in orders:
        acc.setdefault((o.week, o.supplier_id), []).append(o)
    return [
        PlanWeek(
            week=week,
            supplier_id=sid,
            supplier=group[0].supplier,
            units=sum(o.quantity for o in group),
            total_cents=sum(o.total_cents for o in group),
            lines=len(group),
        )
        for (week, sid), group in sorted(acc.items(), key=lambda kv: (kv[0][0], kv[1][0].supplier))
    ]
