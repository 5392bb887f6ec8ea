"""The routing problem as we model it: depots, vehicle types and clients on one integer grid.

Every quantity the solvers see is an integer "tick" (see ``Scale``). The builder converts real
units (km, minutes) once; both backends and the feasibility checker then read the same integers,
so a plan judged feasible by the checker is feasible on exactly the numbers the solver saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]
Rounding = Literal["round", "truncate"]


@dataclass(frozen=True)
class Point:
    """Planar coordinates, or longitude (x) and latitude (y) for geographic matrix providers."""

    x: float
    y: float

    @classmethod
    def geo(cls, lat: float, lon: float) -> Point:
        return cls(x=lon, y=lat)

    @property
    def lat(self) -> float:
        return self.y

    @property
    def lon(self) -> float:
        return self.x


@dataclass(frozen=True)
class Scale:
    """Ticks per real unit: distances are km (or instance units), times minutes (or units).

    ``truncate`` floors instead of rounding: the DIMACS convention of the Solomon best-known
    solutions is ``floor(10 * d) / 10`` for both distance and travel time (``Scale.dimacs()``).
    """

    distance: float = 1000.0  # km -> metres
    time: float = 60.0  # minutes -> seconds
    rounding: Rounding = "round"

    @classmethod
    def dimacs(cls) -> Scale:
        return cls(distance=10.0, time=10.0, rounding="truncate")

    @classmethod
    def integral(cls) -> Scale:
        """TSPLIB/VRPLIB: each Euclidean distance rounded to the nearest integer."""
        return cls(distance=1.0, time=1.0, rounding="round")

    def _ticks(self, value: float, per_unit: float) -> int:
        scaled = value * per_unit
        if self.rounding == "truncate":
            return math.floor(scaled + 1e-9)  # 1e-9 absorbs float noise on exact decimals
        return math.floor(scaled + 0.5)

    def distance_ticks(self, km: float) -> int:
        return self._ticks(km, self.distance)

    def time_ticks(self, minutes: float) -> int:
        return self._ticks(minutes, self.time)

    def matrix_ticks(self, values: npt.NDArray[np.float64], per_unit: float) -> IntMatrix:
        scaled = values * per_unit
        if self.rounding == "truncate":
            return np.floor(scaled + 1e-9).astype(np.int64)
        return np.floor(scaled + 0.5).astype(np.int64)


@dataclass(frozen=True)
class Depot:
    id: str
    point: Point
    opens: int  # ticks
    closes: int  # ticks: vehicles must be back by then


@dataclass(frozen=True)
class VehicleType:
    id: str
    count: int
    start_depot: int  # index into Problem.depots
    end_depot: int
    capacity_tires: int
    capacity_kg: int | None  # None: weight does not bind for this type
    shift_start: int  # ticks
    shift_end: int  # ticks
    cost_per_km: float
    cost_per_hour: float
    fixed_cost: float


@dataclass(frozen=True)
class Client:
    id: str
    point: Point
    tires: int
    kg: int
    window_start: int  # ticks: start of service may not be earlier (waiting allowed) ...
    window_end: int  # ... nor later
    service: int  # ticks


@dataclass(frozen=True)
class Problem:
    """A validated problem; build it with ``ProblemBuilder``. Location i: depots, then clients."""

    depots: tuple[Depot, ...]
    vehicle_types: tuple[VehicleType, ...]
    clients: tuple[Client, ...]
    distance: IntMatrix  # ticks, indexed by location
    duration: IntMatrix  # ticks
    scale: Scale

    @property
    def num_locations(self) -> int:
        return len(self.depots) + len(self.clients)

    def client_location(self, client_index: int) -> int:
        return len(self.depots) + client_index

    @property
    def uses_weight(self) -> bool:
        return any(v.capacity_kg is not None for v in self.vehicle_types)

    def km(self, ticks: int) -> float:
        return ticks / self.scale.distance

    def minutes(self, ticks: int) -> float:
        return ticks / self.scale.time

    def route_cost(self, vehicle: VehicleType, distance_ticks: int, duration_ticks: int) -> float:
        """Cost in money units: per km travelled, per hour from leaving to returning, fixed."""
        hours = self.minutes(duration_ticks) / 60.0
        return (
            vehicle.fixed_cost
            + vehicle.cost_per_km * self.km(distance_ticks)
            + (vehicle.cost_per_hour * hours)
        )
