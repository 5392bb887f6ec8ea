"""Run eval tasks: a fresh database per task, bounded concurrency, timeouts, JSONL results.

In process, every trial gets its own copy of a seeded demo database, so the end state is
compared with the whole database the reference actions produce. Over HTTP (``target``) the
server's database cannot be reset: state criteria then look only at what the task's own
conversations created, read from ``target_db`` when given, else from the write-tool calls in
the trace (see README, "Evaluating the agents").
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from adapters.llm.offline.nlu import NLU
from core.security import split_api_key
from core.settings import LlmSettings, Settings
from db.engine import make_engine, session_scope
from db.tables import Customer
from evals.events import EventRunner, EventUnavailable
from evals.judge import StateJudge, TaskError
from evals.models import Goal, Task
from evals.prices import PriceBook
from evals.refs import Resolver, Unresolved, task_refs
from evals.scoring import (
    Check,
    TurnRecord,
    called_tools,
    check_communicate,
    check_forbid,
    check_route,
    reference_tools,
    tool_precision_recall,
)
from evals.setup import CaseSetupRunner, SetupFailed
from evals.state import canonical, stock_levels
from evals.targets import Conversation, HttpConversation, InProcessConversation
from evals.user_sim import SimulatedUser, make_user
from evals.world import World, pick_customer, prepare_template

__all__ = ["DEFAULT_ANCHOR", "Harness", "RunConfig", "TaskError", "TrialResult"]

DEFAULT_ANCHOR = date(2026, 11, 20)  # fixed, so every run scores against the same demo data
RESULTS_DIR = Path(__file__).resolve().parent / "results"
ErrorKind = Literal["crash", "timeout", "task"]


@dataclass
class RunConfig:
    """How to run: trials, concurrency, where the agents are, which simulated user."""

    cache_dir: Path
    trials: int = 1
    concurrency: int = 1  # in process the GIL and SQLite gain little from more; HTTP does
    timeout_s: float = 180.0
    target: str | None = None
    api_key: str | None = None
    target_db: str | None = None
    staff_api_key: str | None = None  # over HTTP: staff actions between turns (world events)
    user: Literal["rule", "llm"] = "rule"
    user_llm: LlmSettings | None = None
    seed: int = 7
    anchor: date = DEFAULT_ANCHOR
    history_days: int = 120


class TrialResult(BaseModel):
    """One trial of one task, as one JSONL line."""

    kind: Literal["trial"] = "trial"
    run_id: str
    task_id: str
    suite: str
    trial: int
    passed: bool
    checks: list[Check] = []
    turns: list[TurnRecord] = []
    error: str | None = None
    error_kind: ErrorKind | None = None
    reference_tools: list[str] = []
    called_tools: list[str] = []
    tool_precision: float = 0.0
    tool_recall: float = 0.0
    route_hits: int = 0
    route_total: int = 0
    duration_ms: float = 0.0
    target: str = "in-process"
    provider: str = "offline"
    user: str = "rule"
    perturbation: str | None = None  # the kind, for a perturbed variant (evals.perturb)


class RunHeader(BaseModel):
    """The first JSONL line of a run."""

    kind: Literal["run"] = "run"
    run_id: str
    started_at: str
    tasks: int
    trials: int
    target: str
    provider: str
    user: str


@dataclass
class Harness:
    """Runs tasks against one target with one configuration."""

    settings: Settings
    config: RunConfig
    template: Path | None = None
    run_id: str = field(
        default_factory=lambda: (
            datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)
        )
    )
    _nlu: NLU | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _client: httpx.Client | None = None

    def __post_init__(self) -> None:
        if self.template is None:
            self.template = prepare_template(
                self.config.cache_dir,
                seed=self.config.seed,
                anchor=self.config.anchor,
                history_days=self.config.history_days,
            )
        self.work_dir = self.config.cache_dir / "work"
        self.work_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{self.template}")
        try:
            stock = stock_levels(engine)
        finally:
            engine.dispose()
        target_engine: Engine | None = None
        if self.config.target:
            if not self.config.api_key:
                raise ValueError(
                    "an HTTP target needs an evaluator API key (TOPLLANTAS_EVAL_API_KEY)"
                )
            self._client = httpx.Client(
                base_url=self.config.target.rstrip("/"),
                headers={"Authorization": f"Bearer {self.config.api_key}"},
                timeout=self.config.timeout_s,
            )
            if self.config.target_db:
                target_engine = make_engine(self.config.target_db)
        self.judge = StateJudge(
            self.settings, self.template, self.work_dir, over_http=self.config.target is not None,
            target_engine=target_engine, stock=stock,
        )  # fmt: skip

    def close(self) -> None:
        """Close the HTTP client and the target database's connections."""
        if self._client is not None:
            self._client.close()
        if self.judge.target_engine is not None:
            self.judge.target_engine.dispose()

    @property
    def target_name(self) -> str:
        """``in-process`` or the base URL."""
        return self.config.target or "in-process"

    def nlu(self) -> NLU:
        """One NLU for the run (trained once, shared by every conversation)."""
        with self._lock:
            if self._nlu is None:
                from conversation.service import vocabulary_from_db

                assert self.template is not None
                engine = make_engine(f"sqlite:///{self.template}")
                try:
                    self._nlu = NLU(
                        vocabulary_from_db(engine), cache_dir=self.config.cache_dir / "nlu"
                    )
                finally:
                    engine.dispose()
            return self._nlu

    # ---- running -------------------------------------------------------------------

    def run(
        self,
        tasks: list[Task],
        *,
        out: Path | None = None,
        progress: Callable[[TrialResult], None] | None = None,
    ) -> list[TrialResult]:
        """Every task ``trials`` times, ``concurrency`` at a time; results appended to ``out``."""
        if self.config.target is None:
            self.nlu()  # train before the threads start
        jobs = [(task, trial) for trial in range(self.config.trials) for task in tasks]
        write_lock = threading.Lock()
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            header = RunHeader(
                run_id=self.run_id, started_at=datetime.now(UTC).isoformat(), tasks=len(tasks),
                trials=self.config.trials, target=self.target_name,
                provider=self.settings.llm.provider, user=self.config.user,
            )  # fmt: skip
            with out.open("a", encoding="utf-8") as fh:
                fh.write(header.model_dump_json() + "\n")

        def one(job: tuple[Task, int]) -> TrialResult:
            result = self.run_trial(*job)
            with write_lock:
                if out is not None:
                    with out.open("a", encoding="utf-8") as fh:
                        fh.write(result.model_dump_json() + "\n")
                if progress is not None:
                    progress(result)
            return result

        with ThreadPoolExecutor(max_workers=max(1, self.config.concurrency)) as pool:
            results = list(pool.map(one, jobs))
        order = {t.id: i for i, t in enumerate(tasks)}
        return sorted(results, key=lambda r: (order[r.task_id], r.trial))

    def run_trial(self, task: Task, trial: int) -> TrialResult:
        """One trial; a crash, a broken task or a timeout is a failed trial with the reason."""
        turns: list[TurnRecord] = []
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = self._trial(task, trial, turns)
            except TaskError:
                box["error"] = ("task", traceback.format_exc())
            except Exception:  # any failure of the agent or the tools is a failed trial
                box["error"] = ("crash", traceback.format_exc())

        started = time.perf_counter()
        # A daemon thread: a conversation that hangs cannot be killed, but it cannot hold the run.
        thread = threading.Thread(target=work, daemon=True, name=f"eval-{task.id}-{trial}")
        thread.start()
        thread.join(self.config.timeout_s)
        if "result" in box:
            result: TrialResult = box["result"]
            result.duration_ms = (time.perf_counter() - started) * 1000
            return result
        kind: ErrorKind
        kind, error = box.get("error") or (
            "timeout",
            f"timed out after {self.config.timeout_s:.0f} s during turn {len(turns) + 1}",
        )
        return self._result(task, trial, list(turns), passed=False, checks=[], started=started,
                            error=error, error_kind=kind)  # fmt: skip

    def _result(self, task: Task, trial: int, turns: list[TurnRecord], *, passed: bool,
                checks: list[Check], started: float, error: str | None = None,
                error_kind: ErrorKind | None = None) -> TrialResult:  # fmt: skip
        called, reference = called_tools(turns), reference_tools(task)
        precision, recall = tool_precision_recall(called, reference)
        return TrialResult(
            run_id=self.run_id, task_id=task.id, suite=task.suite, trial=trial, passed=passed,
            checks=checks, turns=turns, error=error, error_kind=error_kind,
            reference_tools=reference, called_tools=called, tool_precision=precision,
            tool_recall=recall, duration_ms=(time.perf_counter() - started) * 1000,
            target=self.target_name, provider=self.settings.llm.provider, user=self.config.user,
            perturbation=task.perturbation,
        )  # fmt: skip

    def _trial(self, task: Task, trial: int, turns: list[TurnRecord]) -> TrialResult:
        started = time.perf_counter()
        # Over HTTP a first-time customer needs a phone the shared server has never seen.
        salt = f"{self.run_id}:{trial}" if self.config.target else ""
        assert self.template is not None
        with tempfile.TemporaryDirectory(dir=self.work_dir) as tmp:
            world = World.create(self.template, Path(tmp), self.settings, task.persona,
                                 phone_salt=salt, task_id=task.id)  # fmt: skip
            try:
                resolver = Resolver(world)
                try:
                    self._setup(task, world)
                    resolver.prefetch(task_refs(task))  # on the fresh copy, before any write
                    user = self._user(task, resolver)
                    prices = PriceBook.build(
                        world.engine, deposit_cents=self.settings.payments.deposit_cents,
                        discount_bp=world.discount_bp, customer_id=world.customer_id,
                        role=world.role,
                    )  # fmt: skip
                    baseline_ids = world.max_ids()
                    baseline = (
                        canonical(world.engine, stock_baseline=self.judge.stock)
                        if task.db.nothing_written
                        else None
                    )
                    expected = self.judge.expected(task, world, salt) if task.db.replay else None
                except (Unresolved, LookupError, ValueError, SetupFailed) as exc:
                    raise TaskError(f"task {task.id}: {exc}") from exc
                conversation = self._open(world)
                events = task.user.events_before()
                runner = self._events(world, baseline_ids) if events else None
                missed: list[str] = []
                limit = len(task.user.turns()) if task.user.script else task.user.max_turns
                text: str | None = user.first()
                while text is not None:
                    for event in events.get(len(turns), []):
                        assert runner is not None
                        try:
                            problem = runner.run(event, conversation.sessions, turns)
                        except EventUnavailable as exc:
                            raise TaskError(f"task {task.id}: {exc}") from exc
                        if problem:
                            missed.append(f"before turn {len(turns)}: {problem}")
                    turns.append(conversation.send(text))
                    if len(turns) >= limit:
                        break
                    text = user.next(turns[-1].reply)
                db, created = self.judge.check(task, world, resolver, conversation.sessions, turns,
                                               baseline_ids, baseline, expected)  # fmt: skip
                resolver.created = created
                prices.add_orders(created.orders)
                # The credit line as the server's database has it (shared by a run's tasks).
                prices.add_credit(self.judge.target_engine or world.engine, world.customer_id)
                checks = [db, check_communicate(task.communicate, turns, resolver)]
                if events:
                    checks.append(Check(name="events", ok=not missed, detail="; ".join(missed)))
                route, hits = check_route(task.route, turns)
                if task.route:
                    checks.append(route)
                checks.append(check_forbid(task.forbid, turns, resolver, prices))
                result = self._result(task, trial, list(turns), passed=all(c.ok for c in checks),
                                      checks=checks, started=started)  # fmt: skip
                result.route_hits, result.route_total = hits, len(task.route)
                return result
            finally:
                world.close()

    def _setup(self, task: Task, world: World) -> None:
        """The task's technician over HTTP is the evaluator key; its setup cases are opened
        where the server keeps them (``--target-db``), before the conversation."""
        if self.config.target is not None and world.role == "technician" and self.config.api_key:
            world.technician_prefix = split_api_key(self.config.api_key)[0]
        if task.deliveries:
            if self.config.target is not None:
                raise SetupFailed("setup deliveries run in process only")
            from evals.deliveries import run_setup

            with session_scope(world.engine) as session:
                persona = session.get(Customer, world.customer_id) if world.customer_id else None
            world.setup_deliveries = run_setup(
                world.engine, world.settings, list(task.deliveries), persona, pick_customer
            )
        if not task.setup:
            return
        engine = self.judge.target_engine if self.config.target else world.engine
        if engine is None:
            raise SetupFailed("a task with setup cases over HTTP needs --target-db")
        runner = CaseSetupRunner(engine, world.settings, world.phone, world.technician_prefix)
        world.setup_cases = runner.run(task.setup)

    def _user(self, task: Task, resolver: Resolver) -> SimulatedUser:
        values = {name: resolver.text(ref) for name, ref in task.vars.items()}

        def fill(text: str) -> str:
            return text.format_map(values) if values else text

        goal: Goal | None = None
        if task.user.goal is not None:
            g = task.user.goal
            goal = g.model_copy(update={
                "opening": fill(g.opening), "known": {k: fill(v) for k, v in g.known.items()},
            })  # fmt: skip
        script = [fill(line) for line in task.user.turns()] if task.user.script else None
        return make_user(script, goal, max_turns=task.user.max_turns, kind=self.config.user,
                         llm=self.config.user_llm)  # fmt: skip

    def _events(self, world: World, baseline_ids: dict[str, int]) -> EventRunner:
        over_http = self.config.target is not None
        engine = self.judge.target_engine if over_http else world.engine
        return EventRunner(world, baseline_ids, engine, over_http=over_http, client=self._client,
                           staff_key=self.config.staff_api_key)  # fmt: skip

    def _open(self, world: World) -> Conversation:
        if self._client is not None:
            return HttpConversation(self._client, world)
        return InProcessConversation(world, self.nlu())
