"""Synthetic daily tire sales per SKU and branch with Mexican seasonality, trends and tails."""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from db.demo.catalog import ProductSpec
from domain.tire_size import parse_tire_size

FloatArray = npt.NDArray[np.float64]

# Monday..Sunday; Saturday is the big shop day, Sunday shops close early. Mean 1.0.
WEEKDAY_FACTOR: tuple[float, ...] = (0.95, 0.92, 0.97, 1.0, 1.12, 1.50, 0.54)
# January-November; December is shaped day by day in _december_factor.
MONTH_FACTOR: dict[int, float] = {
    1: 0.80, 2: 0.82, 3: 0.95, 4: 1.02, 5: 0.98, 6: 1.10,
    7: 1.14, 8: 1.12, 9: 1.06, 10: 0.97, 11: 0.98,
}  # fmt: skip
BUEN_FIN_FACTOR = 2.3
PAYDAY_FACTOR = 1.08  # quincena: the 15th/16th and the last day of the month / the 1st
# Customers buy one tire (a puncture), a pair (one axle) or a set of four.
ORDER_SIZES: tuple[int, int, int] = (1, 2, 4)
ORDER_SIZE_P: tuple[float, float, float] = (0.22, 0.43, 0.35)
DAY_NOISE_SHAPE = 5.0  # gamma shape of the per SKU-branch-day demand rate (Poisson-gamma)
BRANCH_SHOCK_SIGMA = 0.08  # lognormal shock shared by all SKUs of a branch on a day
_CHUNK = 256  # profiles generated at once; bounds memory for long ranges


@dataclass(frozen=True, slots=True)
class DemandProfile:
    """How much one SKU sells: ``popularity`` is the mean units/day at a branch of weight 1.0
    on an average day, ``segment_growth`` the yearly trend (+0.12 = +12 %/year)."""

    key: str
    popularity: float
    segment_growth: float


@dataclass(frozen=True, slots=True)
class SalesRow:
    """Units of one SKU sold at one branch on one day (only days with units > 0 exist)."""

    key: str
    branch: str
    day: date
    units: int


def segment_growth_for(spec: ProductSpec) -> float:
    """Yearly demand trend of a product's segment.

    Run-flat and SUV sizes grow fastest, pickups and large auto rims grow, 13-inch sizes
    decline as the cars that use them leave the road; everything else grows slowly.

    Args:
        spec: the catalogue product.

    Returns:
        The yearly growth rate, e.g. ``0.12`` for +12 % a year.
    """
    rim = parse_tire_size(spec.size).rim
    if spec.run_flat:
        return 0.15
    if spec.vehicle_type == "suv":
        return 0.12
    if rim <= 13:
        return -0.06
    if spec.vehicle_type == "camioneta":
        return 0.05
    if rim >= 18:
        return 0.08
    if spec.vehicle_type == "comercial":
        return 0.03
    return 0.02


def demand_profiles(specs: Sequence[ProductSpec]) -> list[DemandProfile]:
    """Demand profiles for catalogue products (popularity and segment growth).

    Args:
        specs: products, e.g. from ``db.demo.catalog.build_catalog``.

    Returns:
        One profile per product, keyed by SKU, in the same order.
    """
    return [DemandProfile(s.sku, s.popularity, segment_growth_for(s)) for s in specs]


def buen_fin_days(year: int) -> tuple[date, date, date, date]:
    """The four days of El Buen Fin in ``year``: Friday to Monday.

    El Buen Fin ends on the Revolution Day long-weekend Monday, which by law is the third
    Monday of November (2022: 18-21, 2023: 17-20, 2024: 15-18, 2025: 14-17). This equals the
    "Monday of the week of 20 November" rule except when 21 November is a Monday, where the
    third-Monday rule matches the real event (2022).

    Args:
        year: calendar year.

    Returns:
        Friday, Saturday, Sunday and Monday of El Buen Fin.
    """
    first = date(year, 11, 1)
    third_monday = first + timedelta(days=(7 - first.weekday()) % 7 + 14)
    return (
        third_monday - timedelta(days=3),
        third_monday - timedelta(days=2),
        third_monday - timedelta(days=1),
        third_monday,
    )


def _december_factor(day: int) -> float:
    """Aguinaldo (Christmas bonus) builds demand up to the 23rd; the 24th-25th are quiet."""
    if day <= 23:
        return 1.35 + 0.40 * (day - 1) / 22
    return {24: 0.7, 25: 0.15}.get(day, 1.2)


