"""The builder refuses bad input as it is added, naming the field and the reason."""

from __future__ import annotations

import math

import pytest

from engines.routing import Point, ProblemBuilder, ProblemError


def _with_vehicle() -> ProblemBuilder:
    builder = ProblemBuilder().add_depot("d", Point(0, 0))
    return builder.add_vehicle_type("van", depot="d", capacity_tires=40, capacity_kg=400)


def test_window_ending_before_it_starts() -> None:
    with pytest.raises(ProblemError) as err:
        _with_vehicle().add_client("c1", Point(1, 1), tires=4, window_start=600, window_end=540)
    assert err.value.field == "client c1.window"
    assert "before it starts" in err.value.reason


def test_demand_above_every_vehicle() -> None:
    builder = _with_vehicle().add_vehicle_type(
        "truck", depot="d", capacity_tires=60, capacity_kg=300
    )
    with pytest.raises(ProblemError) as err:  # 50 tires fit the truck, 500 kg fit neither
        builder.add_client("c1", Point(1, 1), tires=50, kg=500)
    assert err.value.field == "client c1.demand"
    assert "every vehicle type" in err.value.reason
    builder.add_client("c2", Point(1, 1), tires=50, kg=290)  # fits the truck: accepted


def test_unknown_depot_lists_the_known_ones() -> None:
    builder = ProblemBuilder().add_depot("izt", Point(0, 0))
    with pytest.raises(ProblemError, match="unknown depot 'gdl' \\(known: izt\\)") as err:
        builder.add_vehicle_type("van", depot="gdl", capacity_tires=10)
    assert err.value.field == "vehicle van.depot"
    with pytest.raises(ProblemError, match="end_depot"):
        builder.add_vehicle_type("van", depot="izt", end_depot="mty", capacity_tires=10)


def test_negative_service_time() -> None:
    with pytest.raises(ProblemError) as err:
        _with_vehicle().add_client("c1", Point(1, 1), tires=1, service_minutes=-5)
    assert err.value.field == "client c1.service_minutes"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"count": 0}, "vehicle v.count"),
        ({"capacity_tires": -1}, "vehicle v.capacity_tires"),
        ({"shift_start": 600, "shift_end": 480}, "vehicle v.shift"),
        ({"cost_per_km": -2.0}, "vehicle v.cost_per_km"),
        ({"cost_per_hour": math.nan}, "vehicle v.cost_per_hour"),
    ],
)
def test_vehicle_fields(kwargs: dict[str, float], field: str) -> None:
    builder = ProblemBuilder().add_depot("d", Point(0, 0))
    args: dict[str, float] = {"capacity_tires": 10, **kwargs}
    with pytest.raises(ProblemError) as err:
        builder.add_vehicle_type("v", depot="d", **args)  # type: ignore[arg-type]
    assert err.value.field == field


def test_duplicate_ids_and_order_of_inputs() -> None:
    builder = ProblemBuilder().add_depot("d", Point(0, 0))
    with pytest.raises(ProblemError, match="add the vehicle types before the clients"):
        builder.add_client("c1", Point(1, 1), tires=1)
    with pytest.raises(ProblemError, match="already used"):
        builder.add_depot("d", Point(2, 2))
    with pytest.raises(ProblemError, match="at least one vehicle type"):
        builder.build()


def test_build_converts_to_ticks_with_the_scale() -> None:
    problem = (
        _with_vehicle()
        .add_client(
            "c1",
            Point(3, 4),
            tires=4,
            window_start=9 * 60,
            window_end=9 * 60 + 30.5,
            service_minutes=12,
        )
        .build()
    )
    client = problem.clients[0]
    assert (client.window_start, client.window_end, client.service) == (32400, 34230, 720)
    assert problem.distance[0, 1] == 5000  # 5 km in metres (default Euclidean, units = km)


def test_unreachable_window_is_refused_at_build() -> None:
    builder = ProblemBuilder().add_depot("d", Point(0, 0), opens=8 * 60)
    builder.add_vehicle_type("van", depot="d", capacity_tires=40, shift_end=18 * 60)
    builder.add_client("early", Point(0, 60), tires=4, window_start=0, window_end=8 * 60 + 30)
    with pytest.raises(ProblemError) as err:  # 60 km at speed 1 km/min: 9:00 at the earliest
        builder.build()
    assert err.value.field == "client early.window"
    assert "earliest start of service 540" in err.value.reason
