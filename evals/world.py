"""The world a task runs in: a fresh copy of a seeded demo database, its persona and tools."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agents import AGENTS
from core.settings import Settings
from db.engine import make_engine, session_scope
from db.repositories.chat import customer_by_phone
from db.tables import Customer, Order
from evals.models import CustomerPick, Persona
from tools.base import ToolContext, ToolSpec

NEW_CUSTOMER_NAME = "Cliente (evaluación)"  # the name /v1/chat gives a first-time phone, too
TECHNICIAN_NAME = "Técnico (evaluación)"
EVAL_ACTOR = "eval"
DEMO_SOURCES = ("db/demo", "db/migrations/versions", "db/tables")
# The nightly inventory job runs once into the template (forecasts, suggestions, alerts for the
# staff tasks), so the code it runs is part of the template's key too.
INVENTORY_SOURCES = (
    "evals/world.py",
    "db/inventory_job.py",
    "db/repositories/replenishment.py",
    "db/repositories/reorder.py",
    "db/repositories/inventory_alerts.py",
    "engines/forecasting",
    "engines/replenishment",
)


def tool_registry() -> dict[str, ToolSpec]:
    """Every tool an agent has, by name."""
    return {spec.name: spec for agent in AGENTS for spec in agent.tools}


def _source_hash() -> str:
    """A hash of the code that shapes the demo data, so a stale cached template is not reused."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in DEMO_SOURCES + INVENTORY_SOURCES:
        base = root / folder
        for path in [base] if base.is_file() else sorted(base.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".csv"):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(*, seed: int, anchor: date, history_days: int) -> str:
    """The cached template's file name: its seed data and the code that made it."""
    return f"demo-s{seed}-{anchor.isoformat()}-h{history_days}-{_source_hash()}.db"


def run_inventory_job(engine: Engine, *, anchor: date) -> None:
    """The nightly inventory job once, on the day after the history ends, with the default
    inventory settings (the environment's never change the world a task sees)."""
    from core.settings import InventorySettings
    from db.inventory_job import run_nightly

    settings = Settings(environment="test", inventory=InventorySettings())
    run_nightly(engine, settings, anchor)


def with_inventory_run(source: Path, target: Path, *, anchor: date) -> Path:
    """A copy of a seeded template with the nightly inventory job run once in it."""
    shutil.copyfile(source, target)
    engine = make_engine(f"sqlite:///{target}")
    try:
        run_inventory_job(engine, anchor=anchor)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return target


def prepare_template(cache_dir: Path, *, seed: int, anchor: date, history_days: int) -> Path:
    """A migrated, seeded SQLite demo database in ``cache_dir`` with one nightly inventory run
    (about 6 s on 120 days of history), made once and reused."""
    from db.demo.seed import seed_demo
    from db.migrate import upgrade

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / template_name(seed=seed, anchor=anchor, history_days=history_days)
    if path.exists():
        return path
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".db.tmp")
    os.close(fd)
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        upgrade(engine)
        seed_demo(engine, seed=seed, anchor=anchor, history_days=history_days)
        run_inventory_job(engine, anchor=anchor)
        with engine.connect() as conn:  # everything into the main file before it is copied
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    os.replace(tmp, path)  # atomic: a concurrent run never sees a half-seeded template
    return path


def pick_customer(session: Session, pick: CustomerPick) -> Customer:
    """The demo customer a task names by kind and position."""
    query = (
        select(Customer)
        .where(Customer.kind == pick.kind, col(Customer.phone).is_not(None))
        .order_by(col(Customer.id))
    )
    if pick.with_orders:
        query = query.where(col(Customer.id).in_(select(Order.customer_id)))
    rows = session.exec(query.offset(pick.nth).limit(1)).all()
    if not rows:
        raise LookupError(f"the demo data has no {pick.kind} customer #{pick.nth}")
    return rows[0]


