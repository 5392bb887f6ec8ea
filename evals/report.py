"""Reports of a run: a Markdown table per suite, and an HTML page with the failing conversations."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from evals.harness import TrialResult
from evals.metrics import SuiteSummary, summarize


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _perturbed(summaries: dict[str, SuiteSummary]) -> bool:
    return any(s.perturbed_pass1 is not None for s in summaries.values())


def _columns(summaries: dict[str, SuiteSummary]) -> tuple[list[str], int]:
    k_max = max((s.trials for s in summaries.values()), default=1)
    head = ["suite", "tasks", "trials", *(f"pass^{k}" for k in range(1, k_max + 1))]
    if _perturbed(summaries):
        head += ["pass^1 perturbed", "gap"]
    head += ["routing acc.", "tool precision", "tool recall", "mean turns", "p95 latency", "errors"]
    return head, k_max


def _gap(s: SuiteSummary) -> str:
    gap = s.robustness_gap
    return "–" if gap is None else f"{100 * gap:+.1f} pts"


def _row(s: SuiteSummary, k_max: int, perturbed: bool = False) -> list[str]:
    row = [
        s.suite,
        str(s.tasks),
        str(s.trials),
        *(_pct(s.pass_k.get(k)) for k in range(1, k_max + 1)),
    ]
    if perturbed:
        row += [_pct(s.perturbed_pass1), _gap(s)]
    return row + [
        _pct(s.routing_accuracy), _pct(s.tool_precision), _pct(s.tool_recall),
        f"{s.mean_turns:.1f}", f"{s.p95_latency_ms:.0f} ms", str(s.errors),
    ]  # fmt: skip


def robustness_table(summaries: dict[str, SuiteSummary]) -> list[str]:
    """Markdown lines: pass^1 of the originals and of each kind of perturbed variant."""
    kinds = sorted({k for s in summaries.values() for k in s.perturbed_by_kind})
    if not kinds:
        return []
    lines = ["| suite | original | " + " | ".join(kinds) + " | all perturbed | gap |",
             "|" + "---|" * (len(kinds) + 4)]  # fmt: skip
    for s in summaries.values():
        if s.perturbed_pass1 is None:
            continue
        cells = [_pct(s.perturbed_by_kind.get(k)) for k in kinds]
        lines.append(
            f"| {s.suite} | {_pct(s.pass_k.get(1))} | "
            + " | ".join(cells)
            + f" | {_pct(s.perturbed_pass1)} | {_gap(s)} |"
        )
    return lines


def error_line(error: str) -> str:
    """The exception line of a traceback (not SQLAlchemy's trailing notes)."""
    lines = [
        line for line in error.strip().splitlines()
        if line and not line[0].isspace() and not line.startswith(("(Background", "[SQL", "[parameters"))
    ]  # fmt: skip
    return lines[-1] if lines else error.strip()[:200]


def _why(r: TrialResult) -> str:
    if r.error_kind:
        return f"{r.error_kind}: {error_line(r.error or '')}"
    return "; ".join(f"{c.name}: {c.detail}" for c in r.checks if not c.ok)


def _failures(
    results: list[TrialResult], only: set[str] | None = None
) -> list[tuple[TrialResult, int, int]]:
    """Per failing task: its first failing trial, how many trials failed, how many ran.

    Without ``only``, the original tasks; with it, the (perturbed) task ids named."""
    by_task: dict[tuple[str, str], list[TrialResult]] = {}
    for r in results:
        wanted = r.perturbation is None if only is None else r.task_id in only
        if wanted:
            by_task.setdefault((r.suite, r.task_id), []).append(r)
    out = []
    for trials in by_task.values():
        failed = [r for r in trials if not r.passed]
        if failed:
            out.append((failed[0], len(failed), len(trials)))
    return out


def markdown(run_id: str, results: list[TrialResult]) -> str:
    """The run as Markdown: one table row per suite, then each failing trial in one line."""
    summaries = summarize(results)
    head, k_max = _columns(summaries)
    first = results[0] if results else None
    lines = [f"# Eval run {run_id}", ""]
    if first is not None:
        lines += [f"Target: {first.target}; provider: {first.provider}; user: {first.user}.", ""]
    perturbed = _perturbed(summaries)
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_row(s, k_max, perturbed)) + " |" for s in summaries.values()]
    if perturbed:
        lines += ["", "## Perturbed variants (pass^1 by kind)", "", *robustness_table(summaries)]
    sections = [("Failing tasks", _failures(results))]
    broken = {t for s in summaries.values() for t in s.broken_by_perturbation}
    if broken:
        sections.append(
            ("Perturbed variants that fail where the original passes", _failures(results, broken))
        )
    for title, failing in sections:
        if not failing:
            continue
        lines += ["", f"## {title}", ""]
        for r, failed, ran in failing:
            why = _why(r).replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"- `{r.suite}/{r.task_id}` failed {failed}/{ran} (trial {r.trial}): {why}"
            )
    return "\n".join(lines) + "\n"


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
details{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
summary{cursor:pointer;font-weight:600}.why{color:#a00}.user{background:#eef5ff}
.agent{background:#f6f6f6}.msg{white-space:pre-wrap;padding:.4rem;border-radius:4px;margin:.2rem 0}
.tool{font:12px monospace;color:#555}.bad{color:#a00}pre{background:#fafafa;overflow:auto;padding:.5rem}
"""


def _conversation(r: TrialResult) -> str:
    parts = [f"<p class='why'>{escape(_why(r))}</p>"]
    for i, turn in enumerate(r.turns):
        parts.append(f"<div class='msg user'><b>cliente ({i}):</b> {escape(turn.user)}</div>")
        for step in turn.trace:
            ok = bool(step.get("ok"))
            args = json.dumps(step.get("args", {}), ensure_ascii=False, default=str)
            parts.append(
                f"<div class='tool{'' if ok else ' bad'}'>→ {escape(str(step.get('agent', '')))}: "
                f"{escape(str(step.get('tool', '')))}({escape(args)}) {'ok' if ok else 'FAILED'}</div>"
            )
        parts.append(
            f"<div class='msg agent'><b>{escape(turn.agent)}</b> "
            f"<small>({turn.latency_ms:.0f} ms)</small>: {escape(turn.reply)}</div>"
        )
    for c in r.checks:
        mark = "✔" if c.ok else "✘"
        parts.append(f"<div class='{'tool' if c.ok else 'tool bad'}'>{mark} {escape(c.name)} "
                     f"{escape(c.detail)}</div>")  # fmt: skip
    if r.error:
        parts.append(f"<pre>{escape(r.error)}</pre>")
    return "\n".join(parts)


def html(run_id: str, results: list[TrialResult]) -> str:
    """A self-contained page: the suite table and every failing conversation, turn by turn."""
    summaries = summarize(results)
    head, k_max = _columns(summaries)
    perturbed = _perturbed(summaries)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _row(s, k_max, perturbed)) + "</tr>"
        for s in summaries.values()
    )
    table = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>" + rows
    broken = {t for s in summaries.values() for t in s.broken_by_perturbation}
    failing = _failures(results) + (_failures(results, broken) if broken else [])
    sections = "".join(
        f"<details><summary>{escape(r.suite)}/{escape(r.task_id)} · failed {failed}/{ran} "
        f"(trial {r.trial} shown)</summary>{_conversation(r)}</details>"
        for r, failed, ran in failing
    )
    first = results[0] if results else None
    meta = (
        f"<p>Target: {escape(first.target)}; provider: {escape(first.provider)}; "
        f"user: {escape(first.user)}.</p>"
        if first
        else ""
    )
    return (
        "<!doctype html><html lang='es'><head><meta charset='utf-8'>"
        f"<title>Eval {escape(run_id)}</title><style>{CSS}</style></head><body>"
        f"<h1>Eval run {escape(run_id)}</h1>{meta}<table>{table}</table>"
        f"<h2>Failing tasks ({len(failing)})</h2>{sections or '<p>None.</p>'}"
        "</body></html>\n"
    )


def write_reports(run_id: str, results: list[TrialResult], out_dir: Path) -> tuple[Path, Path]:
    """Write ``<run>.md`` and ``<run>.html`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / f"{run_id}.md", out_dir / f"{run_id}.html"
    md.write_text(markdown(run_id, results), encoding="utf-8")
    page.write_text(html(run_id, results), encoding="utf-8")
    return md, page
