"""Typed results of the agents' tools: the tool returns one, its reply template reads the same.

Amounts are integer cents (MXN) with IVA included unless a name says otherwise; instants are
timezone-aware UTC (templates show them in Mexico City time). A refusal is not a result: tools
raise ``ToolRefused`` with a Spanish message the customer can read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.dialogue import FulfillmentMode, OptionKey, TerrainPreference, TimeWindow


class Result(BaseModel):
    """Base of every tool result (unknown keys are a contract bug)."""

    model_config = ConfigDict(extra="forbid")


# --- catalogue -------------------------------------------------------------------------------


class VehicleInfo(Result):
    """The vehicle a search was made for."""

    make: str
    model: str
    year: int
    trim: str | None = None  # the trim the size was chosen for, when the customer named one


class TrimSize(Result):
    """One trim of a vehicle and its original front size."""

    trim: str
    size: str


class TireOption(Result):
    """One tire offered to the customer."""

    key: OptionKey
    sku: str
    brand: str
    line: str
    size: str
    tier: str
    terrain: str
    run_flat: bool
    light_truck: bool  # LT prefix or C (commercial) construction
    load_index: int
    speed_rating: str
    unit_price_cents: int  # after the customer's discount
    list_unit_price_cents: int  # shelf price
    total_cents: int  # unit price x quantity
    warranty_km: int
    warranty_months: int
    branch: str | None  # where the quantity is available (the customer's branch first)
    available_at_branch: int
    stock_by_branch: dict[str, int] = Field(default_factory=dict)


class TireOptions(Result):
    """find_tires_for_vehicle / search_tires: recommended, economical and premium choices."""

    vehicle: VehicleInfo | None = None
    size: str
    trims: list[TrimSize] = Field(default_factory=list)  # the vehicle's trims for that year
    trim_known: bool = True  # False: trims differ in size and none was named
    quantity: int
    brand: str | None = None
    terrain: TerrainPreference | None = None
    run_flat: bool | None = None
    light_truck: bool | None = None
    max_unit_price_pesos: int | None = None
    branch_code: str | None = None  # only stock at this branch counted
    unmatched_filters: list[str] = Field(default_factory=list)  # filters relaxed to find any
    options: list[TireOption] = Field(default_factory=list)  # in OptionKey order
    discount_bp: int = 0  # the customer's discount, already in the prices
    customer_kind: str = "retail"
    installation_free: bool = True
    deposit_cents: int

    def option(self, key: OptionKey) -> TireOption | None:
        """The option shown under this heading."""
        return next((o for o in self.options if o.key == key), None)


class BranchAvailability(Result):
    """One product at one branch."""

    sku: str
    description: str
    available: int


class BranchStock(Result):
    """check_branch_stock: the offered or chosen tires at a branch the customer named."""

    branch_code: str
    branch_name: str
    city: str
    quantity: int
    items: list[BranchAvailability]


class ServicePrice(Result):
    """A shop service (installation, balancing, ...)."""

    code: str
    name: str
    unit: str
    price_cents: int


class ServicePrices(Result):
    """get_service_prices."""

    services: list[ServicePrice]


class BranchInfo(Result):
    """A branch as customers see it."""

    code: str
    name: str
    city: str
    address: str
    phone: str = ""
    hours: dict[str, str] = Field(default_factory=dict)  # "lun-vie", "sab", "dom"


class Branches(Result):
    """get_branches."""

    branches: list[BranchInfo]


# --- quotes, terms, payments -------------------------------------------------------------------


class MsiTerm(Result):
    """Months without interest available for the total."""

    months: int
    monthly_cents: int


class CreditInfo(Result):
    """A dealer's or fleet's credit line."""

    limit_cents: int
    used_cents: int  # open orders not yet paid
    available_cents: int


class DeliveryBand(Result):
    """Home delivery's price up to a road distance from the branch (IVA included)."""

    up_to_km: float
    price_cents: int


