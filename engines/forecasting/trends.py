"""Growth and decline: the last periods against the same periods a year earlier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engines.forecasting.validation import YEAR_LAG, check_freq, validate_frame

# |z| of the two-Poisson-counts test: the change must be beyond what chance gives at ~95 %
Z_CRITICAL = 1.96


def detect_trends(
    frame: pd.DataFrame,
    *,
    freq: str,
    window: int,
    threshold: float = 0.2,
    min_volume: float = 10.0,
) -> pd.DataFrame:
    """Label each series growth, decline, stable or insufficient history.

    The last ``window`` periods are compared with the same ``window`` periods one year earlier
    (52 weeks, 12 months, 364 days), never with the periods just before: a December peak
    then meets last December, not November, so seasonality does not read as growth. A change
    counts when it is at least ``threshold`` (0.2 = 20 %), both windows together hold at least
    ``min_volume`` units, and a test on the two totals as Poisson counts says it is not chance.
    Returns unique_id, recent, year_ago, change (fraction, NaN if year_ago is 0), z, trend.
    """
    freq_ = check_freq(freq)
    if window < 1:
        raise ValueError(f"window must be ≥ 1 period, got {window}")
    clean = validate_frame(frame, freq_)
    lag = YEAR_LAG[freq_]
    rows = []
    for uid, y in clean.groupby("unique_id", sort=True)["y"]:
        v = y.to_numpy(dtype=float)
        if len(v) < lag + window:
            rows.append((uid, np.nan, np.nan, np.nan, np.nan, "insufficient history"))
            continue
        recent = float(v[-window:].sum())
        before = float(v[len(v) - lag - window : len(v) - lag].sum())
        total = recent + before
        z = (recent - before) / np.sqrt(total) if total > 0 else 0.0
        change = recent / before - 1.0 if before > 0 else np.nan
        grew = (before == 0 and recent > 0) or change >= threshold
        fell = change <= -threshold
        if total >= min_volume and abs(z) >= Z_CRITICAL and (grew or fell):
            trend = "growth" if z > 0 else "decline"
        else:
            trend = "stable"
        rows.append((uid, recent, before, change, z, trend))
    return pd.DataFrame(rows, columns=["unique_id", "recent", "year_ago", "change", "z", "trend"])
