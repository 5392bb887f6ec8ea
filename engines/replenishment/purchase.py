"""Purchase quantities per supplier with OR-Tools CP-SAT: volume price breaks, minimum order
values, a fixed cost per order and an optional budget, in one model.

Each item gets a few candidate quantities (nothing, just enough to clear the reorder point,
what the policy asks for, and every price-break threshold above that within the cover limit),
each with its exact cost computed here: purchase at the break it reaches, less a credit of the
normal price (the cost at the needed quantity) for every unit, since every unit bought within
the cover limit sells and would otherwise be bought later at that price, so only a break's
saving counts; holding (average stock of the order x unit cost x weekly holding rate x the
weeks it lasts); and a shortage cost (the selling price of the expected units short over
the lead time and a review period, by the normal loss function: the revenue lost) when it leaves the item below what the policy asks.
CP-SAT then picks one candidate per item under the coupling constraints that make this a
combinatorial problem rather than a per-item formula: an order to a supplier must reach its
minimum value or not be placed, each order placed costs its fixed cost, and all orders together
must fit the budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

from ortools.sat.python import cp_model

from engines.replenishment.model import (
    WEEK_DAYS,
    Need,
    PriceBreak,
    PurchaseLine,
    PurchasePlan,
    PurchaseSuggestion,
    SupplierTerms,
)
from engines.replenishment.policy import demand_over

HOLDING_RATE_YEAR = 0.25  # capital, space and ageing of a tire, per year of its cost
MAX_COVER_WEEKS = 26  # never buy more than half a year of demand to reach a break


@dataclass(frozen=True)
class _Candidate:
    quantity: int
    unit_cost: int
    purchase: int
    holding: int
    credit: int
    shortage: int

    @property
    def objective(self) -> int:
        return self.purchase + self.holding + self.shortage - self.credit


def expected_short(mean: float, sd: float, stock: float) -> float:
    """Expected units short when demand ~ Normal(mean, sd) meets ``stock`` (the normal loss
    function), so safety stock is worth something even when the mean is covered."""
    if sd <= 1e-9:
        return max(0.0, mean - stock)
    z = (stock - mean) / sd
    n = NormalDist()
    return sd * (n.pdf(z) - z * (1 - n.cdf(z)))


def unit_cost_at(breaks: Sequence[PriceBreak], quantity: int, list_cost: int) -> int:
    """The unit cost of the best break ``quantity`` reaches (the list cost below every break)."""
    best = None
    for b in sorted(breaks, key=lambda x: x.min_quantity):
        if b.min_quantity <= quantity:
            best = b.unit_cost_cents
    return best if best is not None else list_cost


def _candidates(need: Need, holding_rate_year: float, max_cover_weeks: int) -> list[_Candidate]:
    item, policy = need.item, need.policy
    list_cost = unit_cost_at(need.breaks, 1, item.unit_cost_cents) or item.unit_cost_cents
    weekly = max(policy.weekly_mean, 0.05)
    ref_cost = unit_cost_at(need.breaks, need.need, list_cost)
    mean_cycle, sd_cycle = demand_over(item.forecast, policy.lead_time_days + WEEK_DAYS)
    price = item.price_cents or math.ceil(list_cost * 1.3)
    h_week = holding_rate_year / 52
    cap = max(need.need, math.floor(weekly * max_cover_weeks))
    qs = {0, need.need}
    if need.must:  # partial orders, for when the budget cannot cover every need
        qs.add(max(1, min(need.need, policy.reorder_point - item.position + 1)))
        qs |= {max(1, round(need.need * f)) for f in (0.25, 0.5, 0.75)}
    qs |= {b.min_quantity for b in need.breaks if need.need < b.min_quantity <= cap}
    out = []
    for q in sorted(qs):
        unit = unit_cost_at(need.breaks, q, list_cost) if q else 0
        weeks = min(52.0, q / (2 * weekly))
        short = expected_short(mean_cycle, sd_cycle, item.position + q) if need.must else 0.0
        out.append(
            _Candidate(
                quantity=q,
                unit_cost=unit,
                purchase=q * unit,
                holding=round(h_week * unit * q * weeks),
                credit=q * ref_cost,
                shortage=round(short * price),
            )
        )
    return out


def optimise_purchases(
    needs: Sequence[Need],
    suppliers: Mapping[int, SupplierTerms],
    *,
    today: date,
    budget_cents: int | None = None,
    holding_rate_year: float = HOLDING_RATE_YEAR,
    max_cover_weeks: int = MAX_COVER_WEEKS,
    time_limit_s: float = 5.0,
) -> PurchasePlan:
    """Choose what to buy from whom: minimises purchase + holding + ordering + shortage cost.

    One order per (supplier, branch) group; a group whose lines cannot reach the supplier's
    minimum order value, or that the budget leaves out, is not ordered and its items are
    listed in ``skipped``. Deterministic: one search worker, fixed seed.
    """
    if budget_cents is not None and budget_cents < 0:
        raise ValueError(f"budget_cents must be ≥ 0, got {budget_cents}")
    missing = sorted({n.item.supplier_id for n in needs} - set(suppliers))
    if missing:
        raise ValueError(f"no supplier terms for supplier id(s) {missing}")
    if not needs:
        return PurchasePlan((), (), 0, 0, 0, 0, "EMPTY", budget_cents)
    model = cp_model.CpModel()
    groups: dict[tuple[int, str], list[int]] = {}
    for i, n in enumerate(needs):
        groups.setdefault((n.item.supplier_id, n.item.branch), []).append(i)
    cands = [_candidates(n, holding_rate_year, max_cover_weeks) for n in needs]
    pick = [[model.new_bool_var(f"x{i}_{c}") for c in range(len(cs))] for i, cs in enumerate(cands)]
    placed = {g: model.new_bool_var(f"y{g[0]}_{g[1]}") for g in groups}
    objective = []
    spend = []
    for g, members in groups.items():
        terms = suppliers[g[0]]
        value = []
        for i in members:
            model.add_exactly_one(pick[i])
            for c, cand in enumerate(cands[i]):
                objective.append(cand.objective * pick[i][c])
                if cand.quantity > 0:
                    model.add_implication(pick[i][c], placed[g])
                    value.append(cand.purchase * pick[i][c])
        total = sum(value)
        model.add(total >= terms.min_order_cents * placed[g])
        model.add(total >= 1).only_enforce_if(placed[g])
        objective.append(terms.order_cost_cents * placed[g])
        spend.append(total)
    if budget_cents is not None:
        model.add(sum(spend) <= budget_cents)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # only the budget can make it infeasible, and buying nothing always fits; kept as a guard
        raise RuntimeError(f"CP-SAT found no plan ({solver.status_name(status)})")
    suggestions = []
    skipped = []
    holding = shortage = ordering = 0
    for g, members in groups.items():
        terms = suppliers[g[0]]
        lines = []
        for i in members:
            c = next(k for k, var in enumerate(pick[i]) if solver.boolean_value(var))
            cand, n = cands[i][c], needs[i]
            holding += cand.holding
            shortage += cand.shortage
            if cand.quantity == 0:
                if n.must:
                    skipped.append(f"{n.item.sku}@{n.item.branch}")
                continue
            lines.append(
                PurchaseLine(
                    sku=n.item.sku,
                    branch=n.item.branch,
                    quantity=cand.quantity,
                    unit_cost_cents=cand.unit_cost,
                    need=n.need,
                    list_cost_cents=unit_cost_at(n.breaks, 1, n.item.unit_cost_cents),
                    product_id=n.item.product_id,
                )
            )
        if lines:
            ordering += terms.order_cost_cents
            suggestions.append(
                PurchaseSuggestion(
                    supplier_id=terms.supplier_id,
                    supplier=terms.name,
                    branch=g[1],
                    lines=tuple(sorted(lines, key=lambda x: x.sku)),
                    order_by=today,
                    arrives_on=today + timedelta(days=terms.lead_time_days),
                )
            )
    suggestions.sort(key=lambda s: (s.branch, s.supplier))
    return PurchasePlan(
        suggestions=tuple(suggestions),
        skipped=tuple(sorted(skipped)),
        purchase_cents=sum(s.total_cents for s in suggestions),
        holding_cents=holding,
        ordering_cents=ordering,
        shortage_cents=shortage,
        status=solver.status_name(status),
        budget_cents=budget_cents,
    )
