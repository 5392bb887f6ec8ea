"""Quantile forecasts: conformal from backtest residuals, empirical for fallback series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# how far the levels may be pulled toward the median (< 1) or pushed out (> 1)
_SPREADS = np.round(np.arange(0.5, 1.21, 0.02), 2)


def level_columns(levels: Sequence[int]) -> list[str]:
    return [f"p{level}" for level in levels]


def _ordered(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    # demand is never negative, and interpolation noise must not cross the quantiles
    return np.maximum.accumulate(np.clip(values, 0.0, None), axis=-1)


def _values(
    mean: Any, resid: Any, zero_share: Any, q: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Quantiles at ``q`` for rows of forecasts ``mean`` (n × h) from each series' residuals
    (n × m) and share of zero demand (n): (n × h × len(q))."""
    offsets = np.quantile(resid, q, axis=1).T  # n × len(q)
    values = mean[:, :, None] + offsets[:, None, :]
    # additive residuals do not know that sparse demand is often exactly zero: where zero
    # demand was at least as frequent as a level, that quantile is 0
    return np.where(zero_share[:, None, None] >= q[None, None, :], 0.0, values)


def _spread(bt: pd.DataFrame, n: int, levels: np.ndarray[Any, Any]) -> float:
    """The level spread whose interval covered the nominal share of held-out backtest periods.

    Count data make an inclusive interval cover more than its nominal share (a p10 of 0 covers
    every zero), so the outer levels are moved until, leaving each origin out in turn, the
    interval built from the other origins covers (highest - lowest level) of the held one.
    """
    lo, hi = levels[0], levels[-1]
    if len(levels) < 2 or bt["cutoff"].nunique() < 2:
        return 1.0
    w = bt["cutoff"].nunique()
    shape = (n, w, len(bt) // (n * w))
    y = bt["y"].to_numpy(dtype=float).reshape(shape)
    f = bt["forecast"].to_numpy(dtype=float).reshape(shape)
    r = y - f
    q_lo = np.clip(0.5 + (lo - 0.5) * _SPREADS, 0.001, 0.999)
    q_hi = np.clip(0.5 + (hi - 0.5) * _SPREADS, 0.001, 0.999)
    covered = np.zeros(len(_SPREADS))
    for k in range(w):
        others = [j for j in range(w) if j != k]
        resid = r[:, others, :].reshape(n, -1)
        zeros = (y[:, others, :] == 0).reshape(n, -1).mean(axis=1)
        low = np.clip(_values(f[:, k, :], resid, zeros, q_lo), 0.0, None)
        high = np.maximum(_values(f[:, k, :], resid, zeros, q_hi), low)
        held = y[:, k, :, None]
        covered += ((held >= low) & (held <= high)).mean(axis=(0, 1))
    gap = np.abs(covered / w - (hi - lo))
    # the closest to nominal; among ties the least change from the plain levels
    best = np.lexsort((np.abs(_SPREADS - 1.0), np.round(gap, 3)))[0]
    return float(_SPREADS[best])


def conformal(future: pd.DataFrame, backtest: pd.DataFrame, levels: Sequence[int]) -> pd.DataFrame:
    """Mean plus each series' empirical residual quantiles over its backtest windows.

    Residuals are pooled over the horizon steps: the candidate methods forecast nearly flat
    paths, and a few dozen residuals per series beat a dozen per step. The levels are then
    spread so that the outer interval's held-out backtest coverage is nominal (see _spread).
    Quantiles are clipped at 0, so intermittent quantiles are never negative.
    """
    q = np.asarray(levels, dtype=float) / 100.0
    bt = backtest.sort_values(["unique_id", "cutoff", "ds"], ignore_index=True)
    ids = np.sort(future["unique_id"].unique())
    n = len(ids)
    spread = _spread(bt, n, q) if n else 1.0
    q_used = np.clip(0.5 + (q - 0.5) * spread, 0.001, 0.999)
    fut = future.sort_values(["unique_id", "ds"], ignore_index=True)
    y = bt["y"].to_numpy(dtype=float).reshape(n, -1)
    resid = y - bt["forecast"].to_numpy(dtype=float).reshape(n, -1)
    mean = fut["forecast"].to_numpy(dtype=float).reshape(n, -1)
    values = _ordered(_values(mean, resid, (y == 0).mean(axis=1), q_used))
    out = fut[["unique_id", "ds"]].copy()
    out["mean"] = np.clip(mean.ravel(), 0.0, None)
    out[level_columns(levels)] = values.reshape(len(fut), len(q))
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
