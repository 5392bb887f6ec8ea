"""topllantas routes: solve VRPTW instances and plan delivery days (engines/routing)."""

from __future__ import annotations

import typer

routes_app = typer.Typer(
    no_args_is_help=True, help="Delivery routing (engines/routing).", add_completion=False
)
