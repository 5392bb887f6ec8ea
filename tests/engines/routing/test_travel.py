"""Haversine, circuity, city speed profiles and the OSRM table client."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from engines.routing import City, HaversineMatrix, OsrmError, OsrmTable, Point, SpeedProfile
from engines.routing.travel import EuclideanMatrix, haversine_km

ZOCALO = Point.geo(19.4326, -99.1332)
ANGEL = Point.geo(19.4270, -99.1677)


def test_haversine_one_degree_of_latitude_is_111_km() -> None:
    km = haversine_km([Point.geo(19.0, -99.0), Point.geo(20.0, -99.0)])
    assert km[0, 1] == pytest.approx(111.19, abs=0.05)
    assert km[1, 0] == km[0, 1] and km[0, 0] == 0


def test_circuity_stretches_distance() -> None:
    straight = haversine_km([ZOCALO, ANGEL])[0, 1]
    assert 3.4 < straight < 3.8  # Zócalo to the Ángel de la Independencia, as the crow flies
    road = HaversineMatrix(City.MEXICO_CITY, start_hour=12).matrices([ZOCALO, ANGEL])
    assert road.distance[0, 1] == pytest.approx(1.3 * straight)
    with pytest.raises(ValueError, match="circuity"):
        HaversineMatrix(City.MEXICO_CITY, start_hour=12, circuity=0.9)


@pytest.mark.parametrize("city", list(City))
def test_rush_hour_is_slower(city: City) -> None:
    profile = SpeedProfile(city)
    assert profile.speed_kmh(8) < profile.speed_kmh(13) < profile.speed_kmh(3)
    assert profile.speed_kmh(19) < profile.speed_kmh(13)
    rush = HaversineMatrix(city, start_hour=8).matrices([ZOCALO, ANGEL]).duration[0, 1]
    midday = HaversineMatrix(city, start_hour=13).matrices([ZOCALO, ANGEL]).duration[0, 1]
    assert rush > midday
    assert 5 <= profile.speed_kmh(8) <= 30 and profile.speed_kmh(3) <= 60


def test_mexico_city_is_the_slowest_and_shift_mean_is_harmonic() -> None:
    assert SpeedProfile(City.MEXICO_CITY).speed_kmh(8) < SpeedProfile(City.MONTERREY).speed_kmh(8)
    profile = SpeedProfile(City.MEXICO_CITY)
    mean = profile.mean_speed_kmh(8, 12)  # 2 h at 18, 1 h at 21 (10-11), 1 h at 24
    assert mean == pytest.approx(4 / (2 / 18 + 1 / 21 + 1 / 24))


def test_euclidean_duration_follows_speed() -> None:
    m = EuclideanMatrix(speed=2.0).matrices([Point(0, 0), Point(3, 4)])
    assert m.distance[0, 1] == 5 and m.duration[0, 1] == 2.5


def _osrm(handler: httpx.MockTransport) -> OsrmTable:
    return OsrmTable("http://osrm.test/", client=httpx.Client(transport=handler))


def test_osrm_table_converts_metres_and_seconds() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        body = {
            "code": "Ok",
            "distances": [[0, 4500.0], [4700.0, 0]],
            "durations": [[0, 600.0], [660.0, 0]],
        }
        return httpx.Response(200, json=body)

    m = _osrm(httpx.MockTransport(handler)).matrices([ZOCALO, ANGEL])
    assert np.allclose(m.distance, [[0, 4.5], [4.7, 0]])
    assert np.allclose(m.duration, [[0, 10.0], [11.0, 0]])
    assert seen[0].path == "/table/v1/driving/-99.133200,19.432600;-99.167700,19.427000"
    assert seen[0].params["annotations"] == "distance,duration"


def test_osrm_failures_are_osrm_errors() -> None:
    no_route = httpx.MockTransport(
        lambda r: httpx.Response(
            200,
            json={"code": "Ok", "distances": [[0, None], [1, 0]], "durations": [[0, 1], [1, 0]]},
        )
    )
    with pytest.raises(OsrmError, match="no road"):
        _osrm(no_route).matrices([ZOCALO, ANGEL])
    refused = httpx.MockTransport(lambda r: httpx.Response(400, json={"code": "InvalidQuery"}))
    with pytest.raises(OsrmError, match="failed"):
        _osrm(refused).matrices([ZOCALO, ANGEL])
