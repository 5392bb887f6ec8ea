"""RoutePlan: our own typed result. Times in minutes (after midnight), distances in km.

For benchmark instances the units are the instance's own (Solomon: one unit of distance is one
unit of time).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ViolationKind(StrEnum):
    CAPACITY = "capacity"
    TIME_WINDOW = "time_window"
    SHIFT_END = "shift_end"
    MISSING_CLIENT = "missing_client"
    DUPLICATE_CLIENT = "duplicate_client"
    UNKNOWN = "unknown"
    FLEET = "fleet"
    SCHEDULE = "schedule"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    detail: str
    route: int | None = None  # index into RoutePlan.routes
    client: str | None = None


@dataclass(frozen=True)
class Stop:
    client_id: str
    arrival: float
    start: float  # start of service: max(arrival, window start); waiting is allowed
    departure: float
    tires_on_board: int  # before this delivery
    kg_on_board: int


@dataclass(frozen=True)
class PlannedRoute:
    vehicle_type: str
    stops: tuple[Stop, ...]
    start: float  # leaves the depot
    end: float  # back at the end depot
    tires: int
    kg: int
    distance: float
    duration: float
    cost: float
    distance_ticks: int  # exact integer distance on the problem's grid

    @property
    def client_ids(self) -> list[str]:
        return [s.client_id for s in self.stops]


@dataclass(frozen=True)
class RoutePlan:
    routes: tuple[PlannedRoute, ...]
    unserved: tuple[str, ...]
    distance: float
    duration: float
    cost: float
    feasible: bool  # by our own checker, whatever the solver said
    violations: tuple[Violation, ...]
    backend: str
    distance_ticks: int

    @property
    def vehicles(self) -> int:
        return len(self.routes)
