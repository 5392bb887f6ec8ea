"""Input checks for long demand frames: each error names the column, the row and the fix."""

from __future__ import annotations

from typing import Any, Literal, get_args

import pandas as pd

Freq = Literal["W", "MS", "D"]
FREQS: tuple[str, ...] = get_args(Freq)
REQUIRED = ("unique_id", "ds", "y")
SEASON_LENGTH: dict[str, int] = {"W": 52, "MS": 12, "D": 7}
# one year back in periods; 364 days keeps weekdays aligned for daily data
YEAR_LAG: dict[str, int] = {"W": 52, "MS": 12, "D": 364}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


class ForecastInputError(ValueError):
    """The demand frame or an argument cannot be forecast as given; the message says the fix."""


def check_freq(freq: str) -> Freq:
    if freq not in FREQS:
        raise ForecastInputError(
            f"freq {freq!r} is not supported; use W (weekly), MS (monthly, month-start dates) "
            "or D (daily)"
        )
    return freq  # type: ignore[return-value]


def pandas_freq(freq: Freq, ds: pd.Series) -> str:
    """The pandas offset alias for the data: weekly data keeps the weekday it was written on."""
    if freq == "W":
        return f"W-{_WEEKDAYS[int(ds.iloc[0].weekday())]}"
    return freq


def _row(frame: pd.DataFrame, mask: Any) -> Any:
    return frame.index[mask.to_numpy()][0]


def validate_frame(frame: Any, freq: str) -> pd.DataFrame:
    """Check a long frame and return it clean: typed, sorted, gaps and trailing periods as 0.

    Sales exports omit periods without sales, so missing periods between a series' first
    date and the panel's last date are demand 0 (every series then ends at the same origin).
    """
    freq = check_freq(freq)
    if not isinstance(frame, pd.DataFrame):
        raise ForecastInputError(
            f"expected a pandas DataFrame with columns {', '.join(REQUIRED)}, got "
            f"{type(frame).__name__}"
        )
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ForecastInputError(
            f"missing column(s) {', '.join(missing)} (found: {', '.join(map(str, frame.columns))});"
            " the frame needs unique_id, ds, y — one row per series and period"
        )
    if frame.empty:
        raise ForecastInputError("the frame has no rows; give at least one period of demand")
    df = frame[list(REQUIRED)].copy()
    if df["unique_id"].isna().any():
        row = _row(df, df["unique_id"].isna())
        raise ForecastInputError(f"column unique_id is empty in row {row}; name every series")
    df["unique_id"] = df["unique_id"].astype(str)
    df["ds"] = _parse_dates(df, freq)
    df["y"] = _parse_demand(df)
    dup = df.duplicated(["unique_id", "ds"], keep=False)
    if dup.any():
        rows = df.index[dup.to_numpy()][:2].tolist()
        first = df.loc[rows[0]]
        raise ForecastInputError(
            f"duplicate (unique_id, ds) = ({first['unique_id']}, {first['ds'].date()}) in rows "
            f"{rows[0]} and {rows[1]}; sum them first, e.g. "
            "frame.groupby(['unique_id', 'ds'], as_index=False)['y'].sum()"
        )
    return _fill_gaps(df, pandas_freq(freq, df["ds"]))


def _parse_dates(df: pd.DataFrame, freq: Freq) -> pd.Series:
    raw = df["ds"]
    ds = pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = ds.isna()
    if bad.any():
        row = _row(df, bad)
        raise ForecastInputError(
            f"column ds, row {row}: cannot read {raw.loc[row]!r} as a date; "
            "write ISO dates such as 2024-01-01"
        )
    if getattr(ds.dt, "tz", None) is not None:
        ds = ds.dt.tz_localize(None)
    timed = ds != ds.dt.normalize()
    if timed.any():
        row = _row(df, timed)
        raise ForecastInputError(
            f"column ds, row {row}: {raw.loc[row]!r} has a time of day; give one date per "
            "period (sum the period's demand under its first day)"
        )
    if freq == "MS" and (ds.dt.day != 1).any():
        row = _row(df, ds.dt.day != 1)
        raise ForecastInputError(
            f"column ds, row {row}: {ds.loc[row].date()} is not the first day of a month, which "
            "freq MS needs; use month starts, e.g. ds.dt.to_period('M').dt.to_timestamp()"
        )
    if freq == "W" and ds.dt.weekday.nunique() > 1:
        days = sorted({_WEEKDAYS[d] for d in ds.dt.weekday.unique()})
        raise ForecastInputError(
            f"column ds mixes weekdays ({', '.join(days)}), but freq W needs one date per week "
            "on the same weekday; use week starts, e.g. ds.dt.to_period('W-SUN').dt.start_time"
        )
    return ds


def _parse_demand(df: pd.DataFrame) -> pd.Series:
    raw = df["y"]
    y = pd.to_numeric(raw, errors="coerce")
    empty = raw.isna()
    if empty.any():
        row = _row(df, empty)
        raise ForecastInputError(
            f"column y is empty in row {row}; write 0 for periods without demand or drop the row"
        )
    bad = y.isna() | ~y.astype(float).abs().lt(float("inf"))
    if bad.any():
        row = _row(df, bad)
        raise ForecastInputError(
            f"column y, row {row}: {raw.loc[row]!r} is not a finite number; y is the quantity "
            "demanded in the period (e.g. 3)"
        )
    negative = y < 0
    if negative.any():
        row = _row(df, negative)
        raise ForecastInputError(
            f"column y, row {row}: {y.loc[row]:g} is negative (unique_id {df.loc[row, 'unique_id']});"
            " demand cannot be negative — net returns out of sales or clip at 0 before forecasting"
        )
    return y.astype(float)


def _fill_gaps(df: pd.DataFrame, alias: str) -> pd.DataFrame:
    end = df["ds"].max()
    starts = df.groupby("unique_id", sort=True)["ds"].min()
    pieces = [
        pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, end, freq=alias)})
        for uid, start in starts.items()
    ]
    grid = pd.concat(pieces, ignore_index=True)
    full = grid.merge(df, on=["unique_id", "ds"], how="left")
    if full["y"].isna().sum() + len(df) != len(full):
        raise ForecastInputError(
            f"column ds has dates off the {alias} calendar (e.g. two weeks apart by a few days); "
            "write one date per period on the same calendar"
        )
    full["y"] = full["y"].fillna(0.0)
    return full.sort_values(["unique_id", "ds"], ignore_index=True)
