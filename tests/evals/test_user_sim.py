"""Simulated users: the rule user answers from what it knows; the LLM user speaks OpenAI's API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from core.settings import LlmSettings, Settings
from evals.models import Goal, Task, load_tasks
from evals.user_sim import DONT_KNOW, NO_RESERVE, STOP, LLMUser, RuleUser, ScriptedUser
from tests.evals.conftest import make_harness
from tests.fakes.openai_server import ScriptedOpenAI
from tests.live_server import live_server

OPTIONS = (
    "Para tu Jetta 2020 tengo estas opciones: ... ¿Te interesa alguna? Puedo apartarte las llantas"
)
QUOTE = "Te cotizo 4 Continental... Total: $11,240. ¿Te las aparto con $500 de anticipo?"
RESERVED = "¡Perfecto! Te aparté 4 Continental UltraContact 205/55R16. Folio: TL-000123"


def test_the_rule_user_answers_what_it_is_asked_and_admits_what_it_does_not_know() -> None:
    user = RuleUser(
        Goal(opening="llantas pa mi jetta", known={"year": "es 2020"}, unknown=["size"])
    )
    assert user.first() == "llantas pa mi jetta"
    assert user.next("¡Va! ¿De qué año es tu Jetta?") == "es 2020"
    assert user.next("¿Me pasas la medida que viene en el costado?") == DONT_KNOW
    # "auto y año, o la medida": it answers the part it knows.
    car = RuleUser(Goal(opening="quiero llantas", known={"vehicle": "un spark 2014"}))
    assert (
        car.next("¿Para qué auto y de qué año son? O pásame la medida del costado")
        == "un spark 2014"
    )


def test_the_rule_user_reserves_only_when_its_goal_says_so() -> None:
    buyer = RuleUser(Goal(opening="x", known={"choice": "la continental"}, reserve=True))
    assert buyer.next(OPTIONS) == "la continental"
    assert buyer.next(QUOTE) and buyer.next(RESERVED) is None  # a folio: the goal is reached
    browser = RuleUser(Goal(opening="x", known={"choice": "la continental"}))
    assert browser.next(OPTIONS) == "la continental"
    assert browser.next(QUOTE) == NO_RESERVE
    assert browser.next(QUOTE) is None  # asked again after saying no: it leaves
    assert RuleUser(Goal(opening="x")).next(OPTIONS) is None  # it only wanted the prices


def test_the_rule_user_leaves_a_loop_and_respects_its_turn_limit() -> None:
    user = RuleUser(Goal(opening="x", known={"year": "2020"}), max_turns=10)
    assert [user.next("¿De qué año?") for _ in range(3)] == ["2020", "2020", None]
    short = RuleUser(Goal(opening="x", known={"year": "2020"}), max_turns=1)
    assert short.next("¿De qué año?") is None
    assert ScriptedUser(["a", "b"]).next("lo que sea") == "b"


def _llm(url: str) -> LlmSettings:
    return LlmSettings(provider="openai_compatible", base_url=f"{url}/v1", api_key=SecretStr("sk-user"),
                       model="user-sim")  # fmt: skip


def test_the_llm_user_plays_the_goal_with_roles_swapped_and_stops_on_the_marker() -> None:
    fake = ScriptedOpenAI(
        [{"content": "es 2020 jeje"}, {"content": f"gracias {STOP}"}], api_key="sk-user"
    )
    goal = Goal(opening="llantas pa mi jetta", known={"year": "2020"}, unknown=["size"])
    with live_server(fake.app) as url:
        user = LLMUser.from_settings(goal, _llm(url))
        assert user.first() == "llantas pa mi jetta"
        assert user.next("¿De qué año es tu Jetta?") == "es 2020 jeje"
        assert user.next("Listo, estas son las opciones") is None
    messages = fake.chat_requests[0].messages
    assert messages[0]["role"] == "system" and "- year: 2020" in messages[0]["content"]
    assert "size" in messages[0]["content"] and STOP in messages[0]["content"]
    # To the simulator its own lines are "assistant" and the agent's are "user".
    assert [m["role"] for m in messages[1:]] == ["assistant", "user"]
    assert messages[-1]["content"] == "¿De qué año es tu Jetta?"


def test_a_goal_task_runs_with_an_llm_user(
    eval_settings: Settings, eval_cache: Path, sqlite_template: Path
) -> None:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        last = body["messages"][-1]["content"].lower()
        return {"content": "del 2018"} if "año" in last else {"content": STOP}

    fake = ScriptedOpenAI(api_key="sk-user").respond(answer)
    task = next(t for t in load_tasks(["sales"]) if t.id == "fit-sentra-asks-year")
    with live_server(fake.app) as url:
        harness = make_harness(
            eval_settings, eval_cache, sqlite_template, user="llm", user_llm=_llm(url)
        )
        [result] = harness.run([task])
    assert result.user == "llm" and [t.user for t in result.turns][1] == "del 2018"
    assert result.passed, result.checks


def test_vars_fill_the_users_words_from_the_database(
    eval_settings: Settings, eval_cache: Path, sqlite_template: Path
) -> None:
    task = next(t for t in load_tasks(["safety"]) if t.id == "other-phone-by-name")
    [result] = make_harness(eval_settings, eval_cache, sqlite_template).run([task])
    assert "{name}" not in result.turns[0].user and "es mi compadre" in result.turns[0].user
    assert isinstance(task, Task)
