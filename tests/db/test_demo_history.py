"""Behaviour of the synthetic daily sales history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pytest

from db.demo.catalog import ProductSpec, build_catalog
from db.demo.history import (
    DemandProfile,
    buen_fin_days,
    demand_profiles,
    generate_sales_history,
    segment_growth_for,
)

BRANCHES = {"CDMX": 1.0, "GDL": 0.6, "MTY": 0.7}
START = date(2024, 1, 1)
N_DAYS = 800
END = START + timedelta(days=N_DAYS - 1)
SMOOTH_ADI = 1.32


@dataclass(frozen=True)
class History:
    specs: list[ProductSpec]
    units: npt.NDArray[np.int64]  # (sku, branch, day)
    days: list[date]

    @property
    def company(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.units.sum(axis=1), dtype=np.int64)

    @property
    def daily(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.units.sum(axis=(0, 1)), dtype=np.int64)

    def mask(self, predicate: Callable[[date], bool]) -> np.ndarray:
        return np.array([predicate(d) for d in self.days])


@pytest.fixture(scope="module")
def history() -> History:
    specs = build_catalog()
    index = {s.sku: i for i, s in enumerate(specs)}
    branch_index = {code: i for i, code in enumerate(BRANCHES)}
    units = np.zeros((len(specs), len(BRANCHES), N_DAYS), dtype=np.int64)
    for row in generate_sales_history(demand_profiles(specs), BRANCHES, START, END, seed=11):
        assert row.units > 0
        assert START <= row.day <= END
        units[index[row.key], branch_index[row.branch], (row.day - START).days] += row.units
    return History(specs, units, [START + timedelta(days=i) for i in range(N_DAYS)])


def _adi(series: np.ndarray) -> float:
    """Average interval (days) between consecutive days with demand."""
    nonzero = np.flatnonzero(series)
    return float(np.diff(nonzero).mean()) if len(nonzero) >= 2 else float("inf")


def test_is_deterministic_for_a_seed() -> None:
    profiles = demand_profiles(build_catalog()[:40])
    end = START + timedelta(days=90)
    first = list(generate_sales_history(profiles, BRANCHES, START, end, seed=5))
    again = list(generate_sales_history(profiles, BRANCHES, START, end, seed=5))
    other = list(generate_sales_history(profiles, BRANCHES, START, end, seed=6))
    assert first and first == again
    assert first != other


def test_range_is_inclusive_and_each_row_is_unique(history: History) -> None:
    totals = history.daily
    assert totals[0] > 0 and totals[-1] > 0
    profiles = [DemandProfile("X", 50.0, 0.0)]
    rows = list(generate_sales_history(profiles, {"CDMX": 1.0}, START, START + timedelta(6), 1))
    assert {r.day for r in rows} == {START + timedelta(days=i) for i in range(7)}
    assert len({(r.key, r.branch, r.day) for r in rows}) == len(rows)


def test_reversed_range_is_rejected() -> None:
    with pytest.raises(ValueError):
        list(generate_sales_history([DemandProfile("X", 1.0, 0.0)], BRANCHES, END, START, 1))


def test_popular_skus_are_smooth_and_the_tail_is_intermittent(history: History) -> None:
    popularity = np.array([s.popularity for s in history.specs])
    order = np.argsort(-popularity)
    adi = np.array([_adi(series) for series in history.company])
    top_decile = order[: len(order) // 10]
    bottom_half = order[len(order) // 2 :]
    assert (adi[top_decile] < SMOOTH_ADI).mean() >= 0.6
    assert (adi[bottom_half] > SMOOTH_ADI).mean() >= 0.6
    assert (adi[bottom_half] > 3).mean() >= 0.25


def test_branch_weights_scale_sales(history: History) -> None:
    per_branch = history.units.sum(axis=(0, 2))
    assert per_branch[0] > per_branch[2] > per_branch[1]


def test_saturday_is_the_best_day_and_sunday_the_worst(history: History) -> None:
    weekday = np.array([d.weekday() for d in history.days])
    means = [history.daily[weekday == k].mean() for k in range(7)]
    assert max(means) == means[5]
    assert min(means) == means[6]


def test_december_peak(history: History) -> None:
    year = history.mask(lambda d: d.year == 2024)
    december = history.mask(lambda d: d.year == 2024 and d.month == 12)
    assert history.daily[december].mean() > 1.2 * history.daily[year].mean()


@pytest.mark.parametrize("year", [2024, 2025])
def test_buen_fin_spike(history: History, year: int) -> None:
    buen_fin = set(buen_fin_days(year))
    friday = min(buen_fin)
    around = {friday - timedelta(days=k) for k in range(1, 8)}
    around |= {friday + timedelta(days=k) for k in range(4, 11)}
    spike = history.daily[history.mask(lambda d: d in buen_fin)].mean()
    normal = history.daily[history.mask(lambda d: d in around)].mean()
    assert spike > 1.5 * normal


def test_rainy_season_outsells_february(history: History) -> None:
    rainy = history.mask(lambda d: d.year == 2024 and 6 <= d.month <= 9)
    february = history.mask(lambda d: d.year == 2024 and d.month == 2)
    assert history.daily[rainy].mean() > history.daily[february].mean()


def test_suv_demand_grows_year_on_year(history: History) -> None:
    suv = np.array([s.vehicle_type == "suv" for s in history.specs])
    by_day = history.company[suv].sum(axis=0)
    assert by_day[365:730].sum() >= 1.05 * by_day[:365].sum()
    rim_13 = np.array([s.size.endswith("R13") for s in history.specs])
    by_day_13 = history.company[rim_13].sum(axis=0)
    assert by_day_13[365:730].sum() < by_day[365:730].sum()


def test_buen_fin_dates_follow_the_revolution_day_weekend() -> None:
    assert buen_fin_days(2022)[0] == date(2022, 11, 18)
    assert buen_fin_days(2023) == tuple(date(2023, 11, d) for d in (17, 18, 19, 20))
    assert buen_fin_days(2024)[-1] == date(2024, 11, 18)
    assert buen_fin_days(2025)[0] == date(2025, 11, 14)
    for year in range(2020, 2035):
        days = buen_fin_days(year)
        assert days[0].weekday() == 4 and days[-1].weekday() == 0


def test_segment_growth() -> None:
    specs = build_catalog()
    suv = next(s for s in specs if s.vehicle_type == "suv")
    run_flat = next(s for s in specs if s.run_flat)
    small = next(s for s in specs if s.size.endswith("R13"))
    compact = next(s for s in specs if s.size == "185/65R15")
    assert segment_growth_for(suv) >= 0.1
    assert segment_growth_for(run_flat) >= 0.1
    assert segment_growth_for(small) < 0
    assert 0 <= segment_growth_for(compact) < segment_growth_for(suv)
    assert segment_growth_for(replace(compact, run_flat=True)) >= 0.1
