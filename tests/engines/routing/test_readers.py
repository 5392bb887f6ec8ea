"""Solomon and VRPLIB readers: the shared files, synthetic larger and explicit ones, bad files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engines.routing import InstanceFormatError, ProblemError, read_solomon, read_vrplib, solve


def test_solomon_c101(solomon_dir: Path) -> None:
    problem = read_solomon(solomon_dir / "instances" / "C101.txt").problem
    assert len(problem.clients) == 100 and len(problem.depots) == 1
    vt = problem.vehicle_types[0]
    assert (vt.count, vt.capacity_tires) == (25, 200)
    assert problem.depots[0].closes == 12360  # due 1236, in tenths
    first = problem.clients[0]
    assert (first.id, first.tires, first.window_start, first.window_end, first.service) == (
        "1",
        10,
        9120,
        9670,
        900,
    )
    # DIMACS: depot (40, 50) to customer 1 (45, 68) = 18.681..., truncated to 18.6
    assert problem.distance[0, 1] == math.floor(10 * math.hypot(5, 18)) == 186
    assert problem.duration[0, 1] == 186


def test_vrplib_a_n32_k5(cvrplib_dir: Path) -> None:
    instance = read_vrplib(cvrplib_dir / "A" / "A-n32-k5.vrp")
    problem = instance.problem
    assert instance.name == "A-n32-k5"
    assert len(problem.clients) == 31 and problem.clients[0].id == "2"
    assert problem.vehicle_types[0].capacity_tires == 100
    assert problem.depots[0].id == "d1"
    d = problem.distance
    assert np.array_equal(d, d.T) and d.dtype == np.int64  # TSPLIB nint, symmetric


def _write_solomon(path: Path, customers: int, seed: int) -> Path:
    """A Gehring-Homberger-sized file in Solomon's layout, wide windows so it is solvable."""
    rng = np.random.default_rng(seed)
    rows = ["    0      100        100          0          0       2000          0"]
    for i in range(1, customers + 1):
        x, y = rng.integers(0, 200, size=2)
        ready = int(rng.integers(0, 800))
        demand = int(rng.integers(1, 30))
        rows.append(f"{i:5d} {x:8d} {y:8d} {demand:8d} {ready:8d} {ready + 900:8d}  10")
    text = (
        f"GH_LIKE_{customers}\n\nVEHICLE\nNUMBER     CAPACITY\n  {customers // 4}         200\n\n"
        "CUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
        + "\r\n".join(rows)
        + "\r\n"
    )
    path.write_text(text)
    return path


def test_larger_unseen_solomon_file(tmp_path: Path) -> None:
    instance = read_solomon(_write_solomon(tmp_path / "gh_like.txt", 300, seed=5))
    assert instance.name == "GH_LIKE_300" and len(instance.problem.clients) == 300
    plan = solve(instance.problem, time_limit_s=1.5, seed=1)
    assert plan.feasible, plan.violations[:3]
    assert sorted(int(c) for r in plan.routes for c in r.client_ids) == list(range(1, 301))


VRPTW_EXPLICIT = """NAME : tiny-tw
TYPE : VRPTW
DIMENSION : 4
VEHICLES : 2
CAPACITY : 10
EDGE_WEIGHT_TYPE : EXPLICIT
EDGE_WEIGHT_FORMAT : LOWER_ROW
EDGE_WEIGHT_SECTION
5
6 3
7 9 4
DEMAND_SECTION
1 0
2 6
3 4
4 5
TIME_WINDOW_SECTION
1 0 100
2 0 20
3 10 30
4 0 100
SERVICE_TIME_SECTION
1 0
2 2
3 2
4 2
DEPOT_SECTION
1
-1
EOF
"""


def test_vrplib_explicit_lower_row_with_windows(tmp_path: Path) -> None:
    path = tmp_path / "tiny.vrp"
    path.write_text(VRPTW_EXPLICIT)
    problem = read_vrplib(path).problem
    assert problem.distance.tolist() == [[0, 5, 6, 7], [5, 0, 3, 9], [6, 3, 0, 4], [7, 9, 4, 0]]
    assert [(c.id, c.window_start, c.window_end, c.service) for c in problem.clients][1] == (
        "3",
        10,
        30,
        2,
    )
    assert problem.vehicle_types[0].count == 2
    plan = solve(problem, time_limit_s=0.5, seed=1)
    assert plan.feasible and plan.vehicles == 2  # 15 units of demand, capacity 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NAME : x\nDIMENSION : 3\n", "DIMENSION and CAPACITY"),
        ("NAME : x\nDIMENSION : 2\nCAPACITY : 5\nEDGE_WEIGHT_TYPE : GEO\n", "GEO is not supported"),
        ("DIMENSION : 2\nCAPACITY : 5\nNODE_COORD_SECTION\n1 0 0\n2 x 1\n", "non-numeric"),
        ("DIMENSION : 3\nCAPACITY : 5\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n", "3 but 2 nodes"),
    ],
)
def test_malformed_vrplib(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.vrp"
    path.write_text(text)
    with pytest.raises(InstanceFormatError, match=message):
        read_vrplib(path)


def test_malformed_solomon_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InstanceFormatError, match="no such file"):
        read_solomon(tmp_path / "nope.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("X\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUSTOMER\n0 0 0 0 0 100 0\n1 1 1 5 0\n")
    with pytest.raises(InstanceFormatError, match="7 numbers"):
        read_solomon(bad)
    bad.write_text("X\nCUSTOMER\n0 0 0 0 0 100 0\n1 1 1 5 0 50 0\n")
    with pytest.raises(InstanceFormatError, match="VEHICLE"):
        read_solomon(bad)
    bad.write_text("X\nVEHICLE\n 2 10\nCUSTOMER\n0 0 0 0 0 100 0\n1 1 1 50 0 50 0\n")
    with pytest.raises(ProblemError, match="exceeds the capacity"):
        read_solomon(bad)
