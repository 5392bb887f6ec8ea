"""ProblemBuilder: add depots, vehicle types and clients; each input is validated as it is added."""

from __future__ import annotations

import math

import numpy as np

from engines.routing.errors import ProblemError
from engines.routing.model import Client, Depot, Point, Problem, Scale, VehicleType
from engines.routing.travel import EuclideanMatrix, MatrixProvider

DAY_MINUTES = 24 * 60.0


def _finite(field: str, value: float) -> None:
    if not math.isfinite(value):
        raise ProblemError(field, f"must be a finite number, got {value!r}")


def _non_negative(field: str, value: float) -> None:
    _finite(field, value)
    if value < 0:
        raise ProblemError(field, f"must not be negative, got {value!r}")


def _window(field: str, start: float, end: float) -> None:
    _non_negative(f"{field}.start", start)
    _finite(f"{field}.end", end)
    if end < start:
        raise ProblemError(field, f"ends ({end}) before it starts ({start})")


class ProblemBuilder:
    """Collects a routing problem in real units: km, minutes after midnight, tires, kg.

    Depots first, then vehicle types (which name their depots), then clients (whose demand must
    fit at least one vehicle type). Times become integer ticks as they are added; ``build()``
    computes the travel matrices with the provider and converts them with the same scale.
    """

    def __init__(self, *, scale: Scale | None = None) -> None:
        self._scale = scale or Scale()
        self._depots: list[Depot] = []
        self._vehicles: list[VehicleType] = []
        self._clients: list[Client] = []
        self._ids: set[str] = set()
        self._depot_index: dict[str, int] = {}

    def _new_id(self, field: str, id_: str) -> None:
        if not id_:
            raise ProblemError(field, "must not be empty")
        if id_ in self._ids:
            raise ProblemError(
                field, f"{id_!r} is already used by another depot, vehicle or client"
            )
        self._ids.add(id_)

    def add_depot(
        self, id: str, point: Point, *, opens: float = 0.0, closes: float = DAY_MINUTES
    ) -> ProblemBuilder:
        _finite(f"depot {id}.point", point.x)
        _finite(f"depot {id}.point", point.y)
        _window(f"depot {id}.hours", opens, closes)
        self._new_id("depot.id", id)
        self._depot_index[id] = len(self._depots)
        ticks = self._scale.time_ticks
        self._depots.append(Depot(id, point, ticks(opens), ticks(closes)))
        return self

    def add_vehicle_type(
        self,
        id: str,
        *,
        depot: str,
        capacity_tires: int,
        capacity_kg: int | None = None,
        count: int = 1,
        end_depot: str | None = None,
        shift_start: float = 0.0,
        shift_end: float = DAY_MINUTES,
        cost_per_km: float = 1.0,
        cost_per_hour: float = 0.0,
        fixed_cost: float = 0.0,
    ) -> ProblemBuilder:
        field = f"vehicle {id}"
        for name, depot_id in (("depot", depot), ("end_depot", end_depot or depot)):
            if depot_id not in self._depot_index:
                known = ", ".join(self._depot_index) or "none yet"
                raise ProblemError(
                    f"{field}.{name}", f"unknown depot {depot_id!r} (known: {known})"
                )
        if count < 1:
            raise ProblemError(f"{field}.count", f"must be at least 1, got {count}")
        if capacity_tires < 0:
            raise ProblemError(
                f"{field}.capacity_tires", f"must not be negative, got {capacity_tires}"
            )
        if capacity_kg is not None and capacity_kg < 0:
            raise ProblemError(f"{field}.capacity_kg", f"must not be negative, got {capacity_kg}")
        _window(f"{field}.shift", shift_start, shift_end)
        for name, value in (
            ("cost_per_km", cost_per_km),
            ("cost_per_hour", cost_per_hour),
            ("fixed_cost", fixed_cost),
        ):
            _non_negative(f"{field}.{name}", value)
        self._new_id("vehicle.id", id)
        ticks = self._scale.time_ticks
        self._vehicles.append(
            VehicleType(
                id=id,
                count=count,
                start_depot=self._depot_index[depot],
                end_depot=self._depot_index[end_depot or depot],
                capacity_tires=capacity_tires,
                capacity_kg=capacity_kg,
                shift_start=ticks(shift_start),
                shift_end=ticks(shift_end),
                cost_per_km=float(cost_per_km),
                cost_per_hour=float(cost_per_hour),
                fixed_cost=float(fixed_cost),
            )
        )
        return self

    def add_client(
        self,
        id: str,
        point: Point,
        *,
        tires: int,
        kg: int = 0,
        window_start: float = 0.0,
        window_end: float = DAY_MINUTES,
        service_minutes: float = 0.0,
    ) -> ProblemBuilder:
        field = f"client {id}"
        if not self._vehicles:
            raise ProblemError(field, "add the vehicle types before the clients")
        _finite(f"{field}.point", point.x)
        _finite(f"{field}.point", point.y)
        if tires < 0:
            raise ProblemError(f"{field}.tires", f"must not be negative, got {tires}")
        if kg < 0:
            raise ProblemError(f"{field}.kg", f"must not be negative, got {kg}")
        _window(f"{field}.window", window_start, window_end)
        _non_negative(f"{field}.service_minutes", service_minutes)
        if not any(
            tires <= v.capacity_tires and (v.capacity_kg is None or kg <= v.capacity_kg)
            for v in self._vehicles
        ):
            raise ProblemError(
                f"{field}.demand",
                f"{tires} tires / {kg} kg exceeds the capacity of every vehicle type",
            )
        self._new_id("client.id", id)
        ticks = self._scale.time_ticks
        self._clients.append(
            Client(
                id=id,
                point=point,
                tires=tires,
                kg=kg,
                window_start=ticks(window_start),
                window_end=ticks(window_end),
                service=ticks(service_minutes),
            )
        )
        return self

    def build(self, provider: MatrixProvider | None = None) -> Problem:
        """Travel matrices from ``provider`` (default Euclidean), converted to integer ticks."""
        if not self._depots:
            raise ProblemError("depots", "at least one depot is needed")
        if not self._vehicles:
            raise ProblemError("vehicle_types", "at least one vehicle type is needed")
        points = [d.point for d in self._depots] + [c.point for c in self._clients]
        travel = (provider or EuclideanMatrix()).matrices(points)
        size = len(points)
        for name, matrix in (("distance", travel.distance), ("duration", travel.duration)):
            if matrix.shape != (size, size):
                raise ProblemError(
                    f"matrix.{name}", f"shape {matrix.shape}, expected {size}x{size}"
                )
            if not np.isfinite(matrix).all() or (matrix < 0).any():
                raise ProblemError(f"matrix.{name}", "has negative, infinite or missing entries")
        s = self._scale
        problem = Problem(
            depots=tuple(self._depots),
            vehicle_types=tuple(self._vehicles),
            clients=tuple(self._clients),
            distance=s.matrix_ticks(travel.distance, s.distance),
            duration=s.matrix_ticks(travel.duration, s.time),
            scale=s,
        )
        _check_reachable(problem)
        return problem


def _check_reachable(problem: Problem) -> None:
    """Each client must fit some vehicle's shift on a route serving it alone, or no plan can."""
    nd = len(problem.depots)
    for i, client in enumerate(problem.clients):
        loc = nd + i
        best_start: int | None = None
        for v in problem.vehicle_types:
            if client.tires > v.capacity_tires or (
                v.capacity_kg is not None and client.kg > v.capacity_kg
            ):
                continue
            leave = max(v.shift_start, problem.depots[v.start_depot].opens)
            start = max(leave + int(problem.duration[v.start_depot, loc]), client.window_start)
            due = min(v.shift_end, problem.depots[v.end_depot].closes)
            back = start + client.service + int(problem.duration[loc, v.end_depot])
            if start <= client.window_end and back <= due:
                break
            best_start = start if best_start is None else min(best_start, start)
        else:
            reason = "no vehicle that can carry it can serve it within its window and be back by the shift end"
            if best_start is not None and best_start > client.window_end:
                reason = (
                    f"cannot be reached before its window ends ({problem.minutes(client.window_end):g});"
                    f" earliest start of service {problem.minutes(best_start):g}"
                )
            raise ProblemError(f"client {client.id}.window", reason)
