"""Tire trouble read from how customers describe it, not from a manual's words."""

from __future__ import annotations

import pytest

from domain.diagnosis import BY_CODE, Urgency, diagnose, dot_date


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("el volante tiembla cuando voy arriba de 100", "vibration"),
        ("se siente como que bailotea el carro en la autopista", "vibration"),
        ("se me jala pa la izquierda desde ayer", "pulling"),
        ("el coche se va de lado cuando suelto el volante", "pulling"),
        ("se estan comiendo de la orilla de adentro", "uneven_wear"),
        ("le salio un chipote a la llanta de adelante", "bulge"),
        ("cada tercer dia la tengo q inflar", "slow_leak"),
        ("ya tiene grietas en el costado, esta bien reseca", "cracks"),
        ("hace un zumbido bien feo en carretera", "noise"),
        ("se prendio el foquito de la llanta en el tablero", "warning_light"),
        ("la banda se le esta separando", "separation"),
        ("me cayo un clavo, se puede parchar?", "puncture"),
        ("tiene un tornillo en el hombro", "puncture_shoulder"),
        ("de q año son estas llantas? las venden en el tianguis", "tire_age"),
    ],
)
def test_lay_descriptions_point_at_the_problem(text: str, code: str) -> None:
    found = diagnose(text)
    assert found, text
    assert found[0].code == code


@pytest.mark.parametrize(
    "text",
    [
        "cuanto cuesta una 205/55R16",
        "a que hora abren el sabado",
        "cuando se va a entregar mi pedido",
        "son nuevas o usadas las llantas?",
    ],
)
def test_questions_that_are_not_trouble_find_nothing(text: str) -> None:
    assert diagnose(text) == []


def test_a_puncture_in_the_shoulder_is_never_repaired() -> None:
    found = diagnose("se me poncho con un clavo casi en la orilla, en el hombro")
    assert [p.code for p in found] == ["puncture_shoulder"]
    assert found[0].replace and found[0].urgency == Urgency.STOP
    tread = diagnose("se me poncho con un clavo")
    assert tread[0].code == "puncture" and not tread[0].replace


def test_the_separating_question_is_skipped_when_the_description_answers_it() -> None:
    vibration = BY_CODE["vibration"]
    assert vibration.asks("vibra el carro") is not None
    assert vibration.asks("vibra el volante arriba de 90") is None
    assert BY_CODE["pulling"].asks("se jala solo cuando freno") is None
    assert BY_CODE["pulling"].asks("se jala a la derecha") is not None


@pytest.mark.parametrize(
    ("text", "week", "year"),
    [("dice 1819", 18, 2019), ("DOT 4B2C 2318", 23, 2018), ("el dot es 0522", 5, 2022)],
)
def test_dot_dates_are_read(text: str, week: int, year: int) -> None:
    date = dot_date(text, current_year=2026)
    assert date is not None
    assert (date.week, date.year) == (week, year)


@pytest.mark.parametrize("text", ["dice 6019", "dice 1830", "sin numeros"])
def test_impossible_dot_dates_are_not_read(text: str) -> None:
    assert dot_date(text, current_year=2026) is None


def test_age_counts_whole_years_from_the_week() -> None:
    date = dot_date("1819", current_year=2026)
    assert date is not None
    assert date.age_years(2026, 17) == 6
    assert date.age_years(2026, 18) == 7
