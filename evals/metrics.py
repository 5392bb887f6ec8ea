"""Suite figures from trial results (pass^k, routing, tool precision/recall, latency) and the gate."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from evals.harness import TrialResult
from evals.perturb import VARIANT_SEPARATOR
from evals.scoring import pass_hat_k

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"


@dataclass
class SuiteSummary:
    """One suite of one run."""

    suite: str
    tasks: int
    trials: int  # per task (the smallest count, so every task has that many)
    pass_k: dict[int, float]
    routing_accuracy: float | None
    tool_precision: float
    tool_recall: float
    mean_turns: float
    p95_latency_ms: float
    errors: int
    failing: list[str] = field(default_factory=list)
    # The perturbed variants of the same tasks (evals.perturb), when the run had them.
    perturbed_pass1: float | None = None
    perturbed_tasks: int = 0
    perturbed_by_kind: dict[str, float] = field(default_factory=dict)
    # Variants that fail although their original passes: what the perturbation broke.
    broken_by_perturbation: list[str] = field(default_factory=list)

    @property
    def robustness_gap(self) -> float | None:
        """pass^1 of the originals minus pass^1 of the perturbed variants (1.0 = 100 points)."""
        if self.perturbed_pass1 is None or 1 not in self.pass_k:
            return None
        return self.pass_k[1] - self.perturbed_pass1


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _pass1(rows: list[TrialResult]) -> float:
    """pass^1 averaged over the tasks of these trials."""
    by_task: dict[str, list[TrialResult]] = defaultdict(list)
    for r in rows:
        by_task[r.task_id].append(r)
    return sum(sum(r.passed for r in v) / len(v) for v in by_task.values()) / len(by_task)


def _robustness(summary: SuiteSummary, originals: list[TrialResult],
                perturbed: list[TrialResult]) -> None:  # fmt: skip
    """Fill in the perturbed variants' figures (pass^1 overall and per kind)."""
    if not perturbed:
        return
    summary.perturbed_pass1 = _pass1(perturbed)
    summary.perturbed_tasks = len({r.task_id for r in perturbed})
    kinds: dict[str, list[TrialResult]] = defaultdict(list)
    for r in perturbed:
        kinds[str(r.perturbation)].append(r)
    summary.perturbed_by_kind = {kind: _pass1(rows) for kind, rows in sorted(kinds.items())}
    passed = {r.task_id for r in originals if r.passed}
    summary.broken_by_perturbation = sorted({
        r.task_id for r in perturbed
        if not r.passed and r.task_id.rsplit(VARIANT_SEPARATOR, 1)[0] in passed
    })  # fmt: skip


def summarize(results: list[TrialResult]) -> dict[str, SuiteSummary]:
    """Figures per suite; pass^k for k = 1..n is averaged over tasks (tau-bench).

    Perturbed variants (``perturbation`` set) never count in the suite's own figures (nor in
    the gate): they are reported beside them as ``perturbed_pass1``.
    """
    by_suite: dict[str, list[TrialResult]] = defaultdict(list)
    for r in results:
        by_suite[r.suite].append(r)
    out = {}
    for suite, every in sorted(by_suite.items()):
        rows = [r for r in every if r.perturbation is None]
        perturbed = [r for r in every if r.perturbation is not None]
        rows = rows or perturbed  # a run of variants only still gets figures
        by_task: dict[str, list[TrialResult]] = defaultdict(list)
        for r in rows:
            by_task[r.task_id].append(r)
        n = min(len(v) for v in by_task.values())
        pass_k = {
            k: sum(pass_hat_k(len(v), sum(r.passed for r in v), k) for v in by_task.values())
            / len(by_task)
            for k in range(1, n + 1)
        }
        routed = sum(r.route_total for r in rows)
        out[suite] = SuiteSummary(
            suite=suite,
            tasks=len(by_task),
            trials=n,
            pass_k=pass_k,
            routing_accuracy=sum(r.route_hits for r in rows) / routed if routed else None,
            tool_precision=sum(r.tool_precision for r in rows) / len(rows),
            tool_recall=sum(r.tool_recall for r in rows) / len(rows),
            mean_turns=sum(len(r.turns) for r in rows) / len(rows),
            p95_latency_ms=_p95([t.latency_ms for r in rows for t in r.turns]),
            errors=sum(r.error is not None for r in rows),
            failing=sorted({r.task_id for r in rows if not r.passed}),
        )
        if rows is not perturbed:
            _robustness(out[suite], rows, perturbed)
    return out


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, float]:
    """The pass^1 each suite must keep."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in data["pass1"].items()}


def gate(summaries: dict[str, SuiteSummary], thresholds: dict[str, float]) -> list[str]:
    """Why the gate fails: suites whose pass^1 is below their threshold (empty = it passes)."""
    return [
        f"{suite}: pass^1 {s.pass_k[1]:.3f} < threshold {thresholds[suite]:.3f} "
        f"(failing: {', '.join(s.failing)})"
        for suite, s in summaries.items()
        if suite in thresholds and s.pass_k[1] < thresholds[suite]
    ]


def load_results(path: Path, run_id: str | None = None) -> tuple[str, list[TrialResult]]:
    """The trials of one run in a results file (the last run when ``run_id`` is None)."""
    trials: dict[str, list[TrialResult]] = defaultdict(list)
    order: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        if data.get("kind") == "run" and data["run_id"] not in order:
            order.append(data["run_id"])
        elif data.get("kind") == "trial":
            trial = TrialResult.model_validate(data)
            if trial.run_id not in order:
                order.append(trial.run_id)
            trials[trial.run_id].append(trial)
    if not order:
        raise ValueError(f"{path} holds no eval results")
    chosen = run_id or order[-1]
    if chosen not in order:
        raise ValueError(f"no run {chosen} in {path}; runs: {', '.join(order)}")
    return chosen, trials[chosen]
