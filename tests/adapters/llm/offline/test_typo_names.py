"""Names mistyped as customers type them: a slipped key in a short model, a year in words."""

from __future__ import annotations

import pytest

from adapters.llm.offline.nlu.normalize import normalize
from adapters.llm.offline.nlu.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_demo_files()


def _models(vocabulary: Vocabulary, text: str) -> set[str]:
    return {m.entry.name for m in vocabulary.scan(normalize(text).split()) if m.entry.kind == "model"}


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("cuanto cuestan las llantas para kis rjo 2020?", "Rio"),
        ("llantas para honda cgv 2018 touring", "CR-V"),
        ("una hrv 2020", "HR-V"),
    ],
)
def test_a_slipped_key_in_a_three_letter_model_before_its_year(
    vocabulary: Vocabulary, text: str, model: str
) -> None:
    assert _models(vocabulary, text) == {model}


@pytest.mark.parametrize(
    "text", ["para mis 2020", "son del 2019", "los 2020", "cgv sin año", "tengo un rjo"]
)
def test_short_words_and_yearless_typos_are_not_models(vocabulary: Vocabulary, text: str) -> None:
    assert _models(vocabulary, text) == set()


def test_a_year_in_words_survives_a_slipped_key() -> None:
    assert "2018" in normalize("sentra dis mil dieciocho advance").split()
    assert "2020" in normalize("es un dos mil veinte").split()


@pytest.mark.parametrize(
    ("text", "trims", "trim"),
    [
        ("cuanto las llantas pa vento 2018 cojfortline", ["Comfortline", "Highline"], "Comfortline"),
        ("llantas pa tucson 2023 limitdd porfavor", ["GLS", "Limited"], "Limited"),
        ("honda city 2022 spott?", ["Sport", "EX", "Prime"], "Sport"),
        ("llantas para el city 2022", ["Sport", "EX", "Prime"], None),
        ("la sportx o la sporty", ["Sportx", "Sporty"], "Sportx"),  # named exactly, not fuzzily
    ],
)
def test_a_trim_with_one_slipped_key(text: str, trims: list[str], trim: str | None) -> None:
    from adapters.llm.offline.nlu.details import extract_trim

    assert extract_trim(text, trims) == trim


def test_two_trims_equally_close_are_not_guessed() -> None:
    from adapters.llm.offline.nlu.details import extract_trim

    assert extract_trim("la versión spirt", ["Sport", "Spirit"]) is None
