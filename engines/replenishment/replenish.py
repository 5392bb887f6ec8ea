"""One pass of the policy over every item: policies, transfers first, then purchases by
CP-SAT on the positions the transfers leave, and the 12-week plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from engines.replenishment.alerts import Urgency, stock_urgency
from engines.replenishment.model import (
    ItemState,
    Need,
    Policy,
    PriceBreak,
    PurchasePlan,
    SupplierTerms,
)
from engines.replenishment.plan import PlannedOrder, purchase_plan
from engines.replenishment.policy import SERVICE_LEVELS, abc_classes, reorder_policy
from engines.replenishment.purchase import optimise_purchases
from engines.replenishment.transfers import TransferSuggestion, suggest_transfers

Key = tuple[str, str]  # (sku, branch)


@dataclass(frozen=True)
class Replenishment:
    """Everything the nightly job needs to write: policies, urgencies, transfers, purchases."""

    policies: dict[Key, Policy]
    urgencies: dict[Key, Urgency]
    transfers: list[TransferSuggestion]
    purchases: PurchasePlan
    plan: list[PlannedOrder]
    items: list[ItemState]  # positions after the suggested transfers


def compute_policies(
    items: Sequence[ItemState],
    suppliers: Mapping[int, SupplierTerms],
    service_levels: Mapping[str, float] = SERVICE_LEVELS,
) -> dict[Key, Policy]:
    """A policy per item, its service level from its ABC class (by forecast revenue)."""
    revenue = {
        f"{i.sku}@{i.branch}": sum(i.forecast.mean) * (i.price_cents or i.unit_cost_cents)
        for i in items
    }
    abc = abc_classes(revenue)
    out = {}
    for item in items:
        cls = abc[f"{item.sku}@{item.branch}"]
        lead = suppliers[item.supplier_id].lead_time_days if item.supplier_id in suppliers else 7
        out[(item.sku, item.branch)] = reorder_policy(
            item, lead_time_days=lead, service_level=service_levels[cls], abc=cls
        )
    return out


def apply_transfers(
    items: Sequence[ItemState], transfers: Sequence[TransferSuggestion]
) -> list[ItemState]:
    """Items as they would stand once the transfers ship: donors lose, receivers gain inbound."""
    delta_on_hand: dict[Key, int] = {}
    delta_inbound: dict[Key, int] = {}
    for t in transfers:
        delta_on_hand[(t.sku, t.from_branch)] = delta_on_hand.get((t.sku, t.from_branch), 0) - (
            t.quantity
        )
        delta_inbound[(t.sku, t.to_branch)] = delta_inbound.get((t.sku, t.to_branch), 0) + (
            t.quantity
        )
    return [
        dataclasses.replace(
            i,
            on_hand=i.on_hand + delta_on_hand.get((i.sku, i.branch), 0),
            inbound=i.inbound + delta_inbound.get((i.sku, i.branch), 0),
        )
        if (i.sku, i.branch) in delta_on_hand or (i.sku, i.branch) in delta_inbound
        else i
        for i in items
    ]


def purchase_needs(
    items: Sequence[ItemState],
    policies: Mapping[Key, Policy],
    breaks: Mapping[tuple[int, str], Sequence[PriceBreak]],
) -> list[Need]:
    """Items at or below their reorder point (must buy), plus the items below their
    order-up-to level of the same supplier and branch, which may fill a minimum order or a
    price break."""
    must_groups = set()
    rows = []
    for item in items:
        p = policies[(item.sku, item.branch)]
        need = p.order_up_to - item.position
        if need <= 0 or p.weekly_mean <= 0:
            continue
        must = item.position <= p.reorder_point
        if must:
            must_groups.add((item.supplier_id, item.branch))
        rows.append((item, p, need, must))
    return [
        Need(item, p, need, tuple(breaks.get((item.supplier_id, item.sku), ())), must)
        for item, p, need, must in rows
        if must or (item.supplier_id, item.branch) in must_groups
    ]


def replenish(
    items: Sequence[ItemState],
    suppliers: Mapping[int, SupplierTerms],
    breaks: Mapping[tuple[int, str], Sequence[PriceBreak]],
    *,
    today: date,
    budget_cents: int | None = None,
    service_levels: Mapping[str, float] = SERVICE_LEVELS,
    plan_weeks: int = 12,
    transfers_first: bool = True,
    time_limit_s: float = 5.0,
) -> Replenishment:
    """Policies, urgencies (before transfers: what is true now), transfer suggestions, the
    purchases that remain after them, and the 12-week plan."""
    policies = compute_policies(items, suppliers, service_levels)
    urgencies = {}
    for item in items:
        u = stock_urgency(item, policies[(item.sku, item.branch)])
        if u is not None:
            urgencies[(item.sku, item.branch)] = u
    transfers = suggest_transfers(items, policies) if transfers_first else []
    after = apply_transfers(items, transfers)
    needs = purchase_needs(after, policies, breaks)
    purchases = optimise_purchases(
        needs, suppliers, today=today, budget_cents=budget_cents, time_limit_s=time_limit_s
    )
    plan = purchase_plan(after, policies, suppliers, breaks, today=today, weeks=plan_weeks)
    return Replenishment(policies, urgencies, transfers, purchases, plan, after)
