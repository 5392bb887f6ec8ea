"""What a flow sees on each model call: the message understood as commands, the typed dialogue
state, and the typed results of the tools called so far in this turn."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from langchain_core.messages import AIMessage
from pydantic import ValidationError

from adapters.llm.offline.nlu import Analysis, Entities
from domain.appointment_results import AppointmentBooked, AppointmentList, AppointmentSlots
from domain.case_results import CaseDetail, CaseList, CaseRating, CaseUpdate, OpenedCase
from domain.delivery_results import (
    DeliveryChanged,
    DeliveryCost,
    DeliveryKpis,
    DeliveryLookup,
    DeliveryWindows,
    FleetStatus,
    LateDeliveries,
    RoutesPlanned,
    SurveyRecorded,
)
from domain.dialogue import (
    Awaiting,
    Command,
    CommandKind,
    DialogueState,
    PersonaRole,
    Task,
    Topic,
    TurnContext,
)
from domain.staff_results import InventoryValue, SalesSummary
from domain.tool_results import (
    Branches,
    BranchStock,
    CancellationResult,
    CustomerTerms,
    Diagnosis,
    FulfillmentResult,
    HandoffRequests,
    HandoffResult,
    InvoiceResult,
    KbAnswer,
    LowStockResult,
    OrderStatus,
    PaymentLinkResult,
    PaymentOptions,
    Quote,
    ReservationResult,
    Result,
    SalesRanking,
    ServicePrices,
    StockResult,
    TireOptions,
)
from domain.warranty_results import WarrantyCheck
from tools import replenishment as rp
from tools.history import TechnicalHistory

R = TypeVar("R", bound=Result)

RESULT_TYPES: dict[str, type[Result]] = {
    "find_tires_for_vehicle": TireOptions,
    "search_tires": TireOptions,
    "check_branch_stock": BranchStock,
    "quote_tires": Quote,
    "create_reservation": ReservationResult,
    "change_reservation": ReservationResult,
    "cancel_reservation": CancellationResult,
    "resend_payment_link": PaymentLinkResult,
    "get_order_status": OrderStatus,
    "get_payment_options": PaymentOptions,
    "set_fulfillment": FulfillmentResult,
    "request_invoice": InvoiceResult,
    "get_customer_terms": CustomerTerms,
    "get_branches": Branches,
    "get_service_prices": ServicePrices,
    "handoff_to_human": HandoffResult,
    "check_stock": StockResult,
    "list_low_stock": LowStockResult,
    "get_sales_ranking": SalesRanking,
    "list_handoff_requests": HandoffRequests,
    "get_sales_summary": SalesSummary,
    "get_inventory_value": InventoryValue,
    "list_inventory_alerts": rp.InventoryAlerts,
    "suggest_reorders": rp.ReorderSuggestions,
    "draft_purchase_order": rp.PurchaseOrderDraft,
    "confirm_purchase_order": rp.PurchaseOrderMade,
    "get_demand_forecast": rp.DemandForecast,
    "list_trending_products": rp.TrendingProducts,
    "list_slow_and_aged_stock": rp.SlowAndAgedStock,
    "suggest_transfers": rp.TransferSuggestions,
    "create_transfer": rp.TransferMade,
    "diagnose_problem": Diagnosis,
    "list_my_cases": CaseList,
    "get_case": CaseDetail,
    "claim_case": CaseUpdate,
    "comment_case": CaseUpdate,
    "reply_to_case_customer": CaseUpdate,
    "resolve_case": CaseUpdate,
    "close_case": CaseUpdate,
    "open_support_case": OpenedCase,
    "rate_case": CaseRating,
    "check_warranty": WarrantyCheck,
    "get_technical_history": TechnicalHistory,
    "find_appointment_slots": AppointmentSlots,
    "book_appointment": AppointmentBooked,
    "move_appointment": AppointmentBooked,
    "cancel_appointment": AppointmentBooked,
    "list_my_appointments": AppointmentList,
    "search_knowledge_base": KbAnswer,
    "get_delivery_status": DeliveryLookup,
    "find_delivery_windows": DeliveryWindows,
    "reschedule_delivery": DeliveryChanged,
    "switch_delivery_to_pickup": DeliveryChanged,
    "change_delivery_address": DeliveryChanged,
    "get_delivery_cost": DeliveryCost,
    "record_delivery_survey": SurveyRecorded,
    "plan_delivery_routes": RoutesPlanned,
    "list_late_deliveries": LateDeliveries,
    "get_vehicle_status": FleetStatus,
    "get_delivery_kpis": DeliveryKpis,
}


@dataclass(frozen=True)
class Outcome:
    """One tool call of this turn: its typed result, or the refusal text it gave."""

    tool: str
    args: dict[str, Any]
    result: Result | None
    error: str | None

    def get(self, kind: type[R]) -> R | None:
        """The result when it is of this type."""
        return self.result if isinstance(self.result, kind) else None


def parse_outcome(tool: str, args: dict[str, Any], content: str) -> Outcome:
    """A tool message as a typed outcome (``Error: ...`` text is a refusal)."""
    if content.startswith("Error:"):
        return Outcome(tool, args, None, content.removeprefix("Error:").strip())
    kind = RESULT_TYPES.get(tool)
    if kind is None:
        return Outcome(tool, args, None, "resultado desconocido")
    try:
        return Outcome(tool, args, kind.model_validate_json(content), None)
    except (ValidationError, ValueError):
        return Outcome(tool, args, None, "resultado ilegible")


@dataclass
class Turn:
    """One model call of an offline flow."""

    analysis: Analysis
    context: TurnContext
    commands: list[Command]
    outcomes: list[Outcome]
    tool_names: frozenset[str]
    now: datetime
    earlier: list[Analysis] = field(default_factory=list)  # previous customer messages

    @property
    def state(self) -> DialogueState:
        """The working dialogue state (reported back with the reply)."""
        return self.context.dialogue

    @property
    def role(self) -> PersonaRole:
        """Who is writing (from the channel, never from the text)."""
        return self.context.role

    @property
    def intent(self) -> str:
        """The classifier's (or a rule's) intent for the message."""
        return self.analysis.intent

    @property
    def entities(self) -> Entities:
        """Entities of the message."""
        return self.analysis.entities

    @property
    def text(self) -> str:
        """The normalised message."""
        return self.analysis.normalized

    @property
    def last(self) -> Outcome | None:
        """The latest tool outcome of this turn."""
        return self.outcomes[-1] if self.outcomes else None

    def can(self, tool: str) -> bool:
        """Whether this agent was given the tool."""
        return tool in self.tool_names

    def called(self, tool: str) -> bool:
        """Whether the tool already ran in this turn."""
        return any(o.tool == tool for o in self.outcomes)

    def has(self, kind: CommandKind, *, slot: str | None = None) -> bool:
        """Whether the message carries this command (for this slot)."""
        return any(c.kind == kind and (slot is None or c.slot == slot) for c in self.commands)

    def command(self, kind: CommandKind, *, slot: str | None = None) -> Command | None:
        """The first command of this kind (for this slot)."""
        return next(
            (c for c in self.commands if c.kind == kind and (slot is None or c.slot == slot)), None
        )

    def value(self, slot: str) -> Any:
        """The value the message sets or corrects for ``slot``, if any."""
        for c in self.commands:
            if c.kind in (CommandKind.SET_SLOT, CommandKind.CORRECT_SLOT) and c.slot == slot:
                return c.value
        return None

    def topics(self) -> list[Topic]:
        """Digressions the message asks about, in order."""
        return [c.topic for c in self.commands if c.kind == CommandKind.DIGRESS and c.topic]

    def starts(self, task: Task) -> bool:
        """Whether the message opens this task."""
        return any(c.kind == CommandKind.START_TASK and c.task == task for c in self.commands)

    def expect(self, what: Awaiting, task: Task | None = None) -> None:
        """Record the question we ask in this reply."""
        self.state.expect(what, task)


def say(text: str) -> AIMessage:
    """A text reply."""
    return AIMessage(content=text)


def call(tool: str, /, **args: Any) -> AIMessage:
    """A single tool call (None arguments are left out)."""
    clean = {k: v for k, v in args.items() if v is not None}
    return AIMessage(
        content="",
        tool_calls=[
            {
                "name": tool,
                "args": clean,
                "id": f"call_{uuid.uuid4().hex[:16]}",
                "type": "tool_call",
            }
        ],
    )
