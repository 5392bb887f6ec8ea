"""Support tools through run_tool, as the agents call them."""

from __future__ import annotations

import pytest

from domain.tool_results import Diagnosis, KbAnswer
from tests.tools.conftest import MakeCtx, call, refusal
from tools.support import DIAGNOSE_PROBLEM, SEARCH_KNOWLEDGE_BASE


def test_a_lay_symptom_gets_causes_urgency_priced_services_and_sources(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    found = call(
        DIAGNOSE_PROBLEM, ctx, Diagnosis, symptoms="el volante tiembla cuando voy arriba de 90"
    )
    assert [p.code for p in found.problems] == ["vibration"]
    assert found.problems[0].urgency == "soon"
    assert [s.code for s in found.services] == ["balancing"]
    assert found.services[0].price_cents > 0
    assert found.question is None  # the speed is already said
    assert found.sources and any("ibra" in s.title for s in found.sources)


def test_the_separating_question_comes_back_when_the_description_lacks_it(
    make_ctx: MakeCtx,
) -> None:
    found = call(DIAGNOSE_PROBLEM, make_ctx(), Diagnosis, symptoms="se me jala el carro")
    assert found.problems[0].code == "pulling"
    assert found.question and "fren" in found.question


def test_a_dot_code_is_read_only_when_the_talk_is_about_age(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    aged = call(
        DIAGNOSE_PROBLEM, ctx, Diagnosis, symptoms="de que año son? dice 1819 en el costado"
    )
    assert aged.dot is not None and (aged.dot.week, aged.dot.year) == (18, 2019)
    other = call(DIAGNOSE_PROBLEM, ctx, Diagnosis, symptoms="mi carro 2019 vibra en carretera")
    assert other.dot is None


def test_nothing_recognisable_gives_no_problem_and_no_sources(make_ctx: MakeCtx) -> None:
    found = call(DIAGNOSE_PROBLEM, make_ctx(), Diagnosis, symptoms="hola buenas tardes")
    assert found.problems == [] and found.sources == []


def test_empty_symptoms_are_refused_with_the_field_named(make_ctx: MakeCtx) -> None:
    assert "symptoms" in refusal(DIAGNOSE_PROBLEM, make_ctx(), symptoms="")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("cada cuanto se rotan las llantas", "rot"),
        ("cuanto aire le pongo", "presi"),
        ("se puede reparar una runflat ponchada", "run-flat"),
    ],
)
def test_the_bundled_guides_answer_care_questions(
    make_ctx: MakeCtx, query: str, words: str
) -> None:
    answer = call(SEARCH_KNOWLEDGE_BASE, make_ctx(), KbAnswer, query=query, k=2)
    assert answer.passages
    assert words in answer.passages[0].title.lower()

