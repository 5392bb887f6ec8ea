"""Rolling-origin backtest and final fit of the candidate pools with statsforecast."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd
from statsforecast import StatsForecast

from engines.forecasting.models import (
    ForecastConfig,
    alias,
    base_models,
    fallback_model,
    seasonal_models,
    smooth_models,
)
from engines.forecasting.validation import SEASON_LENGTH, Freq

KEYS = ["unique_id", "ds"]


@dataclass(frozen=True)
class Layout:
    """Backtest origins: ``n_windows`` forecasts of ``h`` periods, ``step`` periods apart."""

    h: int
    n_windows: int
    step: int

    @property
    def span(self) -> int:
        return self.h + (self.n_windows - 1) * self.step


@dataclass(frozen=True)
class PoolRun:
    """Forecasts of every model of a pool: the backtest (with cutoff and y) and the future."""

    models: list[str]
    backtest: pd.DataFrame
    future: pd.DataFrame
    seasonal: tuple[str, ...] = ()  # columns of the seasonal pool (NaN on short series)


def plan_layout(lengths: pd.Series, horizon: int, config: ForecastConfig) -> Layout | None:
    """The longest backtest horizon (≤ the forecast horizon) the typical series can afford.

    Windows start a quarter of the horizon apart, so four windows see different seasons
    without needing four full horizons of history.
    """
    typical = int(lengths.median())
    h = horizon
    while h >= 1:
        step = max(1, math.ceil(h / config.n_windows))
        layout = Layout(h=h, n_windows=config.n_windows, step=step)
        if typical >= layout.span + config.min_history:
            return layout
        h = h // 2 if h > 1 else 0
    return None


def _n_jobs(n_series: int, config: ForecastConfig) -> int:
    if config.n_jobs:
        return config.n_jobs
    # worker start-up costs more than it saves on small panels
    return 1 if n_series < 300 else max(1, os.cpu_count() or 1)


def run_pool(
    frame: pd.DataFrame,
    models: list[Any],
    freq: str,
    horizon: int,
    layout: Layout,
    config: ForecastConfig,
) -> PoolRun:
    """Backtest and forecast one pool; a model that raises is replaced by the fallback."""
    sf = StatsForecast(
        models=models,
        freq=freq,
        n_jobs=_n_jobs(frame["unique_id"].nunique(), config),
        fallback_model=fallback_model(),
    )
    with warnings.catch_warnings():
        # ETS and Croston warn on all-zero or constant windows; the stacker copes with them
        warnings.simplefilter("ignore")
        backtest = sf.cross_validation(
            h=layout.h, df=frame, n_windows=layout.n_windows, step_size=layout.step
        )
        future = sf.forecast(h=horizon, df=frame)
    names = [alias(m) for m in models]
    return PoolRun(
        models=names,
        backtest=backtest.sort_values(["unique_id", "cutoff", "ds"], ignore_index=True),
        future=future.sort_values(KEYS, ignore_index=True),
    )


def _merge(base: PoolRun, extra: PoolRun) -> PoolRun:
    cols = extra.models
    return PoolRun(
        models=base.models + cols,
        backtest=base.backtest.merge(
            extra.backtest[["unique_id", "cutoff", "ds", *cols]],
            on=["unique_id", "cutoff", "ds"],
            how="left",
        ),
        future=base.future.merge(extra.future[[*KEYS, *cols]], on=KEYS, how="left"),
        seasonal=base.seasonal,
    )


def run_all(
    frame: pd.DataFrame,
    freq: Freq,
    alias_freq: str,
    horizon: int,
    layout: Layout,
    config: ForecastConfig,
    smooth_ids: pd.Index,
) -> PoolRun:
    """The base pool on every series, ETS on the smooth ones and the seasonal pool on those
    with two seasons before the first origin; a pool's columns are NaN where it did not run."""
    run = run_pool(frame, base_models(freq, config), alias_freq, horizon, layout, config)
    if len(smooth_ids):
        subset = frame[frame["unique_id"].isin(smooth_ids)]
        extra = run_pool(subset, smooth_models(), alias_freq, horizon, layout, config)
        run = _merge(run, extra)
    lengths = frame.groupby("unique_id")["y"].size()
    long_ids = lengths.index[lengths >= 2 * SEASON_LENGTH[freq] + layout.span]
    if len(long_ids):
        subset = frame[frame["unique_id"].isin(long_ids)]
        extra = run_pool(subset, seasonal_models(freq), alias_freq, horizon, layout, config)
        run = _merge(run, extra)
        run = PoolRun(run.models, run.backtest, run.future, seasonal=tuple(extra.models))
    return run
