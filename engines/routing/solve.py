"""solve(): the one entry point. A backend proposes routes; our checker schedules and judges them."""

from __future__ import annotations

from typing import Literal

from engines.routing.checker import evaluate
from engines.routing.model import Problem
from engines.routing.plan import RoutePlan

Backend = Literal["pyvrp", "ortools"]
BACKENDS: tuple[Backend, ...] = ("pyvrp", "ortools")


def solve(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    backend: Backend = "pyvrp",
    max_iterations: int | None = None,
) -> RoutePlan:
    """Plan routes within ``time_limit_s`` seconds; ``seed`` drives PyVRP's search.

    ``max_iterations`` adds a machine-independent budget: with it, the same seed gives the same
    plan however fast the machine is (a time limit alone stops at a different iteration each run).
    The returned plan's times, costs and ``feasible`` flag come from our own checker.
    """
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s: must be positive, got {time_limit_s}")
    if not problem.clients:
        return evaluate(problem, [], backend=backend)
    if backend == "pyvrp":
        from engines.routing._pyvrp_backend import solve_pyvrp

        routes = solve_pyvrp(
            problem, time_limit_s=time_limit_s, seed=seed, max_iterations=max_iterations
        )
    elif backend == "ortools":
        from engines.routing._ortools_backend import solve_ortools

        routes = solve_ortools(
            problem, time_limit_s=time_limit_s, seed=seed, max_iterations=max_iterations
        )
    else:
        raise ValueError(f"backend: must be one of {', '.join(BACKENDS)}, got {backend!r}")
    return evaluate(problem, routes, backend=backend)
