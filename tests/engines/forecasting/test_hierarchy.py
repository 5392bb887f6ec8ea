"""Aggregates: means add up exactly; aggregate quantiles come from aggregate residuals."""

from __future__ import annotations

import numpy as np
import pytest

from engines.forecasting import ForecastInputError, ForecastResult
from engines.forecasting.hierarchy import aggregate


def _mapping(result: ForecastResult) -> dict[str, dict[str, str]]:
    ids = sorted(result.forecasts["unique_id"].unique())
    return {
        uid: {"brand": "Michelin" if i % 2 else "Pirelli", "branch": "GDL" if i < 6 else "MTY"}
        for i, uid in enumerate(ids)
    }


def test_aggregate_means_equal_the_sum_of_the_bottom(result: ForecastResult) -> None:
    mapping = _mapping(result)
    levels = aggregate(result, mapping)
    assert set(levels) == {"brand", "branch", "total"}
    fc = result.forecasts
    for level, frame in levels.items():
        keys = fc["unique_id"].map(lambda u, lv=level: "total" if lv == "total" else mapping[u][lv])
        expected = fc.assign(key=keys).groupby(["key", "ds"])["mean"].sum()
        got = frame.set_index(["unique_id", "ds"])["mean"]
        assert np.allclose(got.sort_index().to_numpy(), expected.sort_index().to_numpy())
        assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
        assert (frame["p10"] >= 0).all()


def test_total_interval_is_narrower_than_summed_quantiles(result: ForecastResult) -> None:
    # independent series do not all peak together: summing p90s would overstate the total
    total = aggregate(result, _mapping(result))["total"]
    fc = result.forecasts.groupby("ds")[["p10", "p90"]].sum()
    width_sum = (fc["p90"] - fc["p10"]).to_numpy()
    width_total = (total["p90"] - total["p10"]).to_numpy()
    assert (width_total < width_sum).all()


def test_mapping_must_cover_every_series(result: ForecastResult) -> None:
    mapping = _mapping(result)
    mapping.pop(sorted(mapping)[0])
    with pytest.raises(ForecastInputError, match="no group keys"):
        aggregate(result, mapping)
    partial = _mapping(result)
    partial[sorted(partial)[1]] = {"brand": "X"}
    with pytest.raises(ForecastInputError, match="lacks some of the levels"):
        aggregate(result, partial)
