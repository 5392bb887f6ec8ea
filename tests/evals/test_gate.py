"""The CI gate: every eval task once, in process; a suite below its pass^1 threshold fails.

The full run (several trials, pass^k, reports) is ``topllantas eval run``; see the README.
"""

from __future__ import annotations

from evals.harness import TrialResult
from evals.metrics import gate, load_thresholds, summarize
from evals.models import load_tasks


def test_every_suite_keeps_its_pass1_threshold(gate_results: list[TrialResult]) -> None:
    summaries = summarize(gate_results)
    thresholds = load_thresholds()
    assert set(thresholds) == set(summaries), "every suite needs a threshold, and only suites"
    failures = gate(summaries, thresholds)
    assert not failures, "\n".join(failures)


def test_the_gate_ran_every_task_and_no_task_is_broken(gate_results: list[TrialResult]) -> None:
    assert {r.task_id for r in gate_results} == {t.id for t in load_tasks()}
    broken = [f"{r.task_id}: {r.error}" for r in gate_results if r.error_kind == "task"]
    assert not broken, "\n".join(broken)
