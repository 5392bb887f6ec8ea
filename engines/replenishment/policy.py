"""Reorder point, safety stock and order-up-to level from the forecast's weekly quantiles.

Service level here is the **cycle service level**: the probability that demand during the
supplier's lead time does not exceed the reorder point (no stock-out in a replenishment cycle).
Each week's demand is read as a normal whose spread comes from that week's p10-p90 interval
(sigma = (p90 - p10) / 2.563, the width of the central 80 % of a normal); weeks are taken as
independent, so over the lead time the means and the variances add (a fraction of a week adds
that fraction of both). The reorder point is the service-level quantile of that sum, never the
sum of weekly p90s, which would assume every week peaks together and overstock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist

from engines.replenishment.model import WEEK_DAYS, ItemState, Policy, WeeklyForecast

Z80 = 2 * NormalDist().inv_cdf(0.9)  # p10 to p90 of a standard normal: 2.563
# cycle service level per ABC class (A = the items that make 80 % of the forecast revenue)
SERVICE_LEVELS: dict[str, float] = {"A": 0.98, "B": 0.95, "C": 0.90}
REVIEW_DAYS = 7  # the policy is reviewed every night, but orders are placed about weekly


def abc_classes(revenue: Mapping[str, float], a: float = 0.8, b: float = 0.95) -> dict[str, str]:
    """A for the keys that make the first ``a`` share of revenue, B up to ``b``, C the rest."""
    total = sum(max(0.0, v) for v in revenue.values())
    out: dict[str, str] = {}
    running = 0.0
    for key, value in sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0])):
        share = running / total if total > 0 else 1.0
        out[key] = "A" if share < a else "B" if share < b else "C"
        running += max(0.0, value)
    return out


def demand_over(forecast: WeeklyForecast, days: float) -> tuple[float, float]:
    """Mean and standard deviation of total demand over the next ``days`` days."""
    if days <= 0:
        return 0.0, 0.0
    weeks = days / WEEK_DAYS
    mean = var = 0.0
    for w in range(math.ceil(weeks)):
        i = min(w, forecast.weeks - 1)  # beyond the horizon the last week repeats
        frac = min(1.0, weeks - w)
        sigma = max(0.0, forecast.p90[i] - forecast.p10[i]) / Z80
        mean += frac * forecast.mean[i]
        var += frac * sigma * sigma
    return mean, math.sqrt(var)


def quantile_over(forecast: WeeklyForecast, days: float, service_level: float) -> float:
    """The ``service_level`` quantile of demand over the next ``days`` days (≥ the mean)."""
    mean, sd = demand_over(forecast, days)
    z = NormalDist().inv_cdf(service_level)
    return max(mean, mean + z * sd, 0.0)


def reorder_policy(
    item: ItemState,
    *,
    lead_time_days: int,
    service_level: float,
    abc: str = "",
    review_days: int = REVIEW_DAYS,
) -> Policy:
    """Reorder point = the service-level quantile of lead-time demand; safety stock = that
    minus the mean lead-time demand; order-up-to = the same quantile over lead time plus one
    review period, so an order placed at the reorder point lasts until the next review."""
    if not 0.5 <= service_level < 1.0:
        raise ValueError(f"service_level must be in [0.5, 1), got {service_level}")
    if lead_time_days < 0:
        raise ValueError(f"lead_time_days must be ≥ 0, got {lead_time_days}")
    mean_l, _ = demand_over(item.forecast, lead_time_days)
    q_l = quantile_over(item.forecast, lead_time_days, service_level)
    q_s = quantile_over(item.forecast, lead_time_days + review_days, service_level)
    rop = math.ceil(q_l - 1e-9)
    up_to = max(rop + 1, math.ceil(q_s - 1e-9)) if q_s > 0 else rop
    weekly = sum(item.forecast.mean) / item.forecast.weeks
    return Policy(
        sku=item.sku,
        branch=item.branch,
        service_level=service_level,
        abc=abc,
        lead_time_days=lead_time_days,
        lead_time_demand_mean=mean_l,
        lead_time_demand=q_l,
        safety_stock=max(0, rop - math.ceil(mean_l - 1e-9)),
        reorder_point=rop,
        order_up_to=up_to,
        weekly_mean=weekly,
    )
