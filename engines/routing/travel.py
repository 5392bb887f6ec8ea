"""Travel matrices: Euclidean (benchmarks) and haversine x circuity with hourly city speeds.

Speeds per city and hour, in km/h, for a light delivery truck on urban arterials. Derivation:
TomTom Traffic Index (2017 edition, 2016 data) puts Mexico City at 66% extra travel time over
free flow on average and up to ~100% in the morning and evening peaks, with about 22 km/h average
on primary roads; that gives ~36 km/h free flow, ~18 km/h in the peaks and ~24 km/h midday.
Guadalajara and Monterrey rank well below Mexico City in the same index (roughly half its
congestion level), so their peaks are ~24-26 km/h and free flow ~40 km/h. These are planning
defaults to be recalibrated from our own GPS pings; an OSRM table gives road distances instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from engines.routing.model import Point

FloatMatrix = npt.NDArray[np.float64]
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
DEFAULT_CIRCUITY = 1.3  # road km per straight-line km in dense urban grids (typ. 1.2-1.4)


@dataclass(frozen=True)
class TravelMatrices:
    """Distances in km (or instance units) and durations in minutes (or units), location order."""

    distance: FloatMatrix
    duration: FloatMatrix


class MatrixProvider(Protocol):
    def matrices(self, points: Sequence[Point]) -> TravelMatrices: ...


def _coordinates(points: Sequence[Point]) -> tuple[FloatMatrix, FloatMatrix]:
    xs = np.fromiter((p.x for p in points), dtype=np.float64, count=len(points))
    ys = np.fromiter((p.y for p in points), dtype=np.float64, count=len(points))
    return xs, ys


@dataclass(frozen=True)
class EuclideanMatrix:
    """Straight-line distances; duration = distance / speed (Solomon: speed 1, same numbers)."""

    speed: float = 1.0

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        xs, ys = _coordinates(points)
        distance = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
        return TravelMatrices(distance=distance, duration=distance / self.speed)


def haversine_km(points: Sequence[Point]) -> FloatMatrix:
    """Great-circle distances in km between every pair of (lon, lat) points."""
    lon, lat = (np.radians(a) for a in _coordinates(points))
    dlat = lat[None, :] - lat[:, None]
    dlon = lon[None, :] - lon[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    result: FloatMatrix = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


class City(StrEnum):
    MEXICO_CITY = "cdmx"
    GUADALAJARA = "guadalajara"
    MONTERREY = "monterrey"


def _profile(free: float, midday: float, peak: float, shoulder: float) -> tuple[float, ...]:
    """24 hourly speeds: free flow at night, peaks 7-10 and 18-21, shoulders around them."""
    hours = [free] * 24
    for h in (6, 10, 17, 21):
        hours[h] = shoulder
    for h in (7, 8, 9, 18, 19, 20):
        hours[h] = peak
    for h in range(11, 17):
        hours[h] = midday
    return tuple(hours)


SPEED_PROFILES_KMH: dict[City, tuple[float, ...]] = {
    City.MEXICO_CITY: _profile(free=36.0, midday=24.0, peak=18.0, shoulder=21.0),
    City.GUADALAJARA: _profile(free=40.0, midday=30.0, peak=24.0, shoulder=27.0),
    City.MONTERREY: _profile(free=42.0, midday=32.0, peak=26.0, shoulder=29.0),
}


@dataclass(frozen=True)
class SpeedProfile:
    """Hour-of-day speeds (km/h) for one city."""

    city: City

    def speed_kmh(self, hour: float) -> float:
        return SPEED_PROFILES_KMH[self.city][int(math.floor(hour)) % 24]

    def mean_speed_kmh(self, start_hour: float, end_hour: float) -> float:
        """Harmonic mean over the hours of a shift: time, not distance, is what averages."""
        if end_hour <= start_hour:
            return self.speed_kmh(start_hour)
        steps = np.arange(start_hour, end_hour, 0.25)
        speeds = np.array([self.speed_kmh(h) for h in steps])
        return float(len(speeds) / np.sum(1.0 / speeds))


@dataclass(frozen=True)
class HaversineMatrix:
    """Road km = great-circle km x circuity; minutes at the city's speed for the planning hours.

    One duration matrix serves a whole plan (neither backend models time-dependent travel), so
    the speed is the harmonic mean over ``[start_hour, end_hour)``: plan the morning wave with
    ``start_hour=8, end_hour=12`` and it is priced at rush-hour speeds.
    """

    city: City
    start_hour: float
    end_hour: float | None = None
    circuity: float = DEFAULT_CIRCUITY

    def __post_init__(self) -> None:
        if self.circuity < 1.0:
            raise ValueError(f"circuity: must be at least 1.0, got {self.circuity}")

    @property
    def speed_kmh(self) -> float:
        profile = SpeedProfile(self.city)
        if self.end_hour is None:
            return profile.speed_kmh(self.start_hour)
        return profile.mean_speed_kmh(self.start_hour, self.end_hour)

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        distance = haversine_km(points) * self.circuity
        return TravelMatrices(distance=distance, duration=distance / self.speed_kmh * 60.0)
