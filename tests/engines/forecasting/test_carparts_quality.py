"""A slice of the carparts benchmark: the engine beats ADIDA and its 80 % interval is honest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engines.forecasting import forecast
from tests.engines.forecasting.conftest import shared_data

CARPARTS = shared_data() / "carparts"
HORIZON = 12


@pytest.mark.skipif(
    not (CARPARTS / "carparts_wide.csv").exists(), reason=f"carparts data not at {CARPARTS}"
)
def test_engine_beats_adida_on_a_carparts_slice() -> None:
    from statsforecast import StatsForecast
    from statsforecast.models import ADIDA

    from bench.forecast_carparts import load, metrics

    frame = load(CARPARTS)
    ids = sorted(frame["unique_id"].unique())[::5]  # every fifth series: 210 of 1046
    frame = frame[frame["unique_id"].isin(ids)]
    cutoff = np.sort(frame["ds"].unique())[-HORIZON]
    train, test = frame[frame["ds"] < cutoff], frame[frame["ds"] >= cutoff]
    ours = metrics(train, test, forecast(train, horizon=HORIZON, freq="MS").forecasts)
    adida = StatsForecast(models=[ADIDA()], freq="MS").forecast(h=HORIZON, df=train)
    adida = adida.rename(columns={"ADIDA": "mean"}).assign(
        p10=0.0, p50=lambda f: f["mean"], p90=0.0
    )
    base = metrics(train, test, pd.DataFrame(adida))
    assert ours["RMSSE"] < base["RMSSE"], (ours["RMSSE"], base["RMSSE"])
    assert 0.72 <= ours["cov80"] <= 0.88, ours["cov80"]
