"""Reorder policy from quantiles, urgencies, transfers, aged and slow stock: pure functions."""

from __future__ import annotations

import math
from datetime import date

import pytest

from engines.replenishment import (
    ItemState,
    Lot,
    Urgency,
    WeeklyForecast,
    abc_classes,
    aged_lots,
    days_of_supply,
    demand_over,
    reorder_policy,
    slow_items,
    stock_urgency,
    suggest_transfers,
)
from engines.replenishment.model import SupplierTerms
from engines.replenishment.replenish import compute_policies

TODAY = date(2026, 11, 20)


def item(on_hand: int, weekly: float = 14.0, spread: float = 4.0, **kw: object) -> ItemState:
    args: dict[str, object] = {
        "sku": "P1", "branch": "GDL", "supplier_id": 1,
        "forecast": WeeklyForecast.flat(weekly, 12, spread), "on_hand": on_hand,
        "unit_cost_cents": 100_000, "price_cents": 150_000,
    }  # fmt: skip
    args.update(kw)
    return ItemState(**args)  # type: ignore[arg-type]


def test_lead_time_demand_adds_means_and_variances_over_fractional_weeks() -> None:
    fc = WeeklyForecast.flat(14.0, 12, 0.0)
    assert demand_over(fc, 10) == pytest.approx((20.0, 0.0))
    spread = WeeklyForecast((10.0, 10.0), (5.0, 5.0), (10.0, 10.0), (15.0, 15.0))
    mean, sd = demand_over(spread, 14)
    sigma = 10 / 2.5631
    assert mean == pytest.approx(20.0) and sd == pytest.approx(math.sqrt(2) * sigma, rel=1e-3)


def test_reorder_point_is_the_service_quantile_not_the_sum_of_p90s() -> None:
    it = item(0, weekly=10.0, spread=5.0)  # p10 5, p90 15 each week
    p = reorder_policy(it, lead_time_days=28, service_level=0.95)
    assert p.lead_time_demand_mean == pytest.approx(40.0)
    assert 40 < p.reorder_point < 4 * 15  # above the mean, below four weekly p90s
    assert p.safety_stock == p.reorder_point - 40
    assert p.order_up_to > p.reorder_point
    higher = reorder_policy(it, lead_time_days=28, service_level=0.99)
    assert higher.reorder_point > p.reorder_point
    certain = reorder_policy(item(0, weekly=7.0, spread=0.0), lead_time_days=7, service_level=0.98)
    assert (certain.reorder_point, certain.safety_stock, certain.order_up_to) == (7, 0, 14)
    with pytest.raises(ValueError, match="service_level"):
        reorder_policy(it, lead_time_days=7, service_level=1.0)


def test_abc_by_revenue_and_service_levels_per_class() -> None:
    classes = abc_classes({"a": 800.0, "b": 150.0, "c": 40.0, "d": 10.0})
    assert classes == {"a": "A", "b": "B", "c": "C", "d": "C"}
    items = [item(0, sku="BIG", weekly=50.0), item(0, sku="SMALL", weekly=0.5)]
    policies = compute_policies(items, {1: SupplierTerms(1, "S", 7)})
    assert policies[("BIG", "GDL")].service_level > policies[("SMALL", "GDL")].service_level


def test_urgency_critical_high_medium_and_none() -> None:
    def urgency(on_hand: int, inbound: int = 0) -> Urgency | None:
        it = item(on_hand, weekly=14.0, spread=2.0, inbound=inbound)
        return stock_urgency(it, reorder_policy(it, lead_time_days=7, service_level=0.95))

    assert urgency(3) is Urgency.CRITICO  # 3 units, 14 a week, a week to the next delivery
    assert urgency(15) is Urgency.ALTO  # above a week's demand, at or below the reorder point
    assert urgency(3, inbound=12) is Urgency.ALTO  # what is on its way counts
    assert urgency(40) is Urgency.MEDIO  # crosses the reorder point within two weeks
    assert urgency(200) is None
    zero = item(0, weekly=0.0, spread=0.0)
    assert stock_urgency(zero, reorder_policy(zero, lead_time_days=7, service_level=0.9)) is None


def test_transfers_move_only_surplus_above_the_donors_order_up_to() -> None:
    rich = item(100, branch="CDMX")
    poor = item(2, branch="GDL")
    fine = item(30, branch="MTY")
    policies = compute_policies([rich, poor, fine], {1: SupplierTerms(1, "S", 7)})
    moves = suggest_transfers([rich, poor, fine], policies)
    assert len(moves) == 1
    t = moves[0]
    assert (t.from_branch, t.to_branch) == ("CDMX", "GDL")
    assert t.quantity == policies[("P1", "GDL")].order_up_to - 2
    assert 100 - t.quantity >= policies[("P1", "CDMX")].order_up_to
    nobody_rich = suggest_transfers([poor, fine], policies)
    assert nobody_rich == []


def test_aged_lots_by_dot_and_slow_stock_by_days_of_supply() -> None:
    lots = [
        Lot("P1", "GDL", 10, 2022, 4),  # March 2022: 4.7 years
        Lot("P1", "GDL", 48, 2023, 2),  # 27 November 2023: 2.98 years, just inside
        Lot("P1", "GDL", 30, 2025, 8),
    ]
    aged = aged_lots(lots, today=TODAY, max_age_years=3)
    assert [(a.lot.year, a.lot.week) for a in aged] == [(2022, 10)]
    assert aged[0].age_days > 4 * 365
    assert days_of_supply(70, 7.0) == pytest.approx(70.0) and math.isinf(days_of_supply(5, 0.0))
    slow = item(300, sku="SLOW", weekly=7.0)
    dead = item(20, sku="DEAD", weekly=0.0, spread=0.0)
    ok = item(20, sku="OK", weekly=7.0)
    policies = compute_policies([slow, dead, ok], {1: SupplierTerms(1, "S", 7)})
    found = slow_items([slow, dead, ok], policies, threshold_days=180)
    assert [s.sku for s in found] == ["SLOW", "DEAD"]  # most capital first
    assert found[0].days_of_supply == pytest.approx(300.0)
