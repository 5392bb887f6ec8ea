"""solve(): the one entry point. A backend proposes routes; our checker schedules and judges them."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
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
    workers: int = 1,
) -> RoutePlan:
    """Plan routes within ``time_limit_s`` seconds; ``seed`` drives PyVRP's search.

    ``max_iterations`` adds a machine-independent budget: with it, the same seed gives the same
    plan however fast the machine is (a time limit alone stops at a different iteration each run).
    ``workers`` > 1 runs PyVRP with seeds ``seed, seed + 1, …`` in that many processes within
    the same wall-clock limit and keeps the best plan: hybrid genetic search is single-threaded
    and its result varies with the seed, so on an idle second core a second seed is the
    cheapest insurance against an unlucky run. The returned plan's times, costs and
    ``feasible`` flag come from our own checker.
    """
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s: must be positive, got {time_limit_s}")
    if workers < 1:
        raise ValueError(f"workers: must be at least 1, got {workers}")
    if not problem.clients:
        return evaluate(problem, [], backend=backend)
    if backend == "pyvrp" and workers > 1:
        return _best_of_seeds(problem, time_limit_s, seed, max_iterations, workers)
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


def _pyvrp_until(
    problem: Problem, deadline: float, seed: int, max_iterations: int | None
) -> list[tuple[str, list[str]]]:
    """PyVRP until an absolute ``time.monotonic()`` deadline (one clock for every process on
    the machine), so a worker's start-up comes out of its own budget, not the caller's."""
    from engines.routing._pyvrp_backend import solve_pyvrp

    remaining = max(deadline - time.monotonic(), 0.05)
    return solve_pyvrp(problem, time_limit_s=remaining, seed=seed, max_iterations=max_iterations)


def _best_of_seeds(
    problem: Problem, time_limit_s: float, seed: int, max_iterations: int | None, workers: int
) -> RoutePlan:
    deadline = time.monotonic() + time_limit_s
    # Forking copies the loaded solver at once but is unsafe once other threads run (a server):
    # those callers pay for "spawn", which starts a fresh interpreter.
    method = "fork" if threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
        others = [
            pool.submit(_pyvrp_until, problem, deadline, seed + n, max_iterations)
            for n in range(1, workers)
        ]
        mine = _pyvrp_until(problem, deadline, seed, max_iterations)
        candidates = [mine, *(f.result() for f in others)]
    plans = [evaluate(problem, routes, backend="pyvrp") for routes in candidates]
    return min(plans, key=lambda p: (not p.feasible, len(p.unserved), p.cost, p.distance_ticks))
