"""``topllantas eval run`` and ``topllantas eval report``."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

if TYPE_CHECKING:
    from evals.perturb import Kind

eval_app = typer.Typer(no_args_is_help=True, help="Agent eval suites (tasks in evals/tasks/).")
Provider = Literal["offline", "openai", "azure", "openai_compatible"]


@eval_app.command("run")
def run(
    suite: Annotated[
        list[str] | None, typer.Option(help="Suite to run (repeatable); default: all")
    ] = None,
    task: Annotated[list[str] | None, typer.Option(help="Only these task ids (repeatable)")] = None,
    trials: Annotated[int, typer.Option(min=1, max=32, help="Trials per task (pass^k)")] = 1,
    provider: Annotated[
        str | None,
        typer.Option(help="Brain of the agents: offline, openai, azure, openai_compatible"),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Base URL of a running server; default: in process")
    ] = None,
    target_db: Annotated[
        str | None, typer.Option(help="With --target: its database URL, to check state criteria")
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Tasks at a time (default 1 in process, 4 over HTTP)"),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per conversation")] = 180.0,
    user: Annotated[
        str, typer.Option(help="Simulated user: rule, or llm (TOPLLANTAS_LLM__*)")
    ] = "rule",
    out: Annotated[Path | None, typer.Option(help="JSONL file results are appended to")] = None,
    gate: Annotated[
        bool, typer.Option(help="Exit 1 when a suite is below evals/thresholds.json")
    ] = False,
    perturb: Annotated[
        bool,
        typer.Option(help="Also run perturbed variants of every customer turn (evals/perturb.py)"),
    ] = False,
    perturb_kind: Annotated[
        list[str] | None,
        typer.Option(
            help="Kinds of variant (repeatable): accents, typos, slang, runon, emoji, "
            "mixed; default: the first five"
        ),
    ] = None,  # fmt: skip
    perturb_seed: Annotated[int, typer.Option(help="Seed of the perturbations")] = 0,
) -> None:
    """Run eval tasks and append one JSONL line per trial; print the figures per suite (with
    --perturb, pass^1 of the perturbed variants beside the originals)."""
    from core.settings import get_settings
    from evals.harness import RESULTS_DIR, Harness, RunConfig
    from evals.metrics import gate as gate_check
    from evals.metrics import load_thresholds, summarize
    from evals.models import load_tasks
    from evals.perturb import variants
    from evals.report import markdown

    if provider not in (None, "offline", "openai", "azure", "openai_compatible"):
        raise typer.BadParameter(
            "offline, openai, azure or openai_compatible", param_hint="--provider"
        )
    if user not in ("rule", "llm"):
        raise typer.BadParameter("rule or llm", param_hint="--user")
    try:
        tasks = load_tasks(suite or None, ids=task or None)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if perturb or perturb_kind:
        tasks += variants(tasks, _kinds(perturb_kind), seed=perturb_seed)
    settings = get_settings()
    user_llm = settings.llm
    if user == "llm" and user_llm.provider == "offline":
        raise typer.BadParameter("--user llm needs TOPLLANTAS_LLM__PROVIDER set to an LLM")
    if provider:
        settings = settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"provider": provider})}
        )
    config = RunConfig(
        cache_dir=settings.data_dir / "evals",
        trials=trials,
        concurrency=concurrency or (4 if target else 1),
        timeout_s=timeout,
        target=target,
        api_key=os.environ.get("TOPLLANTAS_EVAL_API_KEY"),
        staff_api_key=os.environ.get("TOPLLANTAS_EVAL_STAFF_KEY"),
        target_db=target_db,
        user="llm" if user == "llm" else "rule",
        user_llm=user_llm if user == "llm" else None,
    )
    try:
        harness = Harness(settings, config)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    path = out or RESULTS_DIR / f"{datetime.now(UTC):%Y-%m-%d}.jsonl"
    typer.echo(
        f"Run {harness.run_id}: {len(tasks)} tasks x {trials} trials on {harness.target_name} "
        f"({settings.llm.provider}); results appended to {path}"
    )

    def progress(result: object) -> None:
        typer.echo("." if getattr(result, "passed", False) else "F", nl=False)

    try:
        results = harness.run(tasks, out=path, progress=progress)
    finally:
        harness.close()
    typer.echo("")
    typer.echo(markdown(harness.run_id, results))
    if gate:
        failures = gate_check(summarize(results), load_thresholds())
        for failure in failures:
            typer.secho(f"gate: {failure}", fg=typer.colors.RED, err=True)
        if failures:
            raise typer.Exit(code=1)


def _kinds(names: list[str] | None) -> list[Kind]:
    from evals.perturb import DEFAULT_KINDS, KINDS

    if not names:
        return list(DEFAULT_KINDS)
    unknown = sorted(set(names) - set(KINDS))
    if unknown:
        raise typer.BadParameter(f"{unknown}; use {', '.join(KINDS)}", param_hint="--perturb-kind")
    return [k for k in KINDS if k in names]


@eval_app.command("report")
def report(
    results: Annotated[Path, typer.Argument(help="A results JSONL file")],
    out_dir: Annotated[Path | None, typer.Option(help="Where to write .md and .html")] = None,
    run_id: Annotated[
        str | None, typer.Option("--run", help="Run id; default: the last one")
    ] = None,
) -> None:
    """Tables per suite (pass^k, routing, tool precision/recall, turns, p95 latency) as Markdown
    and a self-contained HTML page with the failing conversations turn by turn."""
    from evals.metrics import load_results
    from evals.report import markdown, write_reports

    if not results.exists():
        raise typer.BadParameter(f"{results} does not exist", param_hint="RESULTS")
    try:
        chosen, trials = load_results(results, run_id)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    md, page = write_reports(chosen, trials, out_dir or results.parent / "reports")
    typer.echo(markdown(chosen, trials))
    typer.echo(f"Wrote {md} and {page}")
