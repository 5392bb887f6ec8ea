"""Which urgency an item's situation deserves (the words and the sending live elsewhere)."""

from __future__ import annotations

from enum import StrEnum

from engines.replenishment.model import WEEK_DAYS, ItemState, Policy
from engines.replenishment.policy import demand_over

MEDIUM_WEEKS = 2  # "medio": the position crosses the reorder point within this many weeks


class Urgency(StrEnum):
    """Alert urgencies, most urgent first."""

    CRITICO = "crítico"
    ALTO = "alto"
    MEDIO = "medio"
    SOBREINVENTARIO = "sobreinventario"
    ANTIGUEDAD = "antigüedad"
    OPORTUNIDAD = "oportunidad"


def stock_urgency(item: ItemState, policy: Policy) -> Urgency | None:
    """crítico: what is available and on its way is expected to run out before an order
    placed today can arrive (the mean demand over the lead time exceeds it); alto: at or below
    the reorder point; medio: the mean forecast takes it to the reorder point within two
    weeks; otherwise none. Items with no forecast demand never alert here."""
    if policy.weekly_mean <= 0 or policy.reorder_point <= 0:
        return None
    position = item.position
    mean_lead, _ = demand_over(item.forecast, policy.lead_time_days)
    if position < mean_lead and position < policy.reorder_point:
        return Urgency.CRITICO
    if position <= policy.reorder_point:
        return Urgency.ALTO
    soon, _ = demand_over(item.forecast, MEDIUM_WEEKS * WEEK_DAYS)
    if position - soon <= policy.reorder_point:
        return Urgency.MEDIO
    return None


def days_until_out(item: ItemState, policy: Policy) -> float:
    """Days the available stock lasts at the forecast mean (inf without demand)."""
    daily = policy.daily_mean
    return float("inf") if daily <= 0 else max(0, item.available) / daily
