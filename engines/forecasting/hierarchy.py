"""Coherent aggregates: sum bottom-level means, take aggregate quantiles from aggregate residuals."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from engines.forecasting.engine import ForecastResult
from engines.forecasting.quantiles import level_columns
from engines.forecasting.validation import ForecastInputError

TOTAL = "total"


def aggregate(
    result: ForecastResult, mapping: Mapping[str, Mapping[str, str]]
) -> dict[str, pd.DataFrame]:
    """Forecasts for each grouping level (e.g. size, brand, branch) and the total.

    ``mapping`` takes each bottom ``unique_id`` (e.g. SKU × branch) to its group keys, e.g.
    ``{"P205-GDL": {"size": "205/55R16", "brand": "Michelin", "branch": "GDL"}}``. Means are
    sums of the bottom means, so every level adds up exactly. Quantiles of a sum are not sums
    of quantiles (that would assume every series peaks together), so each aggregate gets
    conformal quantiles from its own backtest residuals: bottom backtest forecasts and actuals
    are summed per (group, origin, period) first. A group with no backtested member (all on
    the fallback) sums its members' quantiles instead, a conservative (too wide) interval.
    """
    fc = result.forecasts
    ids = fc["unique_id"].unique()
    missing = sorted(set(ids) - set(mapping))
    if missing:
        raise ForecastInputError(
            f"mapping has no group keys for {len(missing)} series (e.g. {missing[0]!r}); "
            "give every forecast unique_id its keys, e.g. {'sku-gdl': {'brand': 'Michelin'}}"
        )
    names = sorted({level for uid in ids for level in mapping[uid]})
    incomplete = [u for u in ids if set(mapping[u]) != set(names)]
    if incomplete:
        raise ForecastInputError(
            f"series {incomplete[0]!r} lacks some of the levels {', '.join(names)}; "
            "every series needs a key for every level"
        )
    cols = level_columns(result.levels)
    out: dict[str, pd.DataFrame] = {}
    for level in [*names, TOTAL]:
        keys = {u: (TOTAL if level == TOTAL else str(mapping[u][level])) for u in ids}
        out[level] = _level(result, keys, cols)
    return out


def _level(result: ForecastResult, keys: dict[str, str], cols: list[str]) -> pd.DataFrame:
    fc = result.forecasts.assign(group=result.forecasts["unique_id"].map(keys))
    summed = fc.groupby(["group", "ds"], as_index=False)[["mean", *cols]].sum()
    bt = result.backtest
    if bt.empty:
        return summed.rename(columns={"group": "unique_id"})
    bt = bt.assign(group=bt["unique_id"].map(keys))
    per = bt.groupby(["group", "cutoff", "ds"])[["y", "forecast"]].sum()
    resid = (per["y"] - per["forecast"]).groupby(level="group")
    q = np.asarray(result.levels, dtype=float) / 100.0
    offsets = resid.quantile(q).unstack()
    own = offsets.reindex(summed["group"]).to_numpy(dtype=float)
    has = np.isfinite(own).all(axis=1)
    # the fallback members' own mean is already in the summed mean; their spread is not in
    # the residuals, so a group made only of them keeps the summed quantiles
    values = summed[cols].to_numpy(dtype=float)
    conformal = np.clip(summed["mean"].to_numpy(dtype=float)[:, None] + own, 0.0, None)
    values[has] = np.maximum.accumulate(conformal[has], axis=1)
    summed[cols] = values
    return summed.rename(columns={"group": "unique_id"})[["unique_id", "ds", "mean", *cols]]