def technician_key(session: Session, name: str) -> str:
    """A technician API key in this database (its secret is never used); returns its prefix."""
    from db.repositories.api_keys import create_key

    _, info = create_key(session, role="technician", name=name, actor=EVAL_ACTOR)
    return info.prefix


def new_customer_phone(task_id: str, salt: str = "") -> str:
    """A phone no demo customer has (area code 99 is not used by the demo data)."""
    number = int(hashlib.sha256(f"{task_id}:{salt}".encode()).hexdigest(), 16) % 10**8
    return f"+5299{number:08d}"


@dataclass
class World:
    """A fresh copy of the template with the task's persona in it."""

    path: Path
    engine: Engine
    settings: Settings
    role: str
    customer_id: int | None = None
    phone: str | None = None
    discount_bp: int = 0
    # Who owns the conversation: "eval", or a technician's API key ("key:<prefix>"), which is
    # how the case tools know the technician (tools/cases.py).
    owner: str = EVAL_ACTOR
    technician_prefix: str | None = None
    # The support cases the task's setup opened (evals.setup), as a technician reads them.
    setup_cases: list[dict[str, Any]] = field(default_factory=list)
    # The home deliveries the task's setup made (evals.deliveries.Made), in setup order.
    setup_deliveries: list[Any] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        template: Path,
        directory: Path,
        base: Settings,
        persona: Persona,
        *,
        phone_salt: str,
        task_id: str,
    ) -> World:
        """Copy the template into ``directory`` and set the persona up in it."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "world.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        settings = base.model_copy(update={"database_url": url, "data_dir": directory})
        world = cls(path=path, engine=make_engine(url), settings=settings, role=persona.role)
        world._persona(persona, task_id=task_id, salt=phone_salt)
        return world

    def _persona(self, persona: Persona, *, task_id: str, salt: str) -> None:
        with session_scope(self.engine, write=True) as session:
            customer: Customer | None = None
            if persona.demo_customer is not None:
                customer = pick_customer(session, persona.demo_customer)
            elif persona.new_customer:
                phone = new_customer_phone(task_id, salt)
                customer = customer_by_phone(
                    session, phone, name=NEW_CUSTOMER_NAME, actor=EVAL_ACTOR, is_test=True
                )
            if customer is not None:
                # A persona is test data: evaluator keys speak only as test customers.
                customer.is_test = True
                session.add(customer)
                self.customer_id, self.phone = customer.id, customer.phone
                self.discount_bp = customer.discount_bp
            if persona.role == "technician":
                self.technician_prefix = technician_key(session, TECHNICIAN_NAME)
                self.owner = f"key:{self.technician_prefix}"

    def context(self, session_id: str) -> ToolContext:
        """A tool context for this persona (what the server would build)."""
        return ToolContext(
            engine=self.engine,
            settings=self.settings,
            session_id=session_id,
            channel="web",
            role=self.role,
            customer_id=self.customer_id,
        )

    def run_read_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run a read-only tool as the persona and return its JSON result."""
        from tools.base import run_tool

        spec = tool_registry().get(name)
        if spec is None:
            raise LookupError(f"no tool named {name}")
        if spec.writes:
            raise ValueError(f"{name} writes; a computed value may only use read-only tools")
        content, ok = run_tool(spec, args, self.context("eval-ref"))
        if not ok:
            raise LookupError(f"{name}({args}) failed: {content}")
        data = json.loads(content)
        if not isinstance(data, dict):
            raise LookupError(f"{name} returned {type(data).__name__}, not an object")
        return data

    def max_ids(self) -> dict[str, int]:
        """The highest order, lead, case and appointment ids (what the agent creates comes
        after them)."""
        from evals.purchasing import max_ids as purchase_ids  # evals.refs imports this module

        with self.engine.connect() as conn:
            return {
                table: int(
                    conn.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
                )
                for table in ("orders", "lead", "customer", "support_case", "appointment")
            } | purchase_ids(self.engine)

    def close(self) -> None:
        """Release the database file."""
        self.engine.dispose()
