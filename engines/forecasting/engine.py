"""The public entry point: validated long frame in, point and quantile forecasts out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engines.forecasting.backtest import plan_layout, run_all
from engines.forecasting.combine import combine, series_profile
from engines.forecasting.models import ForecastConfig
from engines.forecasting.quantiles import conformal, empirical
from engines.forecasting.validation import (
    ForecastInputError,
    Freq,
    check_freq,
    pandas_freq,
    validate_frame,
)

FALLBACK = "fallback:mean"


@dataclass(frozen=True)
class ForecastResult:
    """Forecasts (unique_id, ds, mean, p10, p50, p90 …) and how each series got them."""

    forecasts: pd.DataFrame
    # unique_id, model ("stack", "mean", a model name or the fallback), demand_class
    models: pd.DataFrame
    # group of series (demand class, +seasonal) -> stack | select | mean
    strategy: dict[str, str]
    freq: Freq
    horizon: int
    levels: tuple[int, ...]
    backtest: pd.DataFrame  # unique_id, cutoff, ds, y, forecast: feeds aggregate quantiles
    # group -> strategy -> held-out backtest RMSSE (leave one origin out)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    weights: pd.DataFrame = field(default_factory=pd.DataFrame)  # group, model, weight


def _check_args(horizon: int, levels: Sequence[int]) -> tuple[int, ...]:
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ForecastInputError(f"horizon must be a whole number of periods ≥ 1, got {horizon!r}")
    lv = tuple(levels)
    if not lv or any(not isinstance(x, int) or not 0 < x < 100 for x in lv):
        raise ForecastInputError(
            f"levels must be percentiles between 1 and 99, e.g. (10, 50, 90); got {lv!r}"
        )
    if list(lv) != sorted(set(lv)):
        raise ForecastInputError(f"levels must be increasing and distinct, got {lv!r}")
    return lv


def forecast(
    frame: pd.DataFrame,
    *,
    horizon: int,
    freq: str,
    levels: Sequence[int] = (10, 50, 90),
    seed: int = 0,
    config: ForecastConfig | None = None,
) -> ForecastResult:
    """Forecast every series ``horizon`` periods ahead with quantiles at ``levels``.

    Candidate methods run in a rolling-origin backtest; a stacked ensemble, per-series
    selection or an equal-weight mean is chosen on a held-out window; series too short for
    the backtest, or whose models fail, get the fallback (historical mean, empirical
    quantiles). ``seed`` is accepted for reproducible runs: every step is deterministic today.
    """
    del seed  # no stochastic step yet; kept so callers pin it when one arrives
    freq_ = check_freq(freq)
    lv = _check_args(horizon, levels)
    config = config or ForecastConfig()
    clean = validate_frame(frame, freq_)
    alias = pandas_freq(freq_, clean["ds"])
    end = clean["ds"].max()
    dates = pd.date_range(end, periods=horizon + 1, freq=alias)[1:]
    profile = series_profile(clean)
    lengths = clean.groupby("unique_id")["y"].size()
    layout = plan_layout(lengths, horizon, config)
    modelled = (
        lengths.index[lengths >= layout.span + config.min_history] if layout else lengths.index[:0]
    )
    parts: list[pd.DataFrame] = []
    chosen = pd.Series(FALLBACK, index=profile.index, name="model")
    strategy: dict[str, str] = {}
    scores: dict[str, dict[str, float]] = {}
    backtest = pd.DataFrame(columns=["unique_id", "cutoff", "ds", "y", "forecast"])
    weights = pd.DataFrame(columns=["group", "model", "weight"])
    if layout is not None and len(modelled):
        subset = clean[clean["unique_id"].isin(modelled)]
        classes = profile["demand_class"].reindex(modelled)
        smooth = classes.index[classes == "smooth"]
        combo = combine(
            run_all(subset, freq_, alias, horizon, layout, config, smooth),
            profile.loc[modelled],
            config.shrink_series,
            config.strategies,
        )
        # a series with a non-finite combination (a model returned NaN/inf) falls back
        ok_f = combo.future.groupby("unique_id")["forecast"].apply(lambda f: np.isfinite(f).all())
        ok_b = combo.backtest.groupby("unique_id")["forecast"].apply(lambda f: np.isfinite(f).all())
        good = ok_f.index[ok_f & ok_b.reindex(ok_f.index, fill_value=False)]
        backtest = combo.backtest[combo.backtest["unique_id"].isin(good)]
        parts.append(conformal(combo.future[combo.future["unique_id"].isin(good)], backtest, lv))
        chosen.loc[good] = combo.chosen.reindex(good)
        strategy, scores, weights = combo.strategy, combo.scores, combo.weights
    rest = chosen.index[chosen == FALLBACK]
    if len(rest):
        parts.append(empirical(clean[clean["unique_id"].isin(rest)], dates, lv))
    forecasts = pd.concat(parts, ignore_index=True).sort_values(
        ["unique_id", "ds"], ignore_index=True
    )
    models = pd.DataFrame(
        {
            "unique_id": profile.index,
            "model": chosen.to_numpy(),
            "demand_class": profile["demand_class"].to_numpy(),
        }
    )
    return ForecastResult(
        forecasts=forecasts,
        models=models,
        strategy=strategy,
        freq=freq_,
        horizon=horizon,
        levels=lv,
        backtest=backtest.reset_index(drop=True),
        scores=scores,
        weights=weights,
    )