class Quote(Result):
    """quote_tires: one product and quantity, priced for this customer."""

    sku: str
    description: str  # "Continental UltraContact 205/55R16"
    brand: str
    line: str
    size: str
    quantity: int
    unit_price_cents: int
    list_unit_price_cents: int
    discount_bp: int
    discount_cents: int
    total_cents: int
    iva_included_cents: int
    complements: list[ServicePrice]
    msi: list[MsiTerm]
    warranty_km: int
    warranty_months: int
    valid_until: date
    deposit_cents: int
    credit: CreditInfo | None = None  # dealers and fleets with a credit line
    # home delivery by distance from the branch; pickup at the branch costs nothing
    delivery: list[DeliveryBand] = Field(default_factory=list)


class CustomerTerms(Result):
    """get_customer_terms."""

    identified: bool
    kind: str = "retail"
    discount_bp: int = 0
    credit: CreditInfo | None = None


class PaymentOptions(Result):
    """get_payment_options: what the payment provider and the branches really accept."""

    online_methods: list[str]  # on the payment link, e.g. "tarjeta de crédito", "tarjeta de débito"
    in_store_methods: list[str]  # at the branch counter, e.g. "efectivo", "tarjeta"
    cash_voucher: bool  # OXXO / convenience-store vouchers
    bank_transfer: bool  # SPEI
    msi_minimums: list[MsiTerm]  # months and the minimum purchase (monthly_cents = minimum)
    deposit_cents: int
    hold_hours: int | None = None  # how long a reservation holds the tires before the deposit


# --- orders ------------------------------------------------------------------------------------


class PaymentLinkInfo(Result):
    """A payment link of an order."""

    url: str
    amount_cents: int
    status: Literal["pending", "paid", "expired"]
    expires_at: datetime


class FulfillmentInfo(Result):
    """How an order reaches the customer (real columns on the order)."""

    mode: FulfillmentMode
    day: date | None = None
    window: TimeWindow | None = None
    address: str | None = None


class OrderItem(Result):
    """One line of an order."""

    sku: str
    description: str
    quantity: int
    unit_price_cents: int
    total_cents: int


class DeliveryInfo(Result):
    """The delivery of an order to the customer's address."""

    status: str
    window_start: datetime
    window_end: datetime
    late: bool  # the window has passed and it is not delivered
    days_late: int = 0


class InvoiceInfo(Result):
    """The CFDI receiver data recorded on an order."""

    rfc: str
    name: str
    regime: str
    regime_name: str
    use: str
    use_name: str
    zip_code: str
    status: str = "requested"


class OrderDetails(Result):
    """An order as the customer who owns it sees it."""

    folio: str
    status: str
    created_at: datetime
    branch: BranchInfo
    items: list[OrderItem]
    total_cents: int
    discount_cents: int = 0
    deposit_cents: int
    paid_cents: int  # payments received
    balance_cents: int  # total - paid
    held_until: datetime | None = None  # a reserved order's stock hold
    payment: PaymentLinkInfo | None = None  # the newest link
    fulfillment: FulfillmentInfo
    delivery: DeliveryInfo | None = None
    invoice: InvoiceInfo | None = None


class OrderSummary(Result):
    """One line per order when the customer must say which one."""

    folio: str
    status: str
    created_at: datetime
    description: str  # "4 x Continental UltraContact 205/55R16"
    total_cents: int


class OrderStatus(Result):
    """get_order_status: the order the customer means, or the ones to choose from."""

    order: OrderDetails | None = None
    candidates: list[OrderSummary] = Field(default_factory=list)  # several active: ask which


ReservationChange = Literal["created", "unchanged", "modified", "replaced"]


class ReservationResult(Result):
    """create_reservation / change_reservation: the conversation's one open reservation."""

    change: ReservationChange
    previous_description: str | None = None  # what it held before a change
    moved_from: str | None = None  # the branch it was held at, when a change moved it
    order: OrderDetails


class CancellationResult(Result):
    """cancel_reservation."""

    folio: str
    status: str
    released: list[OrderItem]  # units put back on the shelf
    branch: BranchInfo
    paid_cents: int  # a paid deposit is refunded by a person (a lead is opened)
    refund_lead_id: int | None = None


