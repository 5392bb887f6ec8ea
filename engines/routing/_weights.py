"""Integer objective weights shared by both backends: money per tick, scaled to integers."""

from __future__ import annotations

from dataclasses import dataclass

from engines.routing.model import Problem

_RESOLUTION = 1000  # the larger of the two per-tick weights becomes this integer


@dataclass(frozen=True)
class Weights:
    per_distance: tuple[int, ...]  # per vehicle type, per distance tick
    per_duration: tuple[int, ...]  # per vehicle type, per time tick
    fixed: tuple[int, ...]


def objective_weights(problem: Problem) -> Weights:
    """Keep the ratio of km cost to hour cost exact to 1/1000 while both solvers see integers."""
    scale = problem.scale
    per_tick = [
        (v.cost_per_km / scale.distance, v.cost_per_hour / (scale.time * 60.0), v.fixed_cost)
        for v in problem.vehicle_types
    ]
    largest = max(max(d, t) for d, t, _ in per_tick)
    if largest == 0:  # nothing priced: minimise distance
        n = len(per_tick)
        return Weights((1,) * n, (0,) * n, tuple(round(f) for _, _, f in per_tick))
    k = _RESOLUTION / largest
    return Weights(
        per_distance=tuple(round(d * k) for d, _, _ in per_tick),
        per_duration=tuple(round(t * k) for _, t, _ in per_tick),
        fixed=tuple(round(f * k) for _, _, f in per_tick),
    )
