"""Purchase quantities by CP-SAT: price breaks worth taking, minimum order values, budget,
determinism; and the 12-week plan."""

from __future__ import annotations

from datetime import date, timedelta

from engines.replenishment import (
    ItemState,
    PriceBreak,
    SupplierTerms,
    WeeklyForecast,
    optimise_purchases,
    plan_by_week,
    purchase_plan,
    replenish,
)
from engines.replenishment.replenish import compute_policies, purchase_needs

TODAY = date(2026, 11, 20)
BREAKS = (PriceBreak(1, 100_000), PriceBreak(20, 96_000), PriceBreak(100, 92_000))


def item(
    sku: str, on_hand: int, weekly: float, supplier: int = 1, branch: str = "GDL"
) -> ItemState:
    return ItemState(
        sku=sku, branch=branch, supplier_id=supplier,
        forecast=WeeklyForecast.flat(weekly, 12, weekly * 0.3), on_hand=on_hand,
        unit_cost_cents=100_000, price_cents=150_000,
    )  # fmt: skip


def plan_for(
    items: list[ItemState], suppliers: dict[int, SupplierTerms], budget: int | None = None
):  # type: ignore[no-untyped-def]
    breaks = {(i.supplier_id, i.sku): list(BREAKS) for i in items}
    policies = compute_policies(items, suppliers)
    needs = purchase_needs(items, policies, breaks)
    return needs, optimise_purchases(needs, suppliers, today=TODAY, budget_cents=budget)


def test_a_price_break_is_taken_only_when_it_pays_for_its_holding() -> None:
    suppliers = {1: SupplierTerms(1, "Llantas del Norte", 5)}
    needs, plan = plan_for([item("NEAR", 0, 40.0)], suppliers)  # needs ~80, break at 100
    line = plan.suggestions[0].lines[0]
    assert line.need < 100 and line.quantity == 100 and line.unit_cost_cents == 92_000
    assert line.savings_cents == 100 * 8_000
    _, far = plan_for([item("FAR", 0, 1.0)], suppliers)  # needs ~3: the 20 break is 20 weeks
    line = far.suggestions[0].lines[0]
    assert line.quantity == line.need < 20 and line.unit_cost_cents == 100_000
    assert plan.suggestions[0].arrives_on == TODAY + timedelta(days=5)


def test_minimum_order_value_tops_up_or_skips_the_supplier() -> None:
    tiny = item("A", 0, 2.0)
    filler = item("B", 14, 8.0)  # above its reorder point, below its order-up-to level
    low_min = {1: SupplierTerms(1, "S", 7, min_order_cents=1_500_000)}
    _, plan = plan_for([tiny, filler], low_min)
    assert plan.suggestions and plan.suggestions[0].total_cents >= 1_500_000
    huge_min = {1: SupplierTerms(1, "S", 7, min_order_cents=50_000_000)}
    _, none = plan_for([tiny, filler], huge_min)
    assert none.suggestions == () and none.skipped == ("A@GDL",) and none.shortage_cents > 0


def test_the_budget_caps_spend_and_keeps_what_matters_most() -> None:
    suppliers = {1: SupplierTerms(1, "S1", 7), 2: SupplierTerms(2, "S2", 7)}
    items = [item("FAST", 0, 30.0, supplier=1), item("SLOW", 0, 3.0, supplier=2)]
    _, free = plan_for(items, suppliers)
    assert {s.supplier for s in free.suggestions} == {"S1", "S2"}
    budget = free.purchase_cents // 2
    _, capped = plan_for(items, suppliers, budget=budget)
    assert 0 < capped.purchase_cents <= budget
    bought = {ln.sku: ln.quantity for s in capped.suggestions for ln in s.lines}
    assert bought.get("FAST", 0) > 0  # the shortage it avoids is worth more per peso
    _, zero = plan_for(items, suppliers, budget=0)
    assert zero.suggestions == () and set(zero.skipped) == {"FAST@GDL", "SLOW@GDL"}


def test_ordering_cost_and_determinism() -> None:
    items = [item(f"S{i}", i, 5.0 + i) for i in range(12)]
    suppliers = {1: SupplierTerms(1, "S", 6, order_cost_cents=50_000)}
    _, a = plan_for(items, suppliers)
    _, b = plan_for(items, suppliers)
    assert a == b and a.status == "OPTIMAL" and a.ordering_cents == 50_000


def test_replenish_transfers_before_buying_and_plans_twelve_weeks() -> None:
    rich = item("P", 200, 10.0, branch="CDMX")
    poor = item("P", 0, 10.0, branch="GDL")
    suppliers = {1: SupplierTerms(1, "S", 7)}
    breaks = {(1, "P"): list(BREAKS)}
    r = replenish([rich, poor], suppliers, breaks, today=TODAY)
    assert [(t.from_branch, t.to_branch) for t in r.transfers] == [("CDMX", "GDL")]
    assert r.purchases.suggestions == ()  # the transfer covers GDL, nothing to buy
    without = replenish([rich, poor], suppliers, breaks, today=TODAY, transfers_first=False)
    assert without.purchases.suggestions and without.purchases.suggestions[0].branch == "GDL"
    policies = compute_policies([poor], suppliers)
    orders = purchase_plan([poor], policies, suppliers, breaks, today=TODAY, weeks=12)
    assert orders[0].week == TODAY and len(orders) >= 3  # ordered again as stock runs down
    assert all(o.week < TODAY + timedelta(weeks=12) for o in orders)
    weekly = plan_by_week(orders)
    assert sum(w.units for w in weekly) == sum(o.quantity for o in orders)
