"""Candidate model pools per frequency: intermittent and smooth methods, seasonal ones when history allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoETS,
    CrostonOptimized,
    HistoricAverage,
    Naive,
    SeasonalNaive,
    SeasonalWindowAverage,
    SimpleExponentialSmoothingOptimized,
    WindowAverage,
)

from engines.forecasting.validation import SEASON_LENGTH, Freq

# recent-mean windows of about a month, a quarter and half a year (a year for monthly data)
_WINDOWS: dict[str, tuple[int, ...]] = {"W": (4, 13, 26), "MS": (3, 6, 12), "D": (7, 28, 91)}
# statsforecast's ETS supports seasonal periods up to 24; weekly seasonality goes to the
# seasonal naive / window-average models instead
_MAX_ETS_SEASON = 24


@dataclass(frozen=True)
class ForecastConfig:
    """Knobs of the engine; the defaults are what the benchmark runs (nothing tuned per data set).

    ``extra_models`` are statsforecast-compatible models added to the base pool (tests use it
    to inject a model that fails).
    """

    n_windows: int = 4  # rolling origins of the backtest
    min_history: int = 8  # periods before the first backtest origin; shorter series fall back
    shrink_series: float = 10.0  # stacking weights lean to equal weights with few series
    n_jobs: int = 0  # 0: one process below 300 series, every core above
    strategies: tuple[str, ...] = ("stack", "select", "mean")  # those the backtest may pick
    extra_models: tuple[Any, ...] = field(default_factory=tuple)


def base_models(freq: Freq, config: ForecastConfig) -> list[Any]:
    """Methods for every series: intermittent (ADIDA, IMAPA, TSB, Croston) and smooth ones."""
    models: list[Any] = [
        ADIDA(),
        IMAPA(),
        TSB(alpha_d=0.1, alpha_p=0.1),
        CrostonOptimized(),
        SimpleExponentialSmoothingOptimized(alias="SES"),
        Naive(),
        HistoricAverage(alias="Mean"),
    ]
    models += [WindowAverage(window_size=k, alias=f"Avg{k}") for k in _WINDOWS[freq]]
    return models + list(config.extra_models)


def smooth_models() -> list[Any]:
    """Methods for smooth series only: ETS costs ten times the rest and adds little on sparse
    demand, where a level-only model is what every intermittent method already is."""
    return [AutoETS(season_length=1, alias="ETS")]


def seasonal_models(freq: Freq) -> list[Any]:
    """Methods for series with at least two seasons of history before the first origin."""
    season = SEASON_LENGTH[freq]
    models: list[Any] = [
        SeasonalNaive(season_length=season),
        SeasonalWindowAverage(season_length=season, window_size=2, alias="SeasonalAvg"),
    ]
    if season <= _MAX_ETS_SEASON:
        models.append(AutoETS(season_length=season, alias="SeasonalETS"))
    return models


def fallback_model() -> Any:
    """What statsforecast uses in place of a model that raises on a series."""
    return HistoricAverage()


def alias(model: Any) -> str:
    return str(getattr(model, "alias", type(model).__name__))