class PaymentLinkResult(Result):
    """resend_payment_link: the link to use now (the same one while it is payable)."""

    folio: str
    link: PaymentLinkInfo
    purpose: Literal["deposit", "balance"]
    new: bool  # a new link was made (the old one expired or the deposit was paid)
    balance_cents: int


class FulfillmentResult(Result):
    """set_fulfillment (no folio: nothing reserved yet, the choice is kept for the reservation)."""

    folio: str | None = None
    fulfillment: FulfillmentInfo
    branch: BranchInfo | None = None
    missing: list[Literal["day", "window", "address"]] = Field(default_factory=list)
    delivery_scheduled: bool = False


class InvoiceResult(Result):
    """request_invoice: the receiver data recorded on the order."""

    folio: str
    invoice: InvoiceInfo


# --- people ------------------------------------------------------------------------------------


class HandoffResult(Result):
    """handoff_to_human: a lead with the conversation summary."""

    lead_id: int
    status: str
    reason: str
    kind: str = "other"  # HandoffReason value
    case_number: str | None = None  # the technician's case (technical and warranty problems)


# --- staff -------------------------------------------------------------------------------------


class StockRow(Result):
    """One product's available units by branch."""

    sku: str
    product: str
    stock: dict[str, int]


class StockResult(Result):
    """check_stock."""

    size: str | None = None
    brand: str | None = None
    line: str | None = None
    branch: str | None = None
    products: list[StockRow]  # the products with the most units (a short list, not all)
    total_available: int  # over every matching product (SQL aggregate, never a page)
    by_branch: dict[str, int] = Field(default_factory=dict)  # available units per branch
    product_count: int = 0  # matching products


class LowStockRow(Result):
    """A product at or below its reorder point at a branch."""

    sku: str
    product: str
    branch: str
    available: int
    reorder_point: int


class LowStockResult(Result):
    """list_low_stock."""

    total_low: int
    items: list[LowStockRow]


class RankedProduct(Result):
    """A product's sales over a period."""

    sku: str
    product: str
    units: int
    revenue_cents: int
    available: int


class SalesRanking(Result):
    """get_sales_ranking: best or worst sellers over a period."""

    order: Literal["best", "worst"]
    days: int
    since: date
    until: date
    branch: str | None = None
    brand: str | None = None
    size: str | None = None
    period: str | None = None  # the period asked for (domain.periods), when one was
    items: list[RankedProduct]


class LeadRow(Result):
    """A hand-off to a person."""

    lead_id: int
    created_at: datetime
    customer_name: str | None
    phone: str | None
    channel: str
    reason: str
    status: str
    kind: str = "other"  # HandoffReason value


class HandoffRequests(Result):
    """list_handoff_requests: who asked for a person, newest first."""

    since: date
    items: list[LeadRow]


class ProblemInfo(Result):
    """A likely problem behind the symptoms described."""

    code: str
    title: str
    summary: str
    causes: list[str]
    urgency: Literal["stop", "soon", "routine"]
    checks: list[str]
    replace: bool  # the tire must be replaced (no repair)


class DotInfo(Result):
    """A DOT date code read from the description: when the tire was made."""

    week: int
    year: int
    age_years: int


class KbPassage(Result):
    """A knowledge-base chunk shown to the customer (cite its id in cases)."""

    id: str
    title: str
    text: str
    links: list[str] = Field(default_factory=list)


class KbAnswer(Result):
    """search_knowledge_base: the passages that best answer the question, best first."""

    passages: list[KbPassage]


class Diagnosis(Result):
    """diagnose_problem: likely problems (most specific first), the shop services that fix
    them with prices, and the one question that tells the causes apart (None when the
    description already answers it)."""

    problems: list[ProblemInfo]
    services: list[ServicePrice]
    question: str | None = None
    dot: DotInfo | None = None
    sources: list[KbPassage] = Field(default_factory=list)  # knowledge-base chunks it rests on
