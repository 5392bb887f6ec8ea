"""Eval tasks as typed data: persona, user turns or goal, reference actions and criteria."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Suite = Literal["sales", "routing", "safety", "support", "inventory", "logistics"]
Agent = Literal["supervisor", "sales", "support", "inventory", "logistics"]
Role = Literal["customer", "staff", "technician"]
Slot = Literal[
    "vehicle", "year", "size", "brand", "choice", "choice_again", "quantity", "pickup", "branch",
    "folio", "reserve", "decline", "handoff", "unclear",
]  # fmt: skip
Format = Literal["text", "mxn", "int"]
TASKS_DIR = Path(__file__).resolve().parent / "tasks"


class Strict(BaseModel):
    """Unknown keys are typos in a task file: reject them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomerPick(Strict):
    """A customer of the demo data, chosen by kind and position (ids are not stable to write)."""

    kind: Literal["retail", "dealer", "fleet"] = "retail"
    nth: int = Field(0, ge=0, description="0-based, by id, among customers with a phone")
    with_orders: bool = False


class ToolRef(Strict):
    """A value computed by running a read-only tool on the fresh database as the persona.

    ``path`` walks the JSON result: keys, list indexes, and ``?field=value`` (the first
    element of a list or of a dict's values whose ``field`` equals ``value``, case-insensitive).
    """

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    path: str
    format: Format = "text"


class CreatedRef(Strict):
    """A field of the order or lead the agent created in this task (e.g. the folio)."""

    created: Literal["order", "lead"]
    path: str = "folio"
    format: Format = "text"


class CustomerRef(Strict):
    """A field of a demo customer (another customer's phone, name or last folio)."""

    customer: CustomerPick
    path: Literal["phone", "name", "email", "last_folio"]
    format: Format = "text"


Ref = ToolRef | CreatedRef | CustomerRef


class Persona(Strict):
    """Who speaks: a customer (anonymous web, a demo customer, or a first-time one) or staff."""

    role: Role = "customer"
    demo_customer: CustomerPick | None = None
    new_customer: bool = False

    @model_validator(mode="after")
    def _one_identity(self) -> Persona:
        if self.demo_customer is not None and self.new_customer:
            raise ValueError("a persona is a demo customer or a new customer, not both")
        if self.role != "customer" and (self.demo_customer is not None or self.new_customer):
            raise ValueError("only a customer persona has a customer record")
        return self


class Goal(Strict):
    """A rule-simulated user: opens with ``opening`` and answers the agent from what it knows.

    ``known`` maps what the agent may ask for to the words this customer uses; ``unknown``
    lists what they cannot tell; ``reserve`` says whether they accept a reservation offer.
    """

    opening: str = Field(min_length=1)
    known: dict[Slot, str] = Field(default_factory=dict)
    unknown: list[Slot] = Field(default_factory=list)
    reserve: bool = False
    instructions: str = Field("", description="Extra brief for an LLM-simulated user")

    @model_validator(mode="after")
    def _disjoint(self) -> Goal:
        both = set(self.known) & set(self.unknown)
        if both:
            raise ValueError(f"slots both known and unknown: {sorted(both)}")
        return self


class UserSpec(Strict):
    """A fixed script of customer turns, or a goal for a simulated user."""

    script: list[str] | None = None
    goal: Goal | None = None
    max_turns: int = Field(8, ge=1, le=20)

    @model_validator(mode="after")
    def _exactly_one(self) -> UserSpec:
        if (self.script is None) == (self.goal is None):
            raise ValueError("give exactly one of user.script and user.goal")
        if self.script is not None and not self.script:
            raise ValueError("user.script needs at least one turn")
        return self


