"""The typed dialogue state of a conversation and the commands that change it.

The state is persisted with the LangGraph checkpoint (as JSON) and never read back from
rendered text: what the bot is waiting for is an enum, what it knows are typed slots. Each
customer message becomes commands (set or correct a slot, confirm, deny, cancel, digress, ...);
an agent's task runs on the state. Pure types: no I/O.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_QUANTITY = 4  # a set of tires, what "llantas para mi auto" means


class PersonaRole(StrEnum):
    """Who is speaking in a conversation (fixed by the channel or the API key)."""

    CUSTOMER = "customer"
    STAFF = "staff"
    TECHNICIAN = "technician"


class AgentName(StrEnum):
    """The supervisor and its four agents."""

    SUPERVISOR = "supervisor"
    SALES = "sales"
    SUPPORT = "support"
    INVENTORY = "inventory"
    LOGISTICS = "logistics"


class Task(StrEnum):
    """What the active agent is doing for the person."""

    NONE = "none"
    QUOTE = "quote"  # finding tires: vehicle or size -> options -> a chosen tire
    RESERVATION = "reservation"  # holding tires with a deposit link, changing or cancelling it
    FULFILLMENT = "fulfillment"  # pickup at the shop or installation at home: day, window, address
    INVOICE = "invoice"  # collecting CFDI receiver data
    ORDER_STATUS = "order_status"
    SUPPORT = "support"  # a tire problem, care or warranty
    STAFF_QUERY = "staff_query"  # stock, sales, leads for staff
    DELIVERY = "delivery"  # a home delivery: when it arrives, moving it, pickup, address
    DISPATCH = "dispatch"  # staff: route plans, late deliveries, trucks, the day's figures


class Awaiting(StrEnum):
    """What the bot asked last and is waiting for; a feature of routing and of understanding."""

    NOTHING = "nothing"
    VEHICLE = "vehicle"  # the vehicle and year, or the size on the sidewall
    YEAR = "year"
    TRIM = "trim"
    QUANTITY = "quantity"
    OPTION = "option"  # which of the offered options
    RESERVE_CONFIRM = "reserve_confirm"  # "¿Te las aparto?"
    CHANGE_CONFIRM = "change_confirm"  # "¿Cambio tu apartado a ...?"
    CANCEL_CONFIRM = "cancel_confirm"
    INSTALL_CHOICE = "install_choice"  # "¿Vamos a tu casa o vienes al taller?"
    DELIVERY_DETAILS = "delivery_details"  # address, day and time window for a home visit
    INVOICE_DATA = "invoice_data"  # RFC, razón social, régimen, uso de CFDI, código postal
    ORDER_CHOICE = "order_choice"  # several active orders: which one
    FOLIO = "folio"
    HANDOFF_CONFIRM = "handoff_confirm"  # "¿Te paso con un asesor/técnico?"
    SYMPTOM_DETAIL = "symptom_detail"  # "¿A qué velocidad vibra?": the diagnosis's question
    RATING = "rating"  # the satisfaction survey after a technician resolved the case (1-5)
    APPOINTMENT_TIME = "appointment_time"  # "¿a qué hora te queda?" (free slots offered)
    PURCHASE_CONFIRM = "purchase_confirm"  # staff: "¿Genero la orden de compra?"
    TRANSFER_CONFIRM = "transfer_confirm"  # staff: "¿Hago el traspaso?"
    DELIVERY_WINDOW = "delivery_window"  # windows a delivery can move to were offered
    DELIVERY_ADDRESS = "delivery_address"  # "¿a qué dirección la mandamos?"


class OptionKey(StrEnum):
    """How options are presented to customers."""

    RECOMMENDED = "recommended"
    ECONOMICAL = "economical"
    PREMIUM = "premium"


class FulfillmentMode(StrEnum):
    """How the tires reach the customer."""

    PICKUP = "pickup"  # at the branch (installed in our shop)
    DELIVERY = "delivery"  # installed at the customer's address


class TimeWindow(StrEnum):
    """A part of the day a customer can name for a visit or a pickup."""

    MORNING = "morning"  # 9-13
    AFTERNOON = "afternoon"  # 13-17
    EVENING = "evening"  # 17-20


class TerrainPreference(StrEnum):
    """Tire use a customer asks for ("AT", "todo terreno", "de carretera")."""

    HIGHWAY = "highway"  # HT
    ALL_TERRAIN = "all_terrain"  # AT
    MUD_TERRAIN = "mud_terrain"  # MT


class HandoffReason(StrEnum):
    """Why a conversation went to a person."""

    CUSTOMER_ASKED = "customer_asked"
    HOME_INSTALLATION = "home_installation"
    WARRANTY = "warranty"
    TECHNICAL = "technical"
    DELIVERY_ISSUE = "delivery_issue"
    VOLUME_SALE = "volume_sale"
    REFUND = "refund"
    OTHER = "other"


class _Slot(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)


class VehicleSlot(_Slot):
    """The customer's vehicle; any part may still be missing."""

    make: str | None = None
    model: str | None = None
    year: int | None = None
    trim: str | None = None


