"""The harness catches what it should: wrong writes, crashes, hangs; pass^k is tau-bench's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tools.catalog
from adapters.erp.sql import SqlErp
from core.settings import Settings
from domain.sales import OrderCreate
from evals.harness import TrialResult
from evals.metrics import gate, load_thresholds, summarize
from evals.models import Task, load_tasks
from evals.scoring import pass_hat_k, tool_precision_recall
from tests.evals.conftest import make_harness


def _trial(task: str, suite: str, passed: list[bool]) -> list[TrialResult]:
    return [
        TrialResult(run_id="r", task_id=task, suite=suite, trial=i, passed=p)
        for i, p in enumerate(passed)
    ]


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [(4, 4, 1, 1.0), (4, 4, 4, 1.0), (4, 2, 1, 0.5), (4, 2, 2, 1 / 6), (4, 2, 3, 0.0),
     (4, 3, 2, 0.5), (4, 0, 1, 0.0), (8, 6, 4, 15 / 70), (1, 1, 1, 1.0)],
)  # fmt: skip
def test_pass_hat_k_is_c_choose_k_over_n_choose_k(n: int, c: int, k: int, expected: float) -> None:
    assert pass_hat_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize(("n", "c", "k"), [(4, 2, 0), (4, 2, 5), (4, 5, 1), (4, -1, 1)])
def test_pass_hat_k_refuses_impossible_counts(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError):
        pass_hat_k(n, c, k)


def test_suite_pass_k_averages_tasks_and_falls_with_inconsistency() -> None:
    results = _trial("steady", "sales", [True] * 4) + _trial(
        "flaky", "sales", [True, False, True, False]
    )
    summary = summarize(results)["sales"]
    assert summary.trials == 4
    assert summary.pass_k[1] == pytest.approx((1 + 0.5) / 2)
    assert summary.pass_k[2] == pytest.approx((1 + 1 / 6) / 2)
    assert summary.pass_k[4] == pytest.approx(0.5)
    assert summary.failing == ["flaky"]
    assert gate({"sales": summary}, {"sales": 0.8}) and not gate(
        {"sales": summary}, {"sales": 0.75}
    )


def test_tool_precision_and_recall_count_calls_as_multisets() -> None:
    assert tool_precision_recall(["search_tires", "quote_tires"], ["search_tires"]) == (0.5, 1.0)
    assert tool_precision_recall(["quote_tires"], ["quote_tires", "quote_tires"]) == (1.0, 0.5)
    assert tool_precision_recall([], []) == (1.0, 1.0)


def _reserving(tasks: list[Task]) -> list[Task]:
    return [t for t in tasks if any(a.tool == "create_reservation" for a in t.actions)]


def test_a_tool_that_reserves_the_wrong_quantity_fails_the_gate(
    monkeypatch: pytest.MonkeyPatch,
    eval_settings: Settings,
    eval_cache: Path,
    sqlite_template: Path,
    gate_results: list[TrialResult],
) -> None:
    """Swap the store's order creation for one that holds 2 tires whatever was asked."""
    real = SqlErp.create_order

    def two_instead(self: SqlErp, payload: OrderCreate, **kwargs: Any) -> Any:
        lines = [line.model_copy(update={"quantity": 2}) for line in payload.lines]
        return real(self, payload.model_copy(update={"lines": lines}), **kwargs)

    monkeypatch.setattr(SqlErp, "create_order", two_instead)
    affected = [
        t for t in _reserving(load_tasks(["sales"])) if "two" not in t.id and "fewer" not in t.id
    ]
    passed_before = {r.task_id for r in gate_results if r.passed}
    broken = make_harness(eval_settings, eval_cache, sqlite_template).run(affected)

    caught = {r.task_id for r in broken if not r.passed}
    assert passed_before & {t.id for t in affected}, "no reservation task passes to begin with"
    assert caught >= passed_before & {t.id for t in affected}
    for r in broken:
        if r.task_id in passed_before:
            db = next(c for c in r.checks if c.name == "db")
            assert not db.ok and ("x2" in db.detail or "quantity 2" in db.detail), db.detail
    merged = [r for r in gate_results if r.task_id not in caught] + broken
    failures = gate(summarize(merged), load_thresholds())
    assert any(f.startswith("sales:") for f in failures), failures


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # let a deliberately hung conversation finish after the test


def test_a_crash_is_a_failed_trial_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
    eval_settings: Settings,
    eval_cache: Path,
    sqlite_template: Path,
) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("stock service exploded")

    monkeypatch.setattr(tools.catalog, "_in_stock", boom)
    task = next(t for t in load_tasks(["sales"]) if t.id == "size-spaces")
    [result] = make_harness(eval_settings, eval_cache, sqlite_template).run([task])
    assert not result.passed and result.error_kind == "crash"
    assert result.error and "Traceback" in result.error and "stock service exploded" in result.error
    assert all(t.reply for t in result.turns)  # the turns before the crash are kept


def test_a_hung_conversation_times_out_as_a_failed_trial(
    monkeypatch: pytest.MonkeyPatch,
    eval_settings: Settings,
    eval_cache: Path,
    sqlite_template: Path,
    release: threading.Event,
) -> None:
    def hang(*_: Any, **__: Any) -> Any:
        release.wait(30)
        raise RuntimeError("released")

    monkeypatch.setattr(tools.catalog, "_in_stock", hang)
    task = next(t for t in load_tasks(["sales"]) if t.id == "size-spaces")
    harness = make_harness(eval_settings, eval_cache, sqlite_template, timeout_s=1.0)
    [result] = harness.run([task])
    assert not result.passed and result.error_kind == "timeout"
    assert result.error and "timed out after 1 s during turn 1" in result.error


def test_results_are_appended_as_jsonl_with_a_run_header(
    eval_settings: Settings, eval_cache: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    from evals.metrics import load_results

    tasks = [t for t in load_tasks(["routing"]) if t.id in ("to-sales-vehicle", "to-support-dot")]
    out = tmp_path / "results.jsonl"
    harness = make_harness(eval_settings, eval_cache, sqlite_template, trials=2)
    harness.run(tasks, out=out)
    second = make_harness(eval_settings, eval_cache, sqlite_template)
    second.run(tasks[:1], out=out)
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 4 + 1 + 1 and '"kind":"run"' in lines[0]
    run_id, trials = load_results(out)
    assert run_id == second.run_id and len(trials) == 1
    first_id, first = load_results(out, harness.run_id)
    assert len(first) == 4 and summarize(first)["routing"].trials == 2
