"""Stock health: DOT lots older than the age policy, and slow or obsolete stock."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from engines.replenishment.model import ItemState, Policy

OBSOLETE_DAYS = 180  # days of supply beyond which stock is slow / obsolete


@dataclass(frozen=True, slots=True)
class Lot:
    """Units of one SKU at one branch made in DOT week ``week`` of ``year``."""

    sku: str
    branch: str
    week: int
    year: int
    quantity: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class AgedLot:
    """A lot older than the policy, with its age in days."""

    lot: Lot
    produced: date
    age_days: int


@dataclass(frozen=True, slots=True)
class SlowItem:
    """Stock that covers more than the slow-stock threshold (days of supply; inf = no demand)."""

    sku: str
    branch: str
    on_hand: int
    days_of_supply: float
    weekly_mean: float
    value_cents: int
    label: str = ""


def dot_date(week: int, year: int) -> date:
    """The Monday of a DOT production week (week 53 in a 52-week year counts as week 52)."""
    last = date(year, 12, 28).isocalendar().week
    return date.fromisocalendar(year, max(1, min(week, last)), 1)


def aged_lots(lots: Sequence[Lot], *, today: date, max_age_years: float = 3.0) -> list[AgedLot]:
    """Lots produced more than ``max_age_years`` before ``today``, oldest first."""
    limit = max_age_years * 365.25
    out = []
    for lot in lots:
        if lot.quantity <= 0:
            continue
        produced = dot_date(lot.week, lot.year)
        age = (today - produced).days
        if age > limit:
            out.append(AgedLot(lot, produced, age))
    return sorted(out, key=lambda a: (-a.age_days, a.lot.sku, a.lot.branch))


def days_of_supply(on_hand: int, weekly_mean: float) -> float:
    """Days the stock lasts at the forecast rate (inf when nothing is expected to sell)."""
    if on_hand <= 0:
        return 0.0
    return math.inf if weekly_mean <= 1e-9 else on_hand / (weekly_mean / 7)


def slow_items(
    items: Sequence[ItemState],
    policies: Mapping[tuple[str, str], Policy],
    *,
    threshold_days: float = OBSOLETE_DAYS,
) -> list[SlowItem]:
    """Items whose on-hand stock lasts more than ``threshold_days`` at the forecast rate,
    most capital first."""
    out = []
    for item in items:
        p = policies.get((item.sku, item.branch))
        weekly = p.weekly_mean if p else 0.0
        dos = days_of_supply(item.on_hand, weekly)
        if dos > threshold_days:
            out.append(
                SlowItem(
                    sku=item.sku,
                    branch=item.branch,
                    on_hand=item.on_hand,
                    days_of_supply=dos,
                    weekly_mean=weekly,
                    value_cents=item.on_hand * item.unit_cost_cents,
                    label=item.label,
                )
            )
    return sorted(out, key=lambda s: (-s.value_cents, s.sku, s.branch))
