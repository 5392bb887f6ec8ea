"""Quality against Solomon best-known distances (DIMACS convention) with a short budget.

A loose bound: 2 s on a shared machine. The benchmark (bench/vrptw_solomon.py) holds the real
targets at 10 s.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engines.routing import check_plan, read_solomon, solve


@pytest.mark.parametrize(("name", "max_gap"), [("C101", 1.0), ("R101", 3.0)])
def test_gap_to_best_known(solomon_dir: Path, name: str, max_gap: float) -> None:
    with (solomon_dir / "bks.csv").open(newline="") as handle:
        bks = {r["instance"]: float(r["dist_bks_cost_trunc1"]) for r in csv.DictReader(handle)}
    problem = read_solomon(solomon_dir / "instances" / f"{name}.txt").problem
    plan = solve(problem, time_limit_s=2.0, seed=1)
    assert plan.feasible and not check_plan(problem, plan)
    gap = 100 * (plan.distance - bks[name]) / bks[name]
    assert gap >= -1e-9, "below the best-known: the distance convention is off"
    assert gap <= max_gap, f"{name}: {plan.distance} is {gap:.2f}% above {bks[name]}"