class Offer(_Slot):
    """One option we showed the customer."""

    key: OptionKey
    sku: str
    brand: str
    line: str
    size: str
    unit_price_cents: int


class FulfillmentSlot(_Slot):
    """Pickup or home installation, and when and where."""

    mode: FulfillmentMode | None = None
    day: date | None = None
    window: TimeWindow | None = None
    address: str | None = None


class InvoiceSlot(_Slot):
    """CFDI 4.0 receiver data as the customer gave it (validated by the invoice tool)."""

    rfc: str | None = None
    name: str | None = None  # razón social / nombre
    regime: str | None = None  # c_RegimenFiscal, e.g. 612
    use: str | None = None  # c_UsoCFDI, e.g. G03
    zip_code: str | None = None

    def missing(self) -> list[str]:
        """The fields still to collect, in the order we ask for them."""
        names = ("rfc", "name", "regime", "use", "zip_code")
        return [n for n in names if not getattr(self, n)]


class StaffReport(StrEnum):
    """The staff question being answered (a follow-up repeats it with what changed)."""

    STOCK = "stock"
    LOW = "low"
    BEST = "best"
    WORST = "worst"
    SALES = "sales"
    VALUE = "value"
    LEADS = "leads"
    ALERTS = "alerts"
    REORDER = "reorder"
    FORECAST = "forecast"
    TRENDING = "trending"
    SLOW = "slow"
    TRANSFERS = "transfers"


class PendingTransfer(_Slot):
    """A transfer proposed to the staff member, waiting for their yes."""

    sku: str | None = None  # None until the product is resolved from what was named
    product: str | None = None
    from_branch: str
    to_branch: str
    quantity: int | None = None  # None: still to ask
    available: int | None = None  # at the origin when proposed


class PendingPurchase(_Slot):
    """A purchase order proposed to the staff member, waiting for their yes."""

    branch: str | None = None
    supplier_id: int | None = None
    supplier: str | None = None
    lines: dict[str, int] = Field(default_factory=dict)  # SKU -> units
    draft: str | None = None  # the draft's id or folio, when the back end drafted one


class StaffSlots(_Slot):
    """What a staff conversation has established: the question and its filters."""

    report: StaffReport | None = None
    size: str | None = None
    brand: str | None = None
    line: str | None = None
    branch: str | None = None
    period: str | None = None  # a domain.periods value
    days: int | None = None
    group_by: str | None = None
    transfer: PendingTransfer | None = None
    purchase: PendingPurchase | None = None


class DeliverySlots(_Slot):
    """A home delivery being talked about: the windows offered, what a move replaced (for
    "no, déjalo como estaba"), and the staff's dispatch question (for "¿y en Monterrey?")."""

    offers: list[str] = Field(default_factory=list)  # "2026-12-01:morning", as offered
    day: date | None = None  # the day asked for, before a window was chosen
    window: TimeWindow | None = None  # the window asked for, before the day's were checked
    ask: str | None = None  # what the customer asked while we find out which order
    previous: str | None = None  # "2026-11-30:afternoon": the window before this chat moved it
    question: str | None = None  # staff: "plan", "late", "fleet", "kpis"
    question_day: date | None = None
    question_vehicle: str | None = None


class Slots(_Slot):
    """Everything the conversation has established."""

    vehicle: VehicleSlot = Field(default_factory=VehicleSlot)
    size: str | None = None
    rim: int | None = None  # "rin 16": narrows a vehicle's trims
    brand: str | None = None
    terrain: TerrainPreference | None = None
    run_flat: bool | None = None
    light_truck: bool | None = None  # LT / C (load range) tires
    max_unit_price_pesos: int | None = None
    quantity: int | None = None
    branch: str | None = None  # a branch the customer named
    offers: list[Offer] = Field(default_factory=list)
    trims: list[str] = Field(default_factory=list)  # the vehicle's trims when they differ in size
    chosen_sku: str | None = None
    fulfillment: FulfillmentSlot = Field(default_factory=FulfillmentSlot)
    folio: str | None = None  # the conversation's open reservation
    order_folio: str | None = None  # the order the customer is asking about
    order_choices: dict[str, str] = Field(default_factory=dict)  # folio → what it holds, when
    # the customer must say which order ("las de 185 60 14")
    handoff_lead: int | None = None  # the case already handed to a person in this conversation
    handoff_kind: str | None = None  # its kind (HandoffReason): later details go to that case
    symptoms: str | None = None  # the customer's description of a tire problem, so far
    kb_topic: str | None = None  # the question the last knowledge-base answer answered
    kb_turn: int | None = None  # the turn it was asked in (a follow-up comes right after)
    kb_follow_up: str | None = None  # "¿y a cuánto la inflo?": a follow-up being answered
    case_number: str | None = None  # the support case a technician is working on (CS-000123)
    appointment_service: str | None = None  # the shop service being booked (alignment, ...)
    appointment_day: date | None = None  # the day whose free slots were offered
    appointment_window: str | None = None  # "morning" / "afternoon" asked for
    appointment_number: str | None = None  # the customer's appointment in this chat (CT-...)
    appointment_branch: str | None = None  # the branch asked for
    appointment_times: list[str] = Field(default_factory=list)  # the free times offered
    appointment_at: str | None = None  # the booked time, "13:00" (for "a la misma hora")
    report: str | None = (
        None  # the staff question being answered: "stock", "best", "worst", "leads"
    )
    report_days: int | None = None  # its period
    staff: StaffSlots = Field(default_factory=StaffSlots)  # the staff question and its filters
    delivery: DeliverySlots = Field(default_factory=DeliverySlots)  # a delivery being changed
    invoice: InvoiceSlot = Field(default_factory=InvoiceSlot)

    def offer(self, sku: str | None) -> Offer | None:
        """The offered option with this SKU."""
        return next((o for o in self.offers if o.sku == sku), None)


