"""Choose or combine the candidate models per series from their rolling-origin backtest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression  # type: ignore[import-untyped]

from engines.forecasting.backtest import PoolRun

Strategy = Literal["stack", "select", "mean"]
STRATEGIES: tuple[Strategy, ...] = ("stack", "select", "mean")
# Syntetos-Boylan cut-off on the average demand interval
INTERMITTENT_ADI = 1.32


@dataclass(frozen=True)
class Combination:
    """The winning strategy per group, the forecasts (future and backtest) and what each series uses."""

    strategy: dict[str, str]  # group -> the strategy it uses
    scores: dict[str, dict[str, float]]  # group -> strategy -> held-out backtest RMSSE
    future: pd.DataFrame  # unique_id, ds, forecast
    backtest: pd.DataFrame  # unique_id, cutoff, ds, y, forecast
    chosen: pd.Series  # unique_id -> model name or "stack"/"mean"
    weights: pd.DataFrame  # group, model, weight (stack and mean only)


def series_profile(history: pd.DataFrame) -> pd.DataFrame:
    """Per series: squared-error scale (M5: in-sample one-step naive) and demand group."""
    rows = []
    for uid, y in history.groupby("unique_id", sort=True)["y"]:
        v = y.to_numpy(dtype=float)
        scale = float(np.mean(np.diff(v) ** 2)) if len(v) > 1 else 0.0
        if scale <= 0:  # a constant series: scale by its level, or 1 when all zeros
            scale = float(np.mean(v**2)) or 1.0
        nonzero = int(np.count_nonzero(v))
        adi = len(v) / nonzero if nonzero else np.inf
        rows.append((uid, scale, "intermittent" if adi >= INTERMITTENT_ADI else "smooth"))
    return pd.DataFrame(rows, columns=["unique_id", "scale", "demand_class"]).set_index("unique_id")


def _groups(run: PoolRun, profile: pd.DataFrame) -> pd.Series:
    """Group = demand class, split by whether the seasonal pool ran on the series."""
    group = profile["demand_class"].copy()
    if run.seasonal:
        seasonal = run.future.groupby("unique_id")[run.seasonal[0]].apply(lambda c: c.notna().all())
        group = group + np.where(seasonal.reindex(profile.index, fill_value=False), "+seasonal", "")
    return group


def _columns(frame: pd.DataFrame, models: list[str]) -> list[str]:
    return [m for m in models if frame[m].notna().any()]


def _fit_weights(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], n: int, shrink: float) -> Any:
    k = x.shape[1]
    equal = np.full(k, 1.0 / k)
    if len(y) < k:
        return equal
    # non-negative weights without intercept: a convex-like blend that may sum below or above
    # one when the backtest shows the pool systematically over- or under-forecasts
    coef = LinearRegression(positive=True, fit_intercept=False).fit(x, y).coef_
    lam = n / (n + shrink)  # few series → trust equal weights more than a noisy fit
    return lam * coef + (1 - lam) * equal


def _scaled(frame: pd.DataFrame, cols: list[str], profile: pd.DataFrame) -> Any:
    w = 1.0 / np.sqrt(profile["scale"].reindex(frame["unique_id"]).to_numpy())
    return frame[cols].to_numpy(dtype=float) * w[:, None], frame["y"].to_numpy(dtype=float) * w


def _score(errors: pd.DataFrame, profile: pd.DataFrame) -> float:
    """Mean over series of the root of the scaled mean squared error (RMSSE)."""
    mse = errors.groupby("unique_id")["se"].mean()
    ok = mse.notna()
    return float(np.sqrt(mse[ok] / profile["scale"].reindex(mse.index[ok])).mean())


class _Fitted:
    """One strategy fitted on some backtest windows, applicable to any frame of forecasts."""

    def __init__(
        self,
        strategy: Strategy,
        train: pd.DataFrame,
        models: list[str],
        groups: pd.Series,
        profile: pd.DataFrame,
        shrink: float,
    ) -> None:
        self.strategy, self.groups = strategy, groups
        self.weights: dict[str, tuple[list[str], Any]] = {}
        self.choice: dict[str, str] = {}
        g_of = train["unique_id"].map(groups)
        for group in sorted(groups.unique()):
            rows = train[g_of.to_numpy() == group]
            cols = _columns(rows, models)
            if strategy == "select":
                continue
            fit = rows[np.isfinite(rows[cols].to_numpy(dtype=float)).all(axis=1)]
            if strategy == "mean":
                self.weights[group] = (cols, np.full(len(cols), 1.0 / len(cols)))
                continue
            x, y = _scaled(fit, cols, profile)
            n = fit["unique_id"].nunique()
            self.weights[group] = (cols, _fit_weights(x, y, n, shrink))
        if strategy == "select":
            cols = _columns(train, models)
            sq = train[cols].sub(train["y"], axis=0) ** 2
            mse = sq.groupby(train["unique_id"].to_numpy()).mean()
            # a model with no finite backtest for a series can never be its choice
            best = mse.fillna(np.inf).to_numpy().argmin(axis=1)
            self.choice = {str(u): cols[i] for u, i in zip(mse.index, best, strict=True)}

    def apply(self, frame: pd.DataFrame) -> np.ndarray[Any, Any]:
        out = np.full(len(frame), np.nan)
        uid = frame["unique_id"].to_numpy()
        if self.strategy == "select":
            chosen = pd.Series(uid).map(self.choice).to_numpy()
            for model in set(self.choice.values()):
                rows = chosen == model
                out[rows] = frame.loc[rows, model].to_numpy(dtype=float)
            return out
        g_of = frame["unique_id"].map(self.groups).to_numpy()
        for group, (cols, w) in self.weights.items():
            rows = g_of == group
            # a NaN candidate makes the series' combination NaN: the engine then falls back
            out[rows] = frame.loc[rows, cols].to_numpy(dtype=float) @ w
        return out


def combine(
    run: PoolRun,
    profile: pd.DataFrame,
    shrink: float,
    strategies: tuple[str, ...] = STRATEGIES,
) -> Combination:
    """Per group of series, pick the strategy with the best leave-one-origin-out backtest
    score; refit every strategy on all windows and give each series its group's pick."""
    groups = _groups(run, profile)
    bt = run.backtest
    cutoffs = np.sort(bt["cutoff"].unique())
    allowed: list[Strategy] = [s for s in STRATEGIES if s in strategies] or ["stack"]
    scores: dict[str, dict[str, float]] = {}
    if len(cutoffs) > 1:
        # leave one origin out: fit each strategy on the other windows, score the held one;
        # averaging over every origin keeps a lucky window from deciding
        for s in allowed:
            errors = []
            for cut in cutoffs:
                train, held = bt[bt["cutoff"] != cut], bt[bt["cutoff"] == cut]
                f = _Fitted(s, train, run.models, groups, profile, shrink).apply(held)
                errors.append(held[["unique_id"]].assign(se=(held["y"].to_numpy() - f) ** 2))
            se = pd.concat(errors)
            g_of = se["unique_id"].map(groups)
            for group in sorted(groups.unique()):
                scores.setdefault(group, {})[s] = _score(se[g_of == group], profile)
    picks: dict[str, Strategy] = {}
    for group in sorted(groups.unique()):
        finite = {k: v for k, v in scores.get(group, {}).items() if np.isfinite(v)}
        picks[group] = min(
            (s for s in allowed if s in finite), key=finite.__getitem__, default=allowed[0]
        )
    fits = {s: _Fitted(s, bt, run.models, groups, profile, shrink) for s in set(picks.values())}
    series_pick = groups.map(picks)

    def apply(frame: pd.DataFrame) -> np.ndarray[Any, Any]:
        out = np.full(len(frame), np.nan)
        pick = frame["unique_id"].map(series_pick).to_numpy()
        for s, fitted in fits.items():
            rows = pick == s
            out[rows] = fitted.apply(frame.loc[rows])
        return out

    future = run.future[["unique_id", "ds"]].assign(forecast=apply(run.future))
    backtest = bt[["unique_id", "cutoff", "ds", "y"]].assign(forecast=apply(bt))
    choice = fits["select"].choice if "select" in fits else {}
    chosen = pd.Series(
        [choice[u] if series_pick[u] == "select" else series_pick[u] for u in profile.index],
        index=profile.index,
        name="model",
    )
    weights = pd.DataFrame(
        [
            (g, m, float(w))
            for s, fitted in fits.items()
            for g, (cols, ws) in fitted.weights.items()
            if picks[g] == s
            for m, w in zip(cols, ws, strict=True)
        ],
        columns=["group", "model", "weight"],
    )
    return Combination(
        {g: str(s) for g, s in picks.items()}, scores, future, backtest, chosen, weights
    )
