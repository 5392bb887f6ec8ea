"""topllantas forecast: demand forecasts from a long CSV (the engine behind the nightly job)."""

from __future__ import annotations

import typer

forecast_app = typer.Typer(
    no_args_is_help=True, help="Demand forecasting (engines/forecasting).", add_completion=False
)