def day_factors(start: date, end: date) -> FloatArray:
    """Relative demand of each day from ``start`` to ``end`` inclusive (about 1.0 on average).

    Combines the weekly pattern, the month (rainy-season lift June-September, a weak
    January-February, the December aguinaldo peak), paydays, New Year's Day and El Buen Fin
    (``BUEN_FIN_FACTOR`` on its four days, which replaces the weekday pattern, with a 10 % dip
    in the week before as buyers wait for it).

    Args:
        start: first day.
        end: last day (inclusive).

    Returns:
        One factor per day.
    """
    n_days = (end - start).days + 1
    buen_fin = {d for year in range(start.year, end.year + 1) for d in buen_fin_days(year)}
    waiting = {bf - timedelta(days=k) for bf in buen_fin for k in range(1, 8)} - buen_fin
    out = np.empty(n_days, dtype=np.float64)
    for i in range(n_days):
        day = start + timedelta(days=i)
        month_end = calendar.monthrange(day.year, day.month)[1]
        if day.month == 12:
            factor = _december_factor(day.day)
        elif day.month == 1 and day.day == 1:
            factor = 0.15
        else:
            factor = MONTH_FACTOR[day.month]
        if day in buen_fin:
            factor *= BUEN_FIN_FACTOR
        else:
            factor *= WEEKDAY_FACTOR[day.weekday()]
            if day in waiting:
                factor *= 0.9
        if day.day in (1, 15, 16, month_end):
            factor *= PAYDAY_FACTOR
        out[i] = factor
    return out


def generate_sales_history(
    profiles: Sequence[DemandProfile],
    branches: Mapping[str, float],
    start: date,
    end: date,
    seed: int,
) -> Iterator[SalesRow]:
    """Generate daily unit sales for every profile and branch from ``start`` to ``end``.

    Each SKU-branch-day draws a number of customer orders from a Poisson-gamma (negative
    binomial) distribution and each order buys 1, 2 or 4 tires. Popular SKUs therefore sell
    almost every day (smooth demand, ADI < 1.32) while the long tail sells on scattered days
    in lumps of 2 and 4 (intermittent demand, often ADI > 3). The mean rate is
    ``popularity x branch weight x day factor x (1 + growth) ** years since start``.

    Args:
        profiles: SKUs with their popularity and yearly growth.
        branches: branch code -> size weight (1.0 = a branch selling ``popularity`` a day).
        start: first day (inclusive).
        end: last day (inclusive).
        seed: seed of ``numpy.random.default_rng``; the same inputs give the same rows.

    Yields:
        Rows with units > 0, ordered by profile, then branch, then day.

    Raises:
        ValueError: on an empty or reversed range, negative weights or popularity.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    weights = np.array(list(branches.values()), dtype=np.float64)
    popularity = np.array([p.popularity for p in profiles], dtype=np.float64)
    if (weights < 0).any() or (popularity < 0).any():
        raise ValueError("branch weights and popularity must not be negative")
    rng = np.random.default_rng(seed)
    codes = list(branches)
    n_days = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(n_days)]
    shock = rng.lognormal(0.0, BRANCH_SHOCK_SIGMA, size=(len(codes), n_days))
    daily = weights[:, None] * day_factors(start, end)[None, :] * shock  # (branch, day)
    years = np.arange(n_days, dtype=np.float64) / 365.25
    mean_order = float(np.dot(ORDER_SIZES, ORDER_SIZE_P))
    p_single = ORDER_SIZE_P[0]
    p_pair_given_multi = ORDER_SIZE_P[1] / (ORDER_SIZE_P[1] + ORDER_SIZE_P[2])
    for lo in range(0, len(profiles), _CHUNK):
        chunk = profiles[lo : lo + _CHUNK]
        growth = np.log1p(np.array([p.segment_growth for p in chunk], dtype=np.float64))
        trend = np.exp(growth[:, None] * years[None, :])  # (profile, day)
        per_order = popularity[lo : lo + len(chunk), None, None] / mean_order
        rate = per_order * daily[None] * trend[:, None, :]  # (profile, branch, day)
        rate *= rng.gamma(DAY_NOISE_SHAPE, 1.0 / DAY_NOISE_SHAPE, size=rate.shape)
        orders = rng.poisson(rate)
        singles = rng.binomial(orders, p_single)
        pairs = rng.binomial(orders - singles, p_pair_given_multi)
        units = singles + 2 * pairs + 4 * (orders - singles - pairs)
        p_idx, b_idx, d_idx = np.nonzero(units)
        values = units[p_idx, b_idx, d_idx].tolist()
        keys = [p.key for p in chunk]
        for p, b, d, u in zip(p_idx.tolist(), b_idx.tolist(), d_idx.tolist(), values, strict=True):
            yield SalesRow(keys[p], codes[b], days[d], u)
