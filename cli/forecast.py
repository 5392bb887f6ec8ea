"""topllantas forecast: demand forecasts from a long CSV (the engine behind the nightly job)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

forecast_app = typer.Typer(
    no_args_is_help=True, help="Demand forecasting (engines/forecasting).", add_completion=False
)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@forecast_app.command("run")
def run(
    input_path: Annotated[
        Path, typer.Option("--input", help="CSV with columns unique_id,ds,y (one row per period)")
    ],
    horizon: Annotated[int, typer.Option(help="Periods ahead to forecast")],
    freq: Annotated[str, typer.Option(help="W (weekly), MS (monthly, month starts) or D (daily)")],
    output: Annotated[Path, typer.Option(help="CSV to write: unique_id,ds,mean,p10,p50,p90")],
) -> None:
    """Forecast every series of a CSV; errors name the CSV line (the header is line 1)."""
    import pandas as pd  # the engine loads only when a forecast runs

    from engines.forecasting import ForecastInputError, forecast

    if horizon < 1:
        _fail(f"--horizon must be ≥ 1, got {horizon}")
    try:
        frame = pd.read_csv(input_path, dtype={"unique_id": str, "ds": str})
    except FileNotFoundError:
        _fail(f"no file {input_path}")
        return
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        _fail(f"{input_path} is not a readable CSV ({str(exc).splitlines()[0]})")
        return
    frame.index = frame.index + 2  # so "row N" in messages is line N of the file
    started = time.perf_counter()
    try:
        result = forecast(frame, horizon=horizon, freq=freq)
    except ForecastInputError as exc:
        _fail(f"{input_path}: {exc}")
        return
    out = result.forecasts[["unique_id", "ds", "mean", "p10", "p50", "p90"]].copy()
    out["ds"] = out["ds"].dt.strftime("%Y-%m-%d")
    output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(output, index=False, float_format="%.4f")
    fallback = int(result.models["model"].str.startswith("fallback").sum())
    picks = ", ".join(f"{group}: {pick}" for group, pick in result.strategy.items()) or "none"
    typer.echo(
        f"{len(result.models)} series, {horizon} periods ({picks}; {fallback} on the fallback)"
        f" → {output} in {time.perf_counter() - started:.1f} s."
    )