class Action(Strict):
    """A reference tool call; write tools are replayed to build the expected end state."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class LineExpect(Strict):
    """One expected order line."""

    quantity: int = Field(ge=1)
    brand: str | None = None
    size: str | None = None
    sku: str | Ref | None = None
    max_unit_price_cents: int | None = Field(None, description="Unit price with IVA, at most")


class OrderExpect(Strict):
    """One order the agent must have created."""

    status: str = "reserved"
    branch: str | None = None
    fulfillment: Literal["pickup", "delivery"] | None = None
    lines: list[LineExpect] = Field(min_length=1)
    stock_held: bool = True
    payment_link: bool = True
    pickup_date: bool | None = None
    discounted: bool | None = None


class DbCriteria(Strict):
    """The end state. ``replay``: equal to the state the reference write actions produce."""

    replay: bool = True
    orders: list[OrderExpect] | None = None
    leads: int | None = None
    nothing_written: bool = False


class Fact(Strict):
    """Something the replies must say: literal text, one of several, or a computed value."""

    text: str | None = None
    any_of: list[str] | None = None
    ref: Ref | None = None
    turn: int | None = Field(None, description="Only this reply (negative from the end)")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> Fact:
        if sum(x is not None for x in (self.text, self.any_of, self.ref)) != 1:
            raise ValueError("a fact has exactly one of text, any_of and ref")
        return self


class RouteCheck(Strict):
    """The agent that must answer a turn (negative turns count from the end)."""

    turn: int = 0
    agent: Agent


class Forbid(Strict):
    """What no reply may contain."""

    texts: list[str] = Field(default_factory=list)
    refs: list[Ref] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="Regular expressions")
    invented_prices: bool = Field(
        True, description="Every $ amount is a catalogue price x quantity, deposit or service"
    )


class Task(Strict):
    """One eval task."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{2,60}$")
    suite: Suite
    description: str = ""
    persona: Persona = Field(default_factory=Persona)
    vars: dict[str, Ref] = Field(
        default_factory=dict, description="Values for {name} placeholders in user text"
    )
    user: UserSpec
    actions: list[Action] = Field(default_factory=list)
    db: DbCriteria = Field(default_factory=DbCriteria)
    communicate: list[Fact] = Field(default_factory=list)
    route: list[RouteCheck] = Field(default_factory=list)
    forbid: Forbid = Field(default_factory=Forbid)

    @model_validator(mode="before")
    @classmethod
    def _route_shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("route"), str):
            return {**value, "route": [{"turn": 0, "agent": value["route"]}]}
        return value

    def user_texts(self) -> list[str]:
        """Every customer line the task authored (script, opening and known answers)."""
        if self.user.script is not None:
            return list(self.user.script)
        assert self.user.goal is not None
        return [self.user.goal.opening, *self.user.goal.known.values()]


class TaskFile(Strict):
    """A suite file: ``evals/tasks/<suite>.json``."""

    suite: Suite
    tasks: list[Task]

    @model_validator(mode="after")
    def _consistent(self) -> TaskFile:
        ids = [t.id for t in self.tasks]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate task ids: {dupes}")
        wrong = [t.id for t in self.tasks if t.suite != self.suite]
        if wrong:
            raise ValueError(f"tasks of another suite in {self.suite}.json: {wrong}")
        return self


def suite_files(directory: Path = TASKS_DIR) -> dict[str, Path]:
    """The suite files present, by suite name."""
    return {p.stem: p for p in sorted(directory.glob("*.json"))}


def load_suite(path: Path) -> list[Task]:
    """The validated tasks of one suite file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return TaskFile.model_validate(data).tasks


def load_tasks(
    suites: list[str] | None = None, *, ids: list[str] | None = None, directory: Path = TASKS_DIR
) -> list[Task]:
    """Tasks of the named suites (all when None), optionally only the given ids."""
    files = suite_files(directory)
    unknown = sorted(set(suites or []) - set(files))
    if unknown:
        raise ValueError(f"no suite file for {unknown}; have {sorted(files)}")
    tasks = [t for name in (suites or sorted(files)) for t in load_suite(files[name])]
    if ids:
        missing = sorted(set(ids) - {t.id for t in tasks})
        if missing:
            raise ValueError(f"unknown task ids: {missing}")
        tasks = [t for t in tasks if t.id in ids]
    return tasks
