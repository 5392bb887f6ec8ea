"""Benchmark instance readers: Solomon (and Gehring-Homberger) text files and VRPLIB files.

Client ids are the node numbers as written in the file, as strings. Conventions follow the
published best-known solutions: Solomon distances and travel times truncated to one decimal
(DIMACS), VRPLIB ``EUC_2D`` rounded to the nearest integer (TSPLIB), ``CEIL_2D`` rounded up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engines.routing.builder import ProblemBuilder
from engines.routing.errors import InstanceFormatError
from engines.routing.model import Point, Problem, Scale
from engines.routing.travel import EuclideanMatrix, FloatMatrix, TravelMatrices


@dataclass(frozen=True)
class Instance:
    name: str
    problem: Problem


@dataclass(frozen=True)
class ExplicitMatrix:
    """A matrix given in full (VRPLIB ``EXPLICIT``, or pre-rounded distances); time = distance."""

    distance: FloatMatrix

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        return TravelMatrices(distance=self.distance, duration=self.distance)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise InstanceFormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InstanceFormatError(f"{path}: is a directory, not an instance file") from None
    except OSError as exc:
        raise InstanceFormatError(f"{path}: cannot read ({exc.strerror})") from None


def _numbers(line: str) -> list[float] | None:
    try:
        return [float(token) for token in line.split()]
    except ValueError:
        return None


def read_solomon(path: Path) -> Instance:
    """A Solomon-format file: name, VEHICLE (number, capacity), CUSTOMER rows; row 0 the depot."""
    lines = [line.strip() for line in _text(path).splitlines()]
    name = next((line for line in lines if line), "")
    fleet: tuple[int, int] | None = None
    rows: list[list[float]] = []
    section = ""
    for line in lines:
        upper = line.upper()
        if upper.startswith("VEHICLE"):
            section = "vehicle"
            continue
        if upper.startswith("CUSTOMER"):
            section = "customer"
            continue
        values = _numbers(line)
        if not values:
            continue
        if section == "vehicle" and fleet is None and len(values) == 2:
            fleet = (int(values[0]), int(values[1]))
        elif section == "customer":
            if len(values) != 7:
                raise InstanceFormatError(f"{path}: customer row needs 7 numbers: {line!r}")
            rows.append(values)
    if fleet is None:
        raise InstanceFormatError(f"{path}: no VEHICLE section with NUMBER and CAPACITY")
    if len(rows) < 2:
        raise InstanceFormatError(f"{path}: needs a depot row and at least one customer row")
    number, capacity = fleet
    depot = rows[0]
    builder = ProblemBuilder(scale=Scale.dimacs())
    builder.add_depot(
        f"d{int(depot[0])}", Point(depot[1], depot[2]), opens=depot[4], closes=depot[5]
    )
    builder.add_vehicle_type(
        "vehicle",
        depot=f"d{int(depot[0])}",
        capacity_tires=capacity,
        count=number,
        shift_start=depot[4],
        shift_end=depot[5],
    )
    for no, x, y, demand, ready, due, service in rows[1:]:
        builder.add_client(
            str(int(no)),
            Point(x, y),
            tires=int(demand),
            window_start=ready,
            window_end=due,
            service_minutes=service,
        )
    return Instance(name=name, problem=builder.build(EuclideanMatrix()))


_SECTIONS = {
    "NODE_COORD_SECTION",
    "DEMAND_SECTION",
    "DEPOT_SECTION",
    "TIME_WINDOW_SECTION",
    "SERVICE_TIME_SECTION",
    "EDGE_WEIGHT_SECTION",
    "DISPLAY_DATA_SECTION",
    "BACKHAUL_SECTION",
    "LINEHAUL_SECTION",
    "PICKUP_AND_DELIVERY_SECTION",
}
_UNSUPPORTED = {"BACKHAUL_SECTION", "LINEHAUL_SECTION", "PICKUP_AND_DELIVERY_SECTION"}


def _parse_vrplib(path: Path) -> tuple[dict[str, str], dict[str, list[list[float]]]]:
    specs: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    current: str | None = None
    for raw in _text(path).splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        head = line.split()[0].rstrip(":").upper()
        if head in _SECTIONS:
            if head in _UNSUPPORTED:
                raise InstanceFormatError(f"{path}: {head} is not supported (delivery-only VRP)")
            current = head
            sections[current] = []
            continue
        if current is None or (":" in line and _numbers(line) is None):
            if ":" not in line:
                raise InstanceFormatError(f"{path}: expected 'KEY : VALUE', got {line!r}")
            key, value = line.split(":", 1)
            specs[key.strip().upper()] = value.strip()
            current = None
            continue
        values = _numbers(line)
        if values is None:
            raise InstanceFormatError(f"{path}: non-numeric line in {current}: {line!r}")
        sections[current].append(values)
    return specs, sections


def _explicit(path: Path, fmt: str, values: list[float], n: int) -> FloatMatrix:
    m = np.zeros((n, n))
    try:
        if fmt == "FULL_MATRIX":
            m = np.array(values[: n * n]).reshape(n, n)
        else:
            lower = fmt.startswith("LOWER")
            diag = "DIAG" in fmt
            it = iter(values)
            for i in range(n):
                cols = range(0, i + 1 if diag else i) if lower else range(i if diag else i + 1, n)
                for j in cols:
                    m[i, j] = m[j, i] = next(it)
    except (ValueError, StopIteration):
        raise InstanceFormatError(f"{path}: EDGE_WEIGHT_SECTION too short for {n} nodes") from None
    return m


def read_vrplib(path: Path) -> Instance:
    """A VRPLIB file (CVRP, or VRPTW with TIME_WINDOW_SECTION and SERVICE_TIME_SECTION)."""
    specs, sections = _parse_vrplib(path)
    try:
        n = int(specs["DIMENSION"])
        capacity = int(float(specs["CAPACITY"]))
    except (KeyError, ValueError):
        raise InstanceFormatError(f"{path}: needs integer DIMENSION and CAPACITY") from None
    if "DISTANCE" in specs:
        raise InstanceFormatError(f"{path}: route length limits (DISTANCE) are not supported")
    weight_type = specs.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper()
    coords = {int(r[0]): r[1:3] for r in sections.get("NODE_COORD_SECTION", []) if len(r) >= 3}
    ids = sorted(coords) if coords else list(range(1, n + 1))
    if len(ids) != n:
        raise InstanceFormatError(f"{path}: DIMENSION is {n} but {len(ids)} nodes have coordinates")
    points = [Point(*coords[i]) if coords else Point(0.0, 0.0) for i in ids]
    if weight_type in ("EUC_2D", "CEIL_2D"):
        if not coords:
            raise InstanceFormatError(f"{path}: {weight_type} needs a NODE_COORD_SECTION")
        exact = EuclideanMatrix().matrices(points).distance
        distance = np.ceil(exact - 1e-9) if weight_type == "CEIL_2D" else np.floor(exact + 0.5)
    elif weight_type == "EXPLICIT":
        flat = [v for row in sections.get("EDGE_WEIGHT_SECTION", []) for v in row]
        fmt = specs.get("EDGE_WEIGHT_FORMAT", "FULL_MATRIX").upper()
        if fmt not in {"FULL_MATRIX", "LOWER_ROW", "LOWER_DIAG_ROW", "UPPER_ROW", "UPPER_DIAG_ROW"}:
            raise InstanceFormatError(f"{path}: EDGE_WEIGHT_FORMAT {fmt} is not supported")
        distance = _explicit(path, fmt, flat, n)
    else:
        raise InstanceFormatError(f"{path}: EDGE_WEIGHT_TYPE {weight_type} is not supported")
    demand = {int(r[0]): int(r[1]) for r in sections.get("DEMAND_SECTION", []) if len(r) >= 2}
    windows = {
        int(r[0]): (r[1], r[2]) for r in sections.get("TIME_WINDOW_SECTION", []) if len(r) >= 3
    }
    default_service = float(specs.get("SERVICE_TIME", "0") or 0)
    service = {int(r[0]): r[1] for r in sections.get("SERVICE_TIME_SECTION", []) if len(r) >= 2}
    depot_ids = [int(r[0]) for r in sections.get("DEPOT_SECTION", []) if r and r[0] >= 0]
    if not depot_ids:
        depot_ids = [ids[0]]
    unknown = [d for d in depot_ids if d not in ids]
    if unknown:
        raise InstanceFormatError(f"{path}: DEPOT_SECTION names unknown node {unknown[0]}")
    clients = [i for i in ids if i not in set(depot_ids)]
    vehicles = int(specs.get("VEHICLES", len(clients) or 1))
    # without windows, a horizon no route can reach: every leg at the longest arc, plus service
    no_windows = float(distance.max()) * (n + 1) + default_service * n + sum(service.values())
    horizon = max((w[1] for w in windows.values()), default=no_windows)
    index = {node: k for k, node in enumerate(ids)}
    order = [index[d] for d in depot_ids] + [index[c] for c in clients]
    builder = ProblemBuilder(scale=Scale.integral())
    for d in depot_ids:
        opens, closes = windows.get(d, (0.0, horizon))
        builder.add_depot(f"d{d}", points[index[d]], opens=opens, closes=closes)
        builder.add_vehicle_type(
            f"vehicle@{d}",
            depot=f"d{d}",
            capacity_tires=capacity,
            count=max(1, vehicles),
            shift_start=opens,
            shift_end=closes,
        )
    for c in clients:
        start, end = windows.get(c, (0.0, horizon))
        builder.add_client(
            str(c),
            points[index[c]],
            tires=demand.get(c, 0),
            window_start=start,
            window_end=end,
            service_minutes=service.get(c, default_service),
        )
    ordered = distance[np.ix_(order, order)]
    return Instance(
        name=specs.get("NAME", path.stem), problem=builder.build(ExplicitMatrix(ordered))
    )


def read_instance(path: Path, fmt: str) -> Instance:
    if fmt == "solomon":
        return read_solomon(path)
    if fmt == "vrplib":
        return read_vrplib(path)
    raise InstanceFormatError(f"format must be solomon or vrplib, got {fmt!r}")
