"""The engine on seeded synthetic series: shapes, fallbacks, quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engines.forecasting import ForecastConfig, ForecastResult, forecast
from engines.forecasting import synthetic as syn
from engines.forecasting.engine import FALLBACK
from tests.engines.forecasting.conftest import HORIZON, Fragile


def _series(result: ForecastResult, uid: str) -> pd.DataFrame:
    return result.forecasts[result.forecasts["unique_id"] == uid].reset_index(drop=True)


def test_every_series_gets_the_horizon_after_the_last_date(
    panel: pd.DataFrame, result: ForecastResult
) -> None:
    fc = result.forecasts
    assert sorted(fc["unique_id"].unique()) == sorted(panel["unique_id"].unique())
    assert (fc.groupby("unique_id").size() == HORIZON).all()
    assert fc["ds"].min() == panel["ds"].max() + pd.offsets.MonthBegin(1)
    assert list(fc.columns) == ["unique_id", "ds", "mean", "p10", "p50", "p90"]
    assert np.isfinite(fc[["mean", "p10", "p50", "p90"]].to_numpy()).all()


def test_quantiles_are_ordered_and_never_negative(result: ForecastResult) -> None:
    fc = result.forecasts
    assert (fc["p10"] >= 0).all()
    assert (fc["p10"] <= fc["p50"]).all() and (fc["p50"] <= fc["p90"]).all()
    assert (fc["mean"] >= 0).all()
    # the intervals are not degenerate where there is demand
    assert (_series(result, "int0")["p90"] > _series(result, "int0")["p10"]).all()


def test_too_short_series_falls_back_to_its_mean(
    panel: pd.DataFrame, result: ForecastResult
) -> None:
    chosen = result.models.set_index("unique_id")["model"]
    assert chosen["new"] == FALLBACK
    history = panel.loc[panel["unique_id"] == "new", "y"]
    assert np.allclose(_series(result, "new")["mean"], history.mean())
    assert (chosen.drop(["new", "nan"]) != FALLBACK).all()


def test_a_failing_model_never_reaches_the_forecast(result: ForecastResult) -> None:
    chosen = result.models.set_index("unique_id")["model"]
    # raised: statsforecast swapped in its fallback model, the series kept the engine
    assert chosen["raises"] != FALLBACK
    # NaN: per-series selection avoids the model; a blend that needs it falls back
    assert chosen["nan"] not in ("Fragile", "stack", "mean")
    assert np.isfinite(_series(result, "nan")[["mean", "p10", "p90"]].to_numpy()).all()


def test_a_series_whose_blend_fails_falls_back(panel: pd.DataFrame) -> None:
    small = panel[panel["unique_id"].isin(["int0", "int1", "nan"])]
    config = ForecastConfig(extra_models=(Fragile(),), strategies=("stack",))
    result = forecast(small, horizon=3, freq="MS", config=config)
    chosen = result.models.set_index("unique_id")["model"]
    assert chosen["nan"] == FALLBACK
    assert chosen["int0"] == "stack" and chosen["int1"] == "stack"
    history = small.loc[small["unique_id"] == "nan", "y"]
    assert np.allclose(_series(result, "nan")["mean"], history.mean())


def test_all_zero_series_forecasts_zero(result: ForecastResult) -> None:
    zeros = _series(result, "zeros")
    assert (zeros[["mean", "p10", "p50", "p90"]].to_numpy() == 0).all()


def test_seasonal_series_keep_their_december_peak(result: ForecastResult) -> None:
    for uid in ("dec0", "dec1"):
        fc = _series(result, uid).set_index("ds")["mean"]
        december = fc[fc.index.month == 12].mean()
        june = fc[fc.index.month == 6].mean()
        assert december > 1.5 * june, (uid, december, june)


def test_trending_series_forecast_above_last_year(
    panel: pd.DataFrame, result: ForecastResult
) -> None:
    last_year = panel.loc[panel["unique_id"] == "trend", "y"].tail(12).mean()
    assert _series(result, "trend")["mean"].mean() > 1.1 * last_year


def test_intermittent_forecast_near_the_true_rate(result: ForecastResult) -> None:
    # rate 0.3 × mean size 3 = 0.9 units a month
    means = [_series(result, f"int{i}")["mean"].mean() for i in range(4)]
    assert 0.5 < float(np.mean(means)) < 1.3, means


def test_model_choice_and_backtest_are_reported(result: ForecastResult) -> None:
    assert set(result.strategy) == set(result.scores)
    for group, pick in result.strategy.items():
        assert set(result.scores[group]) == {"stack", "select", "mean"}
        assert result.scores[group][pick] == min(result.scores[group].values())
    assert set(result.models["demand_class"]) <= {"intermittent", "smooth"}
    assert not result.backtest.empty and result.backtest["cutoff"].nunique() == 4


def test_same_input_same_forecast() -> None:
    frame = syn.panel(
        *(syn.intermittent(f"s{i}", 40, freq="MS", seed=i, start="2021-01-01") for i in range(3))
    )
    first = forecast(frame, horizon=3, freq="MS", seed=1).forecasts
    again = forecast(frame.sample(frac=1.0, random_state=3), horizon=3, freq="MS", seed=1).forecasts
    pd.testing.assert_frame_equal(first, again)