class DialogueState(BaseModel):
    """Per conversation: the active agent and task, what we wait for, and the slots."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    agent: AgentName | None = None
    task: Task = Task.NONE
    awaiting: Awaiting = Awaiting.NOTHING
    slots: Slots = Field(default_factory=Slots)
    # A sub-task (invoice data) interrupted this question; it is asked again when that ends.
    resume: Awaiting = Awaiting.NOTHING
    turns: int = 0  # customer messages so far

    @classmethod
    def load(cls, data: dict[str, Any] | DialogueState | None) -> DialogueState:
        """The state from its checkpointed JSON (a fresh one when there is none)."""
        if isinstance(data, DialogueState):
            return data.model_copy(deep=True)
        return cls.model_validate(data or {})

    def dump(self) -> dict[str, Any]:
        """JSON for the checkpoint."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def expect(self, what: Awaiting, task: Task | None = None) -> None:
        """Record the question we just asked (and the task it belongs to)."""
        self.awaiting = what
        if task is not None:
            self.task = task


class CommandKind(StrEnum):
    """What a message asks the dialogue manager to do (Rasa CALM's command set, adapted)."""

    SET_SLOT = "set_slot"  # provide a value we asked for, or volunteer one
    CORRECT_SLOT = "correct_slot"  # change a value already set ("mejor 2", "es 2019")
    CONFIRM = "confirm"
    DENY = "deny"
    CANCEL = "cancel"  # the current task, or the open reservation
    START_TASK = "start_task"
    DIGRESS = "digress"  # a question off the current task; the task resumes after it
    CLARIFY = "clarify"  # two readings are plausible: ask which
    HANDOFF = "handoff"
    SMALL_TALK = "small_talk"
    OPT_OUT = "opt_out"


class Topic(StrEnum):
    """Questions a customer asks in the middle of a task."""

    HOLD_PERIOD = "hold_period"
    PAYMENT_LINK = "payment_link"
    BALANCE = "balance"
    PAYMENT_METHODS = "payment_methods"
    FINANCING = "financing"
    INVOICE = "invoice"
    SERVICES = "services"  # installation, balancing, alignment prices
    BRANCHES = "branches"  # where and when
    BRANCH_STOCK = "branch_stock"  # "¿y en Monterrey tienen?"
    WARRANTY = "warranty"
    ORDER_STATUS = "order_status"
    TERMS = "terms"  # dealer discount and credit
    FIND_SIZE = "find_size"  # "¿cómo sé cuál versión / medida es la mía?"


class Command(BaseModel):
    """One thing a message asks for; ``slot`` names a field of ``Slots``."""

    model_config = ConfigDict(frozen=True)

    kind: CommandKind
    slot: str | None = None
    value: Any = None
    task: Task | None = None
    topic: Topic | None = None

    def __str__(self) -> str:
        detail = self.slot or self.task or self.topic or ""
        value = "" if self.value is None else f"={self.value}"
        return f"{self.kind.value}({detail}{value})"


class TurnContext(BaseModel):
    """What the graph hands a model for one call: who speaks, which agent, and the state.

    It travels as typed data on the system message (``additional_kwargs``); hosted LLMs read
    the same facts rendered in their prompt. Identity comes from the channel, never the model.
    """

    role: PersonaRole
    agent: AgentName
    channel: str = "web"
    customer_id: int | None = None
    dialogue: DialogueState = Field(default_factory=DialogueState)

    model_config = ConfigDict(extra="ignore")


TURN_CONTEXT_KEY = "topllantas_turn"
DIALOGUE_METADATA_KEY = "dialogue"  # AIMessage.response_metadata key a model reports state in
COMMANDS_METADATA_KEY = "commands"
