from __future__ import annotations

import pytest

from core.errors import InvalidRequest
from domain.tire_size import parse_tire_size, try_parse_tire_size


@pytest.mark.parametrize(
    "raw",
    [
        "205/55R16",
        "205/55 R16",
        "205 55 16",
        "205/55/16",
        "20555r16",
        "P205/55R16 91V",
        "p205/55zr16",
        " 205-55-16 ",
    ],
)
def test_every_common_spelling_of_a_metric_size_normalises_the_same(raw: str) -> None:
    size = parse_tire_size(raw)
    assert size.canonical == "205/55R16"
    assert (size.width, size.aspect, size.rim) == (205, 55, 16)


def test_service_description_is_kept_but_not_in_the_catalogue_key() -> None:
    size = parse_tire_size("P205/55R16 91V")
    assert (size.load_index, size.speed_rating) == (91, "V")
    assert str(size) == "205/55R16 91V"


def test_light_truck_and_commercial_sizes_stay_distinct_products() -> None:
    assert parse_tire_size("LT265/70R17").canonical == "LT265/70R17"
    assert parse_tire_size("lt 265 70 17 121/118S").canonical == "LT265/70R17"
    assert parse_tire_size("195/75R16C").canonical == "195/75R16C"


def test_flotation_sizes() -> None:
    size = parse_tire_size("31x10.50R15")
    assert size.canonical == "31x10.50R15"
    assert size.is_flotation and size.rim == 15 and size.width == 267
    assert parse_tire_size("33X12.5R20 114Q").canonical == "33x12.50R20"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("hola", "expected width/aspect and rim"),
        ("", "empty"),
        ("207/55R16", "must end in 5"),
        ("205/53R16", "multiple of 5"),
        ("999/55R16", "outside 125-395"),
        ("205/55R40", "rim 40"),
        ("205/55R16 91K", "speed rating 'K'"),
        ("31x10.50R35", "rim 35"),
        ("12x10.50R15", "diameter"),
    ],
)
def test_nonsense_is_rejected_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        parse_tire_size(raw)
    assert reason in err.value.message
    assert err.value.field == "size"
    assert try_parse_tire_size(raw) is None
