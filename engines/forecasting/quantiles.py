"""Quantile forecasts: conformal from backtest residuals, empirical for fallback series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def level_columns(levels: Sequence[int]) -> list[str]:
    return [f"p{level}" for level in levels]


def _ordered(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    # demand is never negative, and interpolation noise must not cross the quantiles
    return np.maximum.accumulate(np.clip(values, 0.0, None), axis=1)


def conformal(future: pd.DataFrame, backtest: pd.DataFrame, levels: Sequence[int]) -> pd.DataFrame:
    """Mean plus each series' empirical residual quantiles over its backtest windows.

    Residuals are pooled over the horizon steps: the candidate methods forecast nearly flat
    paths, and a few dozen residuals per series beat a dozen per step. The lower tail is
    clipped at 0, which keeps intermittent quantiles non-negative.
    """
    q = np.asarray(levels, dtype=float) / 100.0
    resid = (backtest["y"] - backtest["forecast"]).groupby(backtest["unique_id"])
    table = resid.quantile(q).unstack()  # unique_id x levels
    offsets = table.reindex(future["unique_id"]).to_numpy(dtype=float)
    mean = future["forecast"].to_numpy(dtype=float)
    out = future[["unique_id", "ds"]].copy()
    out["mean"] = np.clip(mean, 0.0, None)
    out[level_columns(levels)] = _ordered(mean[:, None] + offsets)
    return out


def empirical(
    history: pd.DataFrame, dates: pd.DatetimeIndex, levels: Sequence[int]
) -> pd.DataFrame:
    """The fallback: each series' historical mean and the quantiles of its past demand."""
    q = np.asarray(levels, dtype=float) / 100.0
    stats = history.groupby("unique_id", sort=True)["y"]
    means = stats.mean()
    quants = stats.quantile(q).unstack().reindex(means.index).to_numpy(dtype=float)
    n = len(dates)
    out = pd.DataFrame(
        {"unique_id": np.repeat(means.index.to_numpy(), n), "ds": np.tile(dates, len(means))}
    )
    out["mean"] = np.repeat(means.to_numpy(dtype=float), n)
    out[level_columns(levels)] = _ordered(np.repeat(quants, n, axis=0))
    return out
