"""One engine run on a seeded panel of every demand shape, shared by the behaviour tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import Naive

from engines.forecasting import ForecastConfig, ForecastResult, forecast
from engines.forecasting import synthetic as syn

MONTHS = 60  # five years: the seasonal pool runs (two seasons before the first origin)
HORIZON = 12


def shared_data() -> Path:
    configured = os.environ.get("TOPLLANTAS_SHARED_DIR")
    base = Path(configured) if configured else Path(__file__).resolve().parents[3] / ".." / "shared"
    return base / "data"


class Fragile(Naive):  # type: ignore[misc]
    """Raises on one series (statsforecast's fallback replaces it) and returns NaN on another
    (the engine then puts that series on its own fallback)."""

    def __init__(self) -> None:
        super().__init__(alias="Fragile")

    def forecast(self, y: Any, h: int, *args: Any, **kwargs: Any) -> Any:
        if y.max() == 777:
            raise RuntimeError("this model cannot fit this series")
        out = super().forecast(y, h, *args, **kwargs)
        if y.max() == 555:
            out["mean"] = np.full(h, np.nan)
        return out


def _marked(uid: str, peak: float, seed: int) -> pd.DataFrame:
    frame = syn.intermittent(
        uid, MONTHS, freq="MS", rate=0.5, size=2, seed=seed, start="2020-01-01"
    )
    frame.loc[10, "y"] = peak  # one unmistakable value the fragile model reacts to
    return frame


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    frames = [
        syn.intermittent(f"int{i}", MONTHS, freq="MS", rate=0.3, size=3, seed=i, start="2020-01-01")
        for i in range(4)
    ]
    frames += [
        syn.seasonal(f"dec{i}", MONTHS, level=30, amplitude=0.6, seed=10 + i, start="2020-01-01")
        for i in range(2)
    ]
    frames.append(
        syn.seasonal(
            "trend", MONTHS, level=20, amplitude=0.0, trend=0.03, seed=20, start="2020-01-01"
        )
    )
    frames.append(
        pd.DataFrame(
            {
                "unique_id": "zeros",
                "ds": pd.date_range("2020-01-01", periods=MONTHS, freq="MS"),
                "y": 0.0,
            }
        )
    )
    # a new product: five months of sales before the forecast origin
    frames.append(
        syn.intermittent("new", 5, freq="MS", rate=0.9, size=4, seed=30, start="2024-08-01")
    )
    frames += [_marked("raises", 777, 40), _marked("nan", 555, 41)]
    return syn.panel(*frames)


@pytest.fixture(scope="session")
def result(panel: pd.DataFrame) -> ForecastResult:
    config = ForecastConfig(extra_models=(Fragile(),))
    return forecast(panel, horizon=HORIZON, freq="MS", config=config)
