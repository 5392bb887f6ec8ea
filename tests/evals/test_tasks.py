"""The task files: valid, big enough, covering every agent, and apart from the NLU's training data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from evals.metrics import load_thresholds
from evals.models import InvoiceExpect, Task, TaskFile, load_tasks, suite_files
from evals.user_sim import CANNED
from evals.world import tool_registry

CORPUS = Path(__file__).resolve().parents[2] / "adapters/llm/offline/nlu/data/intents_train.tsv"
MINIMUM = {"sales": 40, "routing": 30, "safety": 15, "repair": 60}


def test_every_suite_file_validates_and_has_enough_tasks() -> None:
    files = suite_files()
    assert set(MINIMUM) <= set(files)
    for suite, minimum in MINIMUM.items():
        tasks = load_tasks([suite])
        assert len(tasks) >= minimum, f"{suite}: {len(tasks)} tasks"
    ids = [t.id for t in load_tasks()]
    assert len(ids) == len(set(ids)), "task ids are unique across suites"


def test_no_user_text_is_in_the_offline_models_training_corpus() -> None:
    corpus = {
        line.split("\t", 1)[1].strip().lower()
        for line in CORPUS.read_text(encoding="utf-8").splitlines()
        if "\t" in line
    }
    leaked = [
        f"{t.id}: {text!r}"
        for t in load_tasks()
        for text in t.user_texts()
        if text.strip().lower() in corpus
    ]
    leaked += [f"simulated user: {text!r}" for text in CANNED if text.lower() in corpus]
    assert not leaked, "tasks must not reuse training sentences:\n" + "\n".join(leaked)


def test_routing_covers_all_four_agents_and_inventory_is_asked_by_staff() -> None:
    tasks = load_tasks(["routing"])
    agents = {check.agent for t in tasks for check in t.route}
    assert {"sales", "support", "inventory", "logistics"} <= agents
    inventory = [t for t in tasks if any(c.agent == "inventory" for c in t.route)]
    assert inventory and all(t.persona.role == "staff" for t in inventory)


def test_reference_actions_name_real_tools() -> None:
    tools = tool_registry()
    unknown = [(t.id, a.tool) for t in load_tasks() for a in t.actions if a.tool not in tools]
    assert not unknown


def test_every_suite_has_a_threshold_between_0_and_1() -> None:
    thresholds = load_thresholds()
    assert set(thresholds) == set(suite_files())
    assert all(0.0 <= v <= 1.0 for v in thresholds.values())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"user": {"script": ["hola"], "goal": {"opening": "hola"}}}, "exactly one of user.script"),
        ({"persona": {"role": "staff", "new_customer": True}}, "only a customer persona"),
        ({"communicate": [{"text": "x", "any_of": ["y"]}]}, "exactly one of text"),
        ({"route": "nobody"}, "route"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_tasks_are_rejected_with_the_reason(change: dict[str, object], message: str) -> None:
    base = {"id": "bad-task", "suite": "sales", "user": {"script": ["ocupo llantas"]}}
    with pytest.raises(ValidationError, match=message):
        Task.model_validate({**base, **change})


def test_a_suite_file_rejects_duplicate_ids_and_foreign_tasks() -> None:
    task = {"id": "same-id", "suite": "sales", "user": {"script": ["ocupo llantas"]}}
    with pytest.raises(ValidationError, match="duplicate"):
        TaskFile.model_validate({"suite": "sales", "tasks": [task, task]})
    with pytest.raises(ValidationError, match="another suite"):
        TaskFile.model_validate({"suite": "routing", "tasks": [task]})
    assert json.loads(suite_files()["sales"].read_text(encoding="utf-8"))["suite"] == "sales"


def test_the_repair_suite_is_multi_turn_across_the_four_areas_and_uses_per_turn_checks() -> None:
    tasks = load_tasks(["repair"])
    areas = {t.description.split("]")[0].lstrip("[").split("/")[0] for t in tasks}
    assert {"sales", "logistics", "support", "staff"} <= areas
    multi = [t for t in tasks if len(t.user_texts()) >= 2]
    assert len(multi) >= 0.8 * len(tasks), "repair is about what happens after the first turn"
    assert all(t.user.script is not None for t in tasks), "scripted, so turn checks are exact"
    assert any(t.user.events_before() for t in tasks)
    assert any(f.turn is not None or f.since is not None for t in tasks for f in t.communicate)
    assert any(t.forbid.at for t in tasks) and any(f.pattern for t in tasks for f in t.communicate)
    orders = [o for t in tasks for o in t.db.orders or []]
    assert any(o.fulfillment_weekday is not None and o.fulfillment_window for o in orders)
    assert any(isinstance(o.invoice, InvoiceExpect) for o in orders)
    assert any(o.folio is not None for o in orders) and any(o.pending_links == 1 for o in orders)
    staff = [t for t in tasks if t.persona.role == "staff"]
    assert staff and all(t.db.nothing_written for t in staff)
