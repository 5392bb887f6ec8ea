"""Seeded synthetic demand series for tests and examples (no downloaded fixtures)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engines.forecasting.validation import Freq, pandas_freq


def _dates(n: int, freq: Freq, start: str) -> pd.DatetimeIndex:
    first = pd.Timestamp(start)
    return pd.date_range(first, periods=n, freq=pandas_freq(freq, pd.Series([first])))


def intermittent(
    uid: str,
    n: int,
    *,
    freq: Freq = "W",
    rate: float = 0.3,
    size: float = 3.0,
    seed: int = 0,
    start: str = "2022-01-03",
) -> pd.DataFrame:
    """Demand in a fraction ``rate`` of periods, Poisson sizes around ``size`` when it occurs."""
    rng = np.random.default_rng(seed)
    occurs = rng.random(n) < rate
    y = np.where(occurs, 1 + rng.poisson(size - 1, n), 0).astype(float)
    return pd.DataFrame({"unique_id": uid, "ds": _dates(n, freq, start), "y": y})


def seasonal(
    uid: str,
    n: int,
    *,
    freq: Freq = "MS",
    level: float = 40.0,
    amplitude: float = 0.5,
    trend: float = 0.0,
    peak: int = 11,
    seed: int = 0,
    start: str = "2019-01-01",
) -> pd.DataFrame:
    """Poisson demand with a yearly peak at position ``peak`` of the season (11 = December for
    monthly series from January) and a multiplicative trend per period."""
    rng = np.random.default_rng(seed)
    season = {"W": 52, "MS": 12, "D": 7}[freq]
    t = np.arange(n)
    shape = 1 + amplitude * np.cos(2 * np.pi * (t % season - peak) / season)
    mean = level * shape * (1 + trend) ** t
    return pd.DataFrame(
        {"unique_id": uid, "ds": _dates(n, freq, start), "y": rng.poisson(mean).astype(float)}
    )


def panel(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)
