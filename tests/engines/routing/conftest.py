"""A small delivery day in Mexico City and the shared benchmark data, when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engines.routing import City, HaversineMatrix, Point, Problem, ProblemBuilder

# real places: a branch in Iztapalapa, one in Azcapotzalco, customers around the city
DEPOTS = {
    "iztapalapa": Point.geo(19.3574, -99.0925),
    "azcapotzalco": Point.geo(19.4869, -99.1847),
}
CUSTOMERS = [
    ("polanco", 19.4333, -99.1950, 8, 9 * 60, 12 * 60),
    ("roma", 19.4150, -99.1620, 4, 10 * 60, 13 * 60),
    ("coyoacan", 19.3500, -99.1620, 12, 9 * 60, 11 * 60),
    ("tlalpan", 19.2940, -99.1700, 6, 12 * 60, 16 * 60),
    ("xochimilco", 19.2620, -99.1040, 10, 11 * 60, 15 * 60),
    ("narvarte", 19.3960, -99.1560, 4, 9 * 60, 18 * 60),
    ("lindavista", 19.4890, -99.1280, 8, 13 * 60, 17 * 60),
    ("satelite", 19.5100, -99.2340, 16, 10 * 60, 14 * 60),
    ("tlatelolco", 19.4510, -99.1370, 4, 15 * 60, 18 * 60),
    ("santa-fe", 19.3590, -99.2600, 12, 9 * 60, 12 * 60),
    ("iztacalco", 19.3950, -99.0970, 8, 14 * 60, 18 * 60),
    ("neza", 19.4000, -99.0150, 20, 9 * 60, 13 * 60),
]
TIRE_KG = 11  # a passenger tire


def city_builder() -> ProblemBuilder:
    builder = ProblemBuilder()
    for name, point in DEPOTS.items():
        builder.add_depot(name, point, opens=7 * 60, closes=20 * 60)
    builder.add_vehicle_type(
        "van-izt",
        depot="iztapalapa",
        capacity_tires=40,
        capacity_kg=450,
        count=2,
        shift_start=8 * 60,
        shift_end=19 * 60,
        cost_per_km=6.5,
        cost_per_hour=120.0,
    )
    builder.add_vehicle_type(
        "pickup-azc",
        depot="azcapotzalco",
        capacity_tires=24,
        capacity_kg=300,
        count=2,
        shift_start=8 * 60,
        shift_end=19 * 60,
        cost_per_km=5.0,
        cost_per_hour=110.0,
    )
    for name, lat, lon, tires, start, end in CUSTOMERS:
        builder.add_client(
            name,
            Point.geo(lat, lon),
            tires=tires,
            kg=tires * TIRE_KG,
            window_start=start,
            window_end=end,
            service_minutes=10 + tires,
        )
    return builder


@pytest.fixture(scope="session")
def city_problem() -> Problem:
    return city_builder().build(HaversineMatrix(City.MEXICO_CITY, start_hour=8, end_hour=19))


def shared_dir() -> Path:
    configured = os.environ.get("TOPLLANTAS_SHARED_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[4] / "shared"


@pytest.fixture(scope="session")
def solomon_dir() -> Path:
    path = shared_dir() / "data" / "solomon"
    if not (path / "instances").is_dir():
        pytest.skip(f"Solomon benchmark data not available at {path}")
    return path


@pytest.fixture(scope="session")
def cvrplib_dir() -> Path:
    path = shared_dir() / "data" / "cvrplib"
    if not (path / "A").is_dir():
        pytest.skip(f"CVRPLIB benchmark data not available at {path}")
    return path
