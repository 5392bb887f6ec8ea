"""Input errors say what is wrong, where, and the fix."""

from __future__ import annotations

import pandas as pd
import pytest

from engines.forecasting import ForecastInputError, forecast, validate_frame


def _frame(**overrides: list[object]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        "unique_id": ["a", "a", "a", "b"],
        "ds": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-03-01"],
        "y": [1, 0, 2, 5],
    }
    data.update(overrides)
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (_frame().drop(columns="y"), r"missing column\(s\) y .*unique_id, ds, y"),
        (_frame(y=[1, "dos", 2, 5]), r"column y, row 1: 'dos' is not a finite number"),
        (_frame(y=[1, 0, -2, 5]), r"column y, row 2: -2 is negative .*net returns"),
        (_frame(y=[1, None, 2, 5]), r"column y is empty in row 1; write 0"),
        (
            _frame(ds=["2024-01-01", "2024-01-01", "2024-03-01", "2024-03-01"]),
            r"duplicate \(unique_id, ds\) = \(a, 2024-01-01\) in rows 0 and 1; sum them",
        ),
        (
            _frame(ds=["2024-01-01", "enero", "2024-03-01", "2024-03-01"]),
            r"column ds, row 1: cannot read 'enero' as a date",
        ),
        (
            _frame(ds=["2024-01-31", "2024-02-29", "2024-03-31", "2024-03-31"]),
            r"not the first day of a month.*to_period",
        ),
        (_frame().iloc[0:0], r"no rows"),
    ],
)
def test_bad_frames_are_refused_with_the_fix(frame: pd.DataFrame, match: str) -> None:
    with pytest.raises(ForecastInputError, match=match):
        validate_frame(frame, "MS")


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ForecastInputError, match="freq 'Q' is not supported"):
        forecast(_frame(), horizon=2, freq="Q")
    with pytest.raises(ForecastInputError, match="horizon"):
        forecast(_frame(), horizon=0, freq="MS")
    with pytest.raises(ForecastInputError, match="levels"):
        forecast(_frame(), horizon=2, freq="MS", levels=(90, 10))
    weekly = _frame(ds=["2024-01-01", "2024-01-08", "2024-01-14", "2024-01-14"])
    with pytest.raises(ForecastInputError, match="mixes weekdays"):
        validate_frame(weekly, "W")


def test_gaps_and_trailing_periods_become_zero_demand() -> None:
    clean = validate_frame(
        _frame(ds=["2024-01-01", "2024-03-01", "2024-04-01", "2024-02-01"]), "MS"
    )
    b = clean[clean["unique_id"] == "b"]
    assert b["ds"].dt.month.tolist() == [2, 3, 4] and b["y"].tolist() == [5.0, 0.0, 0.0]
    a = clean[clean["unique_id"] == "a"]
    assert a["y"].tolist() == [1.0, 0.0, 0.0, 2.0]
