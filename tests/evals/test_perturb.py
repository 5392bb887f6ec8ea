"""Perturbed variants: deterministic, realistic, and never inside folios, sizes, RFCs or numbers."""

from __future__ import annotations

import re

import pytest

from evals.harness import TrialResult
from evals.metrics import summarize
from evals.models import Task, TaskFile, load_tasks
from evals.perturb import (
    KINDS,
    NEIGHBOURS,
    add_emoji,
    keyboard_typos,
    perturb,
    perturb_task,
    protected_tokens,
    rng_for,
    run_on,
    slang,
    strip_accents,
    variants,
)
from evals.report import markdown

LINE = (
    "¿Cuánto cuestan 4 llantas 205/55R16 para mi Jetta 2020? Mi folio es TL-000123, "
    "mi RFC GOMJ850315H76 y el CP 06700. Por favor, también quiero factura. nel, BAJA"
)
KEPT = ["205/55R16", "2020?", "TL-000123", "GOMJ850315H76", "06700.", "BAJA", "4"]


def test_protected_tokens_are_found() -> None:
    tokens = protected_tokens(LINE)
    for token in KEPT:
        assert token in tokens
    assert protected_tokens("es el {folio} porfa") == ["{folio}"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_deterministic_and_leaves_protected_tokens_alone(kind: str) -> None:
    seeds = [perturb(LINE, kind, rng_for(7, "task", kind, i)) for i in range(20)]  # type: ignore[arg-type]
    again = [perturb(LINE, kind, rng_for(7, "task", kind, i)) for i in range(20)]  # type: ignore[arg-type]
    assert seeds == again
    for out in seeds:
        for token in ["205/55R16", "TL-000123", "GOMJ850315H76", "06700", "BAJA"]:
            assert token in out, (kind, out)
        assert re.findall(r"\d+", out) == re.findall(r"\d+", LINE), (kind, out)
    assert any(out != LINE for out in seeds), kind


def test_accents_go_and_nothing_else_changes() -> None:
    assert strip_accents("¿Cuánto cuesta la llanta del año? ¡Órale, señor!") == (
        "Cuanto cuesta la llanta del ano? Orale, senor!"
    )


def test_typos_are_keyboard_neighbours_at_most_one_per_8_letters_and_per_word() -> None:
    text = "necesito cuatro llantas para la camioneta de mi esposa 265/70R17"
    letters = sum(c.isalpha() for c in text.replace("R", ""))
    for i in range(200):
        out = keyboard_typos(text, rng_for(1, i))
        assert len(out) == len(text)
        changed = [(a, b) for a, b in zip(text, out, strict=True) if a != b]
        assert 1 <= len(changed) <= (letters // 8 + 1) // 2 <= letters // 8
        assert all(b.lower() in NEIGHBOURS[a.lower()] for a, b in changed)
        words_changed = [w for w, v in zip(text.split(), out.split(), strict=True) if w != v]
        assert len(words_changed) == len(changed)  # one typo per word at most
        assert all(w[0] == v[0] for w, v in zip(text.split(), out.split(), strict=True))
        assert out.endswith("265/70R17")
    assert keyboard_typos("si va", rng_for(1, 0)) == "si va"  # too short for a typo


def test_slang_substitutes_whole_words_only() -> None:
    outs = {
        slang("por favor necesito saber que precio tienen para mi coche", rng_for(3, i))
        for i in range(30)
    }
    assert any("porfa" in o and "ocupo" in o and " pa " in o for o in outs)
    assert all("mi coche" in o for o in outs)
    assert slang("esquema paraguas", rng_for(3, 0)) == "esquema paraguas"  # not inside words


def test_run_on_drops_punctuation_and_joins_sentences() -> None:
    out = run_on("Hola. Quiero 4 llantas, ¿tienen? Gracias!", rng_for(5, 0))
    assert not re.search(r"[.,;:!?¿¡]", out)
    assert "4" in out and out == out.lower()
    assert run_on("Folio TL-000123.", rng_for(5, 1)).count("TL-000123") == 1


def test_emoji_are_added_between_words_or_at_the_end() -> None:
    out = add_emoji("cuanto las 4 de 205/55r16", rng_for(2, 0))
    assert len(out) > len("cuanto las 4 de 205/55r16")
    assert "205/55r16" in out and not out.isascii()


def test_a_perturbed_task_keeps_its_expectations_and_events() -> None:
    task = next(t for t in load_tasks(["repair"]) if t.user.events_before())
    variant = perturb_task(task, "typos", seed=3)
    assert variant.id == f"{task.id}--typos" and variant.perturbation == "typos"
    assert variant.user.events_before() == task.user.events_before()
    assert variant.communicate == task.communicate and variant.db == task.db
    assert len(variant.user_texts()) == len(task.user_texts())
    assert perturb_task(task, "typos", seed=3) == variant  # deterministic
    goal_task = next(
        t for t in load_tasks(["sales"]) if t.user.goal is not None and t.user.goal.known
    )
    goal_variant = perturb_task(goal_task, "mixed", seed=3)
    assert goal_variant.user.goal is not None and goal_task.user.goal is not None
    assert set(goal_variant.user.goal.known) == set(goal_task.user.goal.known)


def test_every_suite_has_valid_variants_with_placeholders_intact() -> None:
    tasks = load_tasks()
    generated = variants(tasks, seed=0)
    assert len(generated) == 5 * len(tasks)
    for original, variant in zip([t for t in tasks for _ in range(5)], generated, strict=True):
        Task.model_validate(variant.model_dump())
        for text, changed in zip(original.user_texts(), variant.user_texts(), strict=True):
            assert re.findall(r"\{\w+\}", changed) == re.findall(r"\{\w+\}", text)
            assert re.findall(r"TL-\d+", changed) == re.findall(r"TL-\d+", text)


def test_a_task_file_cannot_hold_a_generated_variant() -> None:
    task = perturb_task(load_tasks(["sales"])[0], "slang")
    with pytest.raises(ValueError, match="generated"):
        TaskFile.model_validate({"suite": "sales", "tasks": [task.model_dump()]})


def _trial(task: str, passed: bool, kind: str | None = None) -> TrialResult:
    return TrialResult(run_id="r", task_id=task if kind is None else f"{task}--{kind}",
                       suite="repair", trial=0, passed=passed, perturbation=kind)  # fmt: skip


def test_summaries_and_report_show_perturbed_pass1_beside_the_originals() -> None:
    results = [
        _trial("a", True), _trial("b", True), _trial("c", False),
        _trial("a", True, "typos"), _trial("b", False, "typos"), _trial("c", False, "typos"),
        _trial("a", True, "slang"), _trial("b", True, "slang"), _trial("c", True, "slang"),
    ]  # fmt: skip
    summary = summarize(results)["repair"]
    assert summary.tasks == 3 and summary.pass_k[1] == pytest.approx(2 / 3)
    assert summary.failing == ["c"]  # variants never count in the suite's own figures
    assert summary.perturbed_pass1 == pytest.approx(4 / 6)
    assert summary.perturbed_by_kind == {"slang": 1.0, "typos": pytest.approx(1 / 3)}
    assert summary.broken_by_perturbation == ["b--typos"]
    assert summary.robustness_gap == pytest.approx(0.0)
    md = markdown("r", results)
    assert "| pass^1 | pass^1 perturbed | gap |" in md
    assert "| repair | 3 | 1 | 66.7% | 66.7% | +0.0 pts |" in md
    assert "| repair | 66.7% | 100.0% | 33.3% | 66.7% | +0.0 pts |" in md
    assert "`repair/b--typos`" in md and "`repair/c--typos`" not in md
