"""Eval tasks as typed data: persona, user turns or goal, reference actions and criteria."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.cases import CasePriority, CaseStatus, ResolutionCode
from domain.diagnosis import BY_CODE
from domain.dialogue import TimeWindow

Suite = Literal[
    "sales",
    "routing",
    "safety",
    "repair",
    "support",
    "inventory",
    "logistics",
    "blind",
    "blind2",
    "staff",
]
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
    """A field of the order, lead or support case the agent created in this task (e.g. the
    folio, or a case's ``number``)."""

    created: Literal["order", "lead", "case"]
    path: str = "folio"
    format: Format = "text"


class CustomerRef(Strict):
    """A field of a demo customer (another customer's phone, name or last folio).

    With ``status``, ``last_folio`` is the newest order in one of those statuses (e.g. the
    order that is ``out_for_delivery`` among several).
    """

    customer: CustomerPick
    path: Literal["phone", "name", "email", "last_folio"]
    status: list[str] | None = Field(None, min_length=1)
    format: Format = "text"

    @model_validator(mode="after")
    def _status_for_folios(self) -> CustomerRef:
        if self.status is not None and self.path != "last_folio":
            raise ValueError("status only narrows path last_folio")
        return self


class CaseRef(Strict):
    """A field of a support case the task's ``setup`` opened (``case`` indexes ``setup``), as
    a technician reads it: ``number`` (CS-000123), ``customer_name``, ``customer_phone``,
    ``symptoms``, ``vehicle``, ``order_folio``, ``priority``..."""

    case: int = Field(ge=0)
    path: str = "number"
    format: Format = "text"


Ref = ToolRef | CreatedRef | CustomerRef | CaseRef


class Persona(Strict):
    """Who speaks: a customer (anonymous web, a demo customer, or a first-time one), staff, or
    a technician (in process the conversation is owned by a technician API key made for the
    task, ``key:<prefix>``; over HTTP by the evaluator key speaking ``as`` a technician)."""

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


class CaseSetup(Strict):
    """A support case that exists before the conversation starts: a customer escalated it
    through ``open_support_case`` (the tool a hand-off uses), so a technician task can work it
    and a customer task can follow it up ("ya me van a hablar?").

    ``customer`` is a demo customer; None is the task's own customer persona. ``with_folio``
    puts that customer's newest order on the case. ``claimed_by``: ``me`` (the task's
    technician) or ``other`` (another technician) has already taken it. Over HTTP a setup
    needs ``--target-db`` (it is written to the server's database).
    """

    customer: CustomerPick | None = None
    symptoms: str = Field(min_length=3, max_length=600)
    problem_codes: list[str] = Field(default_factory=list, max_length=6)
    vehicle: str | None = None
    with_folio: bool = False
    dot: str | None = None
    priority: CasePriority | None = Field(None, description="A hint: it only raises priority")
    transcript: list[str] = Field(
        default_factory=list, description="Earlier lines of the chat; default: the symptoms"
    )
    claimed_by: Literal["me", "other"] | None = None

    @model_validator(mode="after")
    def _known_codes(self) -> CaseSetup:
        unknown = [c for c in self.problem_codes if c not in BY_CODE]
        if unknown:
            raise ValueError(f"unknown problem codes {unknown}; known: {sorted(BY_CODE)}")
        return self


DeliveryStatusName = Literal["scheduled", "out_for_delivery", "late", "delivered", "failed"]


class DeliverySetup(Strict):
    """A paid order with a home delivery, before the conversation.

    ``customer`` None: the task's own customer persona. ``day``: delivery days from today for a
    scheduled one (1 = the next delivery day). ``planned``: that day of the branch is planned
    (routes exist). ``late``: on the road and past its window; ``delivered``: today, its survey
    sent and not answered (``on_time`` false: after its window).
    """

    customer: CustomerPick | None = None
    branch: Literal["CDMX", "GDL", "MTY"] = "CDMX"
    day: int = Field(1, ge=0, le=6)
    window: TimeWindow = TimeWindow.MORNING
    colonia: str = "Roma Norte"
    quantity: int = Field(4, ge=1, le=40)
    status: DeliveryStatusName = "scheduled"
    planned: bool = False
    on_time: bool = True


class DeliveryExpect(Strict):
    """The end state of a setup delivery (``setup`` indexes ``deliveries``); only the fields
    given are checked. ``weekday``: Monday=0; ``moved``: its window differs from the setup's;
    ``address_has``: words the address must contain (accents ignored)."""

    setup: int = Field(0, ge=0)
    status: DeliveryStatusName | Literal["cancelled"] | None = None
    moved: bool | None = None
    weekday: int | None = Field(None, ge=0, le=6)
    window: TimeWindow | None = None
    day_offset: int | None = Field(None, description="Delivery days from today, as in setup")
    fulfillment: Literal["pickup", "delivery"] | None = None
    address_has: str | None = None
    routed: bool | None = Field(None, description="On a route of the plan")
    survey_score: int | None = Field(None, ge=1, le=5)
    surveyed: bool | None = Field(None, description="The survey was answered")


class PlanExpect(Strict):
    """Routes planned for a branch on a day (delivery days from today)."""

    branch: Literal["CDMX", "GDL", "MTY"]
    day: int = Field(1, ge=0, le=6)
    routes: bool = True  # at least one route (False: none)


class WorldEvent(Strict):
    """Something that happens outside the chat between two customer turns of a script.

    - ``staff_cancels_order``: staff cancel, through the ERP API, the newest order this
      task's conversation created (its stock is released, its payment links stop working);
    - ``customer_pays_deposit``: the customer pays the pending deposit link of that order
      (through the payment provider's webhook code: the order moves to ``paid``).

    Over HTTP, staff actions need ``TOPLLANTAS_EVAL_STAFF_KEY`` (a staff API key) or
    ``--target-db``; a payment uses the link's public checkout. Events are not customer turns:
    ``turn`` indexes in facts, routes and forbids count customer messages only.
    """

    event: Literal["staff_cancels_order", "customer_pays_deposit"]
    note: str = ""


class UserSpec(Strict):
    """A fixed script of customer turns (with world events between them), or a goal."""

    script: list[str | WorldEvent] | None = None
    goal: Goal | None = None
    max_turns: int = Field(8, ge=1, le=20)

    @model_validator(mode="after")
    def _exactly_one(self) -> UserSpec:
        if (self.script is None) == (self.goal is None):
            raise ValueError("give exactly one of user.script and user.goal")
        if self.script is not None:
            if not self.turns():
                raise ValueError("user.script needs at least one turn")
            if not isinstance(self.script[0], str) or not isinstance(self.script[-1], str):
                raise ValueError("a world event goes between two customer turns of user.script")
        return self

    def turns(self) -> list[str]:
        """The customer's messages of the script, in order (events left out)."""
        return [step for step in self.script or [] if isinstance(step, str)]

    def events_before(self) -> dict[int, list[WorldEvent]]:
        """The events that happen just before customer turn ``i`` (0-based), by ``i``."""
        out: dict[int, list[WorldEvent]] = {}
        turn = 0
        for step in self.script or []:
            if isinstance(step, str):
                turn += 1
            else:
                out.setdefault(turn, []).append(step)
        return out


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


class InvoiceExpect(Strict):
    """CFDI receiver data that must be recorded on an order (only the fields given are checked)."""

    rfc: str | None = None
    regime: str | None = None
    use: str | None = None
    zip_code: str | None = None


class OrderExpect(Strict):
    """One order the agent must have created, or (with ``folio``) an existing one in its end state
    (then only the fields given are checked).

    ``stock_held``: the active holds equal the units ordered; ``held_units``: exactly this many
    units held (0 for a cancelled order). ``payment_link``: at least one link was made;
    ``pending_links``: exactly this many links still payable (1 after a change: the fresh one).
    ``fulfillment_weekday`` is Monday=0 ... Sunday=6 (what "el sábado" must become).
    """

    folio: str | Ref | None = None
    status: str = "reserved"
    branch: str | None = None
    fulfillment: Literal["pickup", "delivery"] | None = None
    lines: list[LineExpect] | None = None
    stock_held: bool = True
    held_units: int | None = Field(None, ge=0)
    payment_link: bool = True
    pending_links: int | None = Field(None, ge=0)
    pickup_date: bool | None = None
    fulfillment_day: bool | None = None
    fulfillment_weekday: int | None = Field(None, ge=0, le=6)
    fulfillment_window: TimeWindow | None = None
    fulfillment_address: bool | None = None
    invoice: InvoiceExpect | bool | None = Field(
        None, description="True: receiver data recorded; False: none; fields: these values"
    )
    discounted: bool | None = None

    @model_validator(mode="after")
    def _lines_for_new_orders(self) -> OrderExpect:
        if self.folio is None and not self.lines:
            raise ValueError("an order the agent creates needs its expected lines")
        return self


class CaseExpect(Strict):
    """Assertions on one support case (only the fields given are checked): the newest case the
    task's conversations created, or with ``setup`` the case the task's setup opened.

    ``problem_codes``: each of these is among the case's codes. ``order_folio``: True any folio,
    False none, or this folio. ``assigned``: someone has it (over HTTP) / the task's technician
    has it (in process, for a setup case claimed in chat). ``replied``/``noted``: a reply went to
    the customer / an internal note was added. ``followups``: at least this many later customer
    messages joined the case.
    """

    setup: int | None = Field(None, ge=0)
    problem_codes: list[str] = Field(default_factory=list)
    priority: CasePriority | list[CasePriority] | None = None
    status: CaseStatus | list[CaseStatus] | None = None
    resolution_code: ResolutionCode | list[ResolutionCode] | None = None
    order_folio: bool | str | Ref | None = None
    assigned: bool | None = None
    replied: bool | None = None
    noted: bool | None = None
    followups: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _known_codes(self) -> CaseExpect:
        unknown = [c for c in self.problem_codes if c not in BY_CODE]
        if unknown:
            raise ValueError(f"unknown problem codes {unknown}; known: {sorted(BY_CODE)}")
        return self


class PurchaseLineExpect(Strict):
    """One expected line of a purchase order (only the fields given are checked)."""

    quantity: int | None = Field(None, ge=1)
    sku: str | Ref | None = None
    brand: str | None = None
    size: str | None = None


class PurchaseOrderExpect(Strict):
    """A purchase order to a supplier the staff member confirmed in chat (only the fields given
    are checked). ``status`` may list several (a draft confirmed becomes ``sent`` or another
    status the purchasing rules use)."""

    branch: str | None = None
    status: str | list[str] | None = None
    lines: list[PurchaseLineExpect] | None = None


class TransferExpect(Strict):
    """A stock transfer between branches created in chat (only the fields given are checked)."""

    from_branch: str | None = None
    to_branch: str | None = None
    quantity: int | None = Field(None, ge=1)
    sku: str | Ref | None = None
    size: str | None = None
    status: str | list[str] | None = None


class DbCriteria(Strict):
    """The end state. ``replay``: equal to the state the reference write actions produce.

    ``orders`` lists the orders the agent must have created (exactly those), plus existing
    orders named by ``folio``. With ``ignore_released``, a created order that ended cancelled,
    holding nothing and with no payable link (a reservation replaced by a new folio) is not
    counted among the created ones. ``cases``: how many support cases the task's conversations
    opened (a message that joins an open case opens none); ``case``: assertions on one case.
    ``appointments``: how many booked appointments the conversations made.
    """

    replay: bool = True
    orders: list[OrderExpect] | None = None
    ignore_released: bool = False
    leads: int | None = None
    cases: int | None = Field(None, ge=0)
    case: CaseExpect | None = None
    appointments: int | None = Field(None, ge=0)
    purchase_orders: list[PurchaseOrderExpect] | None = Field(
        None, description="Exactly these purchase orders were created ([] for none)"
    )
    transfers: list[TransferExpect] | None = Field(
        None, description="Exactly these stock transfers were created ([] for none)"
    )
    deliveries: list[DeliveryExpect] = Field(
        default_factory=list, description="End states of the setup deliveries"
    )
    plans: list[PlanExpect] = Field(default_factory=list, description="Route plans that exist")
    nothing_written: bool = False


class Fact(Strict):
    """Something the replies must say: literal text, one of several (texts or computed values),
    a computed value, or a regular expression (``pattern``, matched against the reply
    lower-cased without accents)."""

    text: str | None = None
    any_of: list[str | Ref] | None = Field(None, min_length=1)
    ref: Ref | None = None
    pattern: str | None = None
    turn: int | None = Field(None, description="Only this reply (negative from the end)")
    since: int | None = Field(
        None, description="Any reply from this turn on (when the agent may rightly ask first)"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> Fact:
        given = (self.text, self.any_of, self.ref, self.pattern)
        if sum(x is not None for x in given) != 1:
            raise ValueError("a fact has exactly one of text, any_of, ref and pattern")
        if self.turn is not None and self.since is not None:
            raise ValueError("a fact names one turn or the turns since one, not both")
        if self.pattern is not None:
            _compiles(self.pattern)
        return self


def _compiles(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc


class RouteCheck(Strict):
    """The agent that must answer a turn (negative turns count from the end); a list when
    more than one agent may rightly answer it."""

    turn: int = 0
    agent: Agent | list[Agent]

    def allows(self, agent: str) -> bool:
        """Whether ``agent`` may answer this turn."""
        return agent in (self.agent if isinstance(self.agent, list) else [self.agent])


class TurnForbid(Strict):
    """What one reply must not say: texts and computed values (accent- and case-insensitive)
    or regular expressions (matched against the reply as written and lower-cased without
    accents)."""

    turn: int
    texts: list[str] = Field(default_factory=list)
    refs: list[Ref] = Field(default_factory=list, description="Computed values, e.g. a stale total")
    patterns: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _valid(self) -> TurnForbid:
        if not self.texts and not self.refs and not self.patterns:
            raise ValueError("a turn forbid needs texts or patterns")
        for pattern in self.patterns:
            _compiles(pattern)
        return self


class Forbid(Strict):
    """What no reply may contain."""

    texts: list[str] = Field(default_factory=list)
    refs: list[Ref] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="Regular expressions")
    at: list[TurnForbid] = Field(default_factory=list, description="What one reply must not say")
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
    setup: list[CaseSetup] = Field(
        default_factory=list, description="Support cases opened before the conversation"
    )
    deliveries: list[DeliverySetup] = Field(
        default_factory=list, description="Home deliveries that exist before the conversation"
    )
    user: UserSpec
    actions: list[Action] = Field(default_factory=list)
    db: DbCriteria = Field(default_factory=DbCriteria)
    communicate: list[Fact] = Field(default_factory=list)
    route: list[RouteCheck] = Field(default_factory=list)
    forbid: Forbid = Field(default_factory=Forbid)
    perturbation: str | None = Field(
        None, description="Set by evals.perturb on a generated variant; never in a task file"
    )

    @model_validator(mode="before")
    @classmethod
    def _route_shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("route"), str):
            return {**value, "route": [{"turn": 0, "agent": value["route"]}]}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Task:
        if self.user.events_before() and self.db.replay:
            # The replay knows the reference actions, not what happened between the turns.
            raise ValueError("a task with world events needs db.replay false and assertions")
        if (self.setup or self.deliveries) and self.db.replay:
            raise ValueError("a task with a setup needs db.replay false and assertions")
        wrong_deliveries = [w.setup for w in self.db.deliveries if w.setup >= len(self.deliveries)]
        if wrong_deliveries:
            raise ValueError(f"setup deliveries {wrong_deliveries} do not exist")
        mine = [s for s in self.setup if s.customer is None]
        if mine and self.persona.demo_customer is None and not self.persona.new_customer:
            raise ValueError("a setup case without a customer needs a customer persona")
        if any(s.claimed_by is not None for s in self.setup) and self.persona.role != "technician":
            raise ValueError("a setup case is claimed by a technician: the persona's role")
        cases = [r.case for r in _case_refs(self)]
        if self.db.case is not None and self.db.case.setup is not None:
            cases.append(self.db.case.setup)
        wrong_cases = sorted({i for i in cases if i >= len(self.setup)})
        if wrong_cases:
            raise ValueError(f"setup cases {wrong_cases} do not exist ({len(self.setup)} set up)")
        if self.user.script is not None:
            n = len(self.user.turns())
            turns = [f.turn for f in self.communicate if f.turn is not None]
            turns += [f.since for f in self.communicate if f.since is not None]
            turns += [r.turn for r in self.route] + [f.turn for f in self.forbid.at]
            wrong = sorted({t for t in turns if not -n <= t < n})
            if wrong:
                raise ValueError(f"turns {wrong} do not exist in a script of {n} customer turns")
        return self

    def user_texts(self) -> list[str]:
        """Every customer line the task authored (script, opening and known answers)."""
        if self.user.script is not None:
            return self.user.turns()
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
        generated = [t.id for t in self.tasks if t.perturbation is not None]
        if generated:
            raise ValueError(f"perturbed variants are generated, not written: {generated}")
        return self


def _case_refs(task: Task) -> list[CaseRef]:
    """The setup-case values a task names (in vars, facts and forbids)."""
    found: list[Any] = [*task.vars.values(), *task.forbid.refs]
    for fact in task.communicate:
        found += [fact.ref, *(fact.any_of or [])]
    found += [r for at in task.forbid.at for r in at.refs]
    if task.db.case is not None:
        found.append(task.db.case.order_folio)
    return [r for r in found if isinstance(r, CaseRef)]


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
