"""Running against a server over HTTP, the reports, and the ``topllantas eval`` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app
from core.settings import Settings
from domain.enums import Role
from evals.harness import DEFAULT_ANCHOR, TrialResult
from evals.models import load_tasks
from evals.report import html, markdown
from evals.scoring import Check, TurnRecord
from evals.world import template_name
from tests.conftest import ANCHOR, HISTORY_DAYS
from tests.evals.conftest import make_harness
from tests.live_server import live_server

HTTP_TASKS = ("res-size-recommended", "res-needs-yes", "dealer-reserve-8")


@pytest.mark.parametrize("with_db", [True, False])
def test_tasks_run_against_a_server_over_http(
    with_db: bool,
    settings: Settings,
    engine: Engine,
    db_url: str,
    keys: dict[Role, str],
    eval_settings: Settings,
    eval_cache: Path,
    sqlite_template: Path,
    trained_model_cache: Path,
) -> None:
    """Same verdicts as in process; state read from the server's database or from the trace."""
    tasks = [t for t in load_tasks(["sales"]) if t.id in HTTP_TASKS]
    with live_server(create_app(settings, engine=engine)) as url:
        harness = make_harness(
            eval_settings, eval_cache, sqlite_template, target=url,
            api_key=keys[Role.EVALUATOR], target_db=db_url if with_db else None,
        )  # fmt: skip
        results = harness.run(tasks)
    assert all(r.target == url for r in results)
    verdicts = {r.task_id: r.passed for r in results}
    assert verdicts == dict.fromkeys(HTTP_TASKS, True), [
        (r.task_id, r.checks, r.error) for r in results
    ]


def test_an_http_target_needs_an_evaluator_key(
    eval_settings: Settings, eval_cache: Path, sqlite_template: Path
) -> None:
    with pytest.raises(ValueError, match="TOPLLANTAS_EVAL_API_KEY"):
        make_harness(eval_settings, eval_cache, sqlite_template, target="http://127.0.0.1:9")


def _failing() -> TrialResult:
    turn = TurnRecord(
        user="<b>hola</b>", reply="<script>alert(1)</script> $999,999", agent="sales",
        trace=[{"agent": "sales", "tool": "search_tires", "args": {"size": "<x>"}, "ok": False}],
        latency_ms=12.0,
    )  # fmt: skip
    return TrialResult(
        run_id="run-1", task_id="t-bad", suite="sales", trial=0, passed=False, turns=[turn],
        checks=[Check(name="forbid", ok=False, detail="turn 0 states <$999,999>")],
    )  # fmt: skip


def test_reports_show_the_table_and_the_failing_conversation_escaped() -> None:
    ok = TrialResult(run_id="run-1", task_id="t-ok", suite="routing", trial=0, passed=True,
                     route_hits=1, route_total=1)  # fmt: skip
    results = [_failing(), ok]
    md = markdown("run-1", results)
    assert "| sales | 1 | 1 | 0.0% |" in md and "| routing | 1 | 1 | 100.0% |" in md
    assert "`sales/t-bad` failed 1/1 (trial 0): forbid: turn 0 states <$999,999>" in md
    page = html("run-1", results)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;hola&lt;/b&gt;" in page and "search_tires" in page and "FAILED" in page
    assert page.count("<details>") == 1


def test_the_eval_commands_run_a_task_and_write_the_reports(
    tmp_path: Path, eval_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (ANCHOR, HISTORY_DAYS) == (DEFAULT_ANCHOR, 120)  # the test template is the eval template
    cache = tmp_path / "evals"
    cache.mkdir()
    shutil.copyfile(eval_template, cache / template_name(seed=7, anchor=ANCHOR, history_days=120))
    monkeypatch.setenv("TOPLLANTAS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TOPLLANTAS_ENVIRONMENT", "test")
    monkeypatch.setenv("TOPLLANTAS_AUTH__SECRET_KEY", "test-secret-" + "x" * 40)
    from core.settings import get_settings

    get_settings.cache_clear()
    out = tmp_path / "results.jsonl"
    runner = CliRunner()
    try:
        ran = runner.invoke(app, ["eval", "run", "--task", "size-spaces", "--task", "to-support-dot",
                                  "--trials", "2", "--out", str(out), "--gate"])  # fmt: skip
    finally:
        get_settings.cache_clear()
    assert ran.exit_code == 0, ran.output
    assert "pass^2" in ran.output and "| sales | 1 | 2 | 100.0% | 100.0% |" in ran.output
    trials = [json.loads(line) for line in out.read_text().splitlines()][1:]
    assert len(trials) == 4 and all(t["passed"] for t in trials)
    reported = runner.invoke(app, ["eval", "report", str(out), "--out-dir", str(tmp_path / "rep")])
    assert reported.exit_code == 0, reported.output
    assert len(list((tmp_path / "rep").glob("*.html"))) == 1
    bad = runner.invoke(app, ["eval", "run", "--suite", "nope"])
    assert bad.exit_code != 0 and "nope" in bad.output
