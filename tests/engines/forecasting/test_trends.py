"""Growth and decline: year over year, so a December peak is not growth."""

from __future__ import annotations

import pandas as pd
import pytest

from engines.forecasting import synthetic as syn
from engines.forecasting.trends import detect_trends


def _trend(frame: pd.DataFrame, **kwargs: int) -> str:
    out = detect_trends(frame, freq="MS", window=kwargs.get("window", 3))
    return str(out["trend"].iloc[0])


def test_december_peak_is_not_growth() -> None:
    # four years ending in December, a strong yearly peak and no trend
    frame = syn.seasonal("dec", 48, level=50, amplitude=0.8, peak=11, seed=3, start="2021-01-01")
    assert frame["ds"].iloc[-1].month == 12
    y = frame["y"].to_numpy()
    # the trap: the last quarter against the quarter before looks like strong growth
    assert y[-3:].sum() > 1.5 * y[-6:-3].sum()
    assert _trend(frame) == "stable"


def test_growth_on_top_of_the_same_season_is_found() -> None:
    frame = syn.seasonal(
        "runflat", 48, level=30, amplitude=0.8, trend=0.03, seed=4, start="2021-01-01"
    )
    out = detect_trends(frame, freq="MS", window=3)
    assert out["trend"].iloc[0] == "growth"
    assert out["change"].iloc[0] > 0.2


def test_decline_is_found() -> None:
    frame = syn.seasonal(
        "old", 48, level=200, amplitude=0.3, trend=-0.03, seed=5, start="2021-01-01"
    )
    assert _trend(frame) == "decline"


def test_small_counts_are_not_called_growth() -> None:
    # 1 unit then 2 units is +100 %, but that is chance, not a trend
    ds = pd.date_range("2022-01-01", periods=24, freq="MS")
    y = [0.0] * 24
    y[9], y[21], y[22] = 1.0, 1.0, 1.0
    assert _trend(pd.DataFrame({"unique_id": "rare", "ds": ds, "y": y})) == "stable"


def test_less_than_a_year_and_a_window_is_insufficient() -> None:
    frame = syn.seasonal("young", 13, seed=6, start="2024-01-01")
    assert _trend(frame) == "insufficient history"


def test_weekly_compares_52_weeks_back() -> None:
    frame = syn.seasonal("wk", 120, freq="W", level=40, amplitude=0.7, seed=7, start="2022-01-03")
    out = detect_trends(frame, freq="W", window=8)
    assert out["trend"].iloc[0] == "stable"
    with pytest.raises(ValueError, match="window"):
        detect_trends(frame, freq="W", window=0)
