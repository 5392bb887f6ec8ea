"""topllantas routes: solve VRPTW instances and plan delivery days (engines/routing)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

routes_app = typer.Typer(
    no_args_is_help=True, help="Delivery routing (engines/routing).", add_completion=False
)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@routes_app.command("solve")
def solve_instance(
    instance: Annotated[Path, typer.Option(help="A Solomon (.txt) or VRPLIB (.vrp) instance file")],
    fmt: Annotated[str, typer.Option("--format", help="solomon or vrplib")] = "solomon",
    seconds: Annotated[float, typer.Option(help="Time limit for the solver, in seconds")] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed for PyVRP's search")] = 1,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="PyVRP seeds side by side in processes, best plan kept (default: the "
            "machine's cores, up to 4)",
        ),
    ] = None,
    backend: Annotated[str, typer.Option(help="pyvrp (default) or ortools")] = "pyvrp",
    as_json: Annotated[
        bool,
        typer.Option("--json", help='JSON: {"distance", "vehicles", "routes", "feasible"}'),
    ] = False,
) -> None:
    """Solve a benchmark instance with the routing engine; routes list clients as the file numbers them."""
    from engines.routing import BACKENDS, check_plan, read_instance, solve

    if fmt not in ("solomon", "vrplib"):
        _fail(f"--format must be solomon or vrplib, got {fmt!r}")
    if backend not in BACKENDS:
        _fail(f"--backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if seconds <= 0:
        _fail(f"--seconds must be positive, got {seconds:g}")
    try:
        problem = read_instance(instance, fmt).problem
    except ValueError as exc:  # InstanceFormatError and the builder's ProblemError
        _fail(str(exc).replace("\n", " "))
        return
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    plan = solve(problem, time_limit_s=seconds, seed=seed, backend=backend, workers=workers)  # type: ignore[arg-type]
    feasible = plan.feasible and not check_plan(problem, plan)
    routes = [[int(cid) for cid in route.client_ids] for route in plan.routes]
    if as_json:
        payload = {
            "distance": round(plan.distance, 6),
            "vehicles": plan.vehicles,
            "routes": routes,
            "feasible": feasible,
        }
        typer.echo(json.dumps(payload))
        return
    for number, route in enumerate(routes, start=1):
        typer.echo(f"Route #{number}: {' '.join(map(str, route))}")
    typer.echo(f"Distance {plan.distance:g}, {plan.vehicles} vehicles, feasible: {feasible}")
    for violation in plan.violations[:10]:
        typer.echo(
            f"  violation: {violation.kind.value} {violation.client or ''} {violation.detail}"
        )


@routes_app.command("plan")
def plan_routes(
    date_: Annotated[str, typer.Option("--date", help="The delivery day, YYYY-MM-DD")],
    branch: Annotated[
        str | None, typer.Option(help="A branch code (CDMX, GDL, MTY); all if omitted")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for PyVRP's search")] = 1,
) -> None:
    """Plan (or re-plan) a day's delivery routes; trucks already on the road keep their load."""
    from datetime import date

    from core.errors import NotFound
    from core.settings import get_settings
    from db.delivery_planning import plan_day
    from db.engine import make_engine
    from db.migrate import upgrade

    try:
        day = date.fromisoformat(date_)
    except ValueError:
        _fail(f"--date must look like 2026-11-30, got {date_!r}")
        return
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    try:
        outcomes = plan_day(engine, day, branch=branch, settings=settings, seed=seed)
    except NotFound as exc:
        _fail(str(exc))
        return
    finally:
        engine.dispose()
    for o in outcomes:
        typer.echo(
            f"{o.branch} {o.day}: {o.routes} routes, {o.deliveries} deliveries, {o.km:.1f} km, "
            f"{o.hours:.1f} h, ${o.cost_cents / 100:,.2f}, {o.late_stops} late stops"
            + (f", {o.kept_routes} on the road re-sequenced" if o.kept_routes else "")
        )
        for line in o.unplanned:
            typer.echo(f"  not planned: {line}")
