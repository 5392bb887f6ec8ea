"""The database criterion: expected end states from the reference writes, and the verdict.

Three ways to see what the agent did: the task's own database copy (in process: the whole
state is compared), the target server's database scoped to the task's conversations
(``target_db``), or, over HTTP without database access, the write-tool calls in the trace.
"""

from __future__ import annotations

import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from core.settings import Settings
from evals.models import CaseExpect, Task
from evals.purchasing import purchasing_problems
from evals.refs import Created, Resolver, Unresolved
from evals.scoring import Check, TurnRecord
from evals.state import (
    State,
    StockLevels,
    canonical,
    case_by_number,
    case_problems,
    created_from_trace,
    created_since,
    order_by_folio,
    orders_from_actions,
    orders_problems,
    state_diff,
    trace_writes,
    write_signature,
)
from evals.world import World, tool_registry
from tools.base import run_tool

Expected = State | Counter[str]


class TaskError(Exception):
    """The task itself is wrong: a reference action fails or a value cannot be computed."""


def writes(tool: str) -> bool:
    """Whether a reference action's tool writes (and so is replayed)."""
    spec = tool_registry().get(tool)
    if spec is None:
        raise LookupError(f"unknown tool {tool} in the reference actions")
    return spec.writes


@dataclass
class StateJudge:
    """Replays reference writes on fresh copies (memoised per task) and judges end states."""

    settings: Settings
    template: Path
    work_dir: Path
    over_http: bool = False
    target_engine: Engine | None = None
    stock: StockLevels | None = None
    _expected: dict[tuple[str, str | None], Expected] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def from_trace(self) -> bool:
        """Over HTTP without the server's database, only the trace tells what was written."""
        return self.over_http and self.target_engine is None

    def expected(self, task: Task, world: World, salt: str) -> Expected:
        """The state the reference write actions produce on a fresh copy."""
        key = (task.id, world.phone)
        with self._lock:
            if key in self._expected:
                return self._expected[key]
        if self.from_trace:
            resolver = Resolver(world)
            state: Expected = Counter(
                write_signature(a.tool, resolver.args(a.args))
                for a in task.actions
                if writes(a.tool)
            )
        else:
            state = self._replay(task, salt)
        with self._lock:
            self._expected[key] = state
        return state

    def _replay(self, task: Task, salt: str) -> State:
        session = f"replay-{task.id}"
        with tempfile.TemporaryDirectory(dir=self.work_dir) as tmp:
            world = World.create(self.template, Path(tmp), self.settings, task.persona,
                                 phone_salt=salt, task_id=task.id)  # fmt: skip
            try:
                resolver, ctx = Resolver(world), world.context(session)
                for action in task.actions:
                    if not writes(action.tool):
                        continue
                    args = resolver.args(action.args)
                    content, ok = run_tool(tool_registry()[action.tool], args, ctx)
                    if not ok:
                        raise TaskError(f"reference action {action.tool}({args}) failed: {content}")
                if self.over_http:
                    return canonical(world.engine, sessions=[session])
                return canonical(world.engine, stock_baseline=self.stock)
            finally:
                world.close()

    def check(
        self, task: Task, world: World, resolver: Resolver, sessions: list[str],
        turns: list[TurnRecord], baseline_ids: dict[str, int], baseline: State | None,
        expected: Expected | None,
    ) -> tuple[Check, Created]:  # fmt: skip
        """The ``db`` verdict, and what the agent created (for ``{"created": ...}`` values)."""
        problems: list[str] = []
        if self.from_trace:
            created = created_from_trace(turns, world.engine, discount_bp=world.discount_bp)
            done = trace_writes(step for t in turns for step in t.trace)
            if isinstance(expected, Counter) and done != expected:
                problems.append(
                    f"write calls {sorted(done.elements())} instead of {sorted(expected.elements())}"
                )
            wrote = bool(done)
        else:
            engine = self.target_engine or world.engine
            scope = sessions if self.over_http else None
            created = created_since(engine, baseline_ids, sessions=scope)
            actual = canonical(engine, sessions=scope, stock_baseline=self.stock)
            if expected is not None and not isinstance(expected, Counter):
                diff = state_diff(expected, actual)
                if diff:
                    problems.append("end state differs from the reference: " + "; ".join(diff))
            if baseline is not None and scope is None:
                wrote = bool(state_diff(baseline, actual))
            else:
                wrote = bool(created.orders or created.leads)
        if task.db.nothing_written and wrote:
            problems.append("something was written")
        orders, leads = task.db.orders, task.db.leads
        if task.db.replay:  # the reference writes, read from their arguments
            orders = orders if orders is not None else orders_from_actions(task.actions, resolver)
            leads = (
                leads
                if leads is not None
                else sum(a.tool == "handoff_to_human" for a in task.actions)
            )
        if orders is not None:
            readable = None if self.from_trace else (self.target_engine or world.engine)
            try:
                problems += orders_problems(
                    orders, created.orders, resolver,
                    existing=(lambda folio: order_by_folio(readable, folio)) if readable else None,
                    ignore_released=task.db.ignore_released,
                )  # fmt: skip
            except Unresolved as exc:
                problems.append(str(exc))
        if leads is not None and len(created.leads) != leads:
            problems.append(f"{len(created.leads)} hand-offs (leads), expected {leads}")
        if task.db.cases is not None and len(created.cases) != task.db.cases:
            numbers = ", ".join(str(c["number"]) for c in created.cases)
            problems.append(
                f"{len(created.cases)} support cases opened ({numbers or 'none'}), "
                f"expected {task.db.cases}"
            )
        if not self.from_trace and self.target_engine is None:
            # Purchase orders and transfers carry no conversation id: only in process.
            problems += purchasing_problems(
                task.db.purchase_orders, task.db.transfers, world.engine, baseline_ids, resolver
            )
        if (task.db.deliveries or task.db.plans) and not self.over_http:
            from evals.deliveries import delivery_problems, plan_problems

            problems += delivery_problems(world.engine, list(task.db.deliveries),
                                          world.setup_deliveries)  # fmt: skip
            problems += plan_problems(world.engine, list(task.db.plans))
        if task.db.case is not None and not self.from_trace:
            problems += self._case(task.db.case, world, created, resolver)
        if task.db.appointments is not None:
            booked = [a for a in created.appointments if a.get("status", "booked") == "booked"]
            if len(booked) != task.db.appointments:
                problems.append(
                    f"{len(booked)} appointments booked, expected {task.db.appointments}"
                )
        return Check(name="db", ok=not problems, detail="; ".join(problems)), created

    def _case(
        self, want: CaseExpect, world: World, created: Created, resolver: Resolver
    ) -> list[str]:
        """The assertions on one case: a setup case (read again now), or the newest created."""
        if want.setup is not None:
            number = str(world.setup_cases[want.setup]["number"])
            got = case_by_number(self.target_engine or world.engine, number)
            if got is None:
                return [f"setup case {number} is gone"]
        elif created.cases:
            got = created.cases[-1]
        else:
            return ["no support case was opened"]
        try:
            return case_problems(want, got, resolver, technician=world.technician_prefix)
        except Unresolved as exc:
            return [str(exc)]
