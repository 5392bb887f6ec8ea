"""Order DTOs: what clients send and what they get back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain.bounds import Cents, DbId
from domain.dialogue import FulfillmentMode, TimeWindow
from domain.enums import Channel, OrderStatus
from domain.phone import Phone

LinkStatus = Literal["pending", "paid", "expired"]
LinkPurpose = Literal["deposit", "balance"]


class OrderLineCreate(BaseModel):
    """One product and quantity; give ``product_id`` or ``sku``."""

    product_id: DbId | None = None
    sku: str | None = Field(None, min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=200)

    @model_validator(mode="after")
    def _one_reference(self) -> OrderLineCreate:
        if (self.product_id is None) == (self.sku is None):
            raise ValueError("give exactly one of product_id or sku")
        return self


class OrderCreate(BaseModel):
    """A new order. ``reserved`` (the default) holds the stock at the branch until it expires."""

    customer_id: DbId
    branch_code: str = Field(min_length=2, max_length=8)
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=50)
    status: Literal["quote", "reserved"] = "reserved"
    channel: Channel = Channel.API
    fulfillment: FulfillmentMode = FulfillmentMode.PICKUP
    fulfillment_day: date | None = None
    fulfillment_window: TimeWindow | None = None
    fulfillment_address: str | None = Field(None, min_length=5, max_length=200)
    deposit_cents: Cents = 0
    hold_hours: int | None = Field(None, ge=1, le=336)
    notes: str = Field("", max_length=500)
    with_deposit_link: bool = Field(
        False, description="Also make the deposit payment link (a reserved order with a deposit)"
    )


class OrderUpdate(BaseModel):
    """Changes to an order: a legal status move, notes, and/or a payment taken at the counter."""

    status: OrderStatus | None = None
    notes: str | None = Field(None, max_length=500)
    paid_cents: Cents | None = Field(
        None,
        ge=1,
        description="A payment received outside the payment links (cash or card at the "
        "counter), added to what the order has been paid",
    )

    @model_validator(mode="after")
    def _something(self) -> OrderUpdate:
        if self.status is None and self.notes is None and self.paid_cents is None:
            raise ValueError("give status, notes and/or paid_cents")
        return self


class OrderChange(BaseModel):
    """Change a reserved order in place (same folio): its lines and/or its branch.

    The old hold is released and the new one taken in one transaction; totals are recomputed,
    pending payment links expire and, with ``with_deposit_link``, a fresh deposit link is made.
    """

    lines: list[OrderLineCreate] | None = Field(None, min_length=1, max_length=50)
    branch_code: str | None = Field(None, min_length=2, max_length=8)
    with_deposit_link: bool = True
    hold_until: datetime | None = Field(
        None,
        description="The new hold ends then at the latest (e.g. the old hold's end, so a change "
        "buys no time); unset = the store's hold from now",
    )

    @model_validator(mode="after")
    def _something(self) -> OrderChange:
        if self.lines is None and self.branch_code is None:
            raise ValueError("give lines and/or branch_code")
        return self


class FulfillmentUpdate(BaseModel):
    """Pickup at the branch or installation at the customer's address, and when.

    Fields left out keep their value; a home visit with day, window and address schedules the
    order's delivery (the window in Mexico City time)."""

    mode: FulfillmentMode
    day: date | None = None
    window: TimeWindow | None = None
    address: str | None = Field(None, min_length=5, max_length=200)


class InvoiceRequest(BaseModel):
    """CFDI 4.0 receiver data (validated with domain.cfdi; codes from the SAT catalogues)."""

    rfc: str = Field(min_length=12, max_length=16)
    name: str = Field(min_length=3, max_length=254)
    regime: str = Field(min_length=3, max_length=120, description="c_RegimenFiscal, e.g. 612")
    use: str = Field(min_length=3, max_length=120, description="c_UsoCFDI, e.g. G03")
    zip_code: str = Field(min_length=5, max_length=5)


class PaymentLinkRequest(BaseModel):
    """Which payment link to make: the deposit of a reserved order, or the balance after it."""

    purpose: LinkPurpose = "deposit"


class PaymentLinkPublic(BaseModel):
    """A payment link as callers see it (the token is the secret part of the URL)."""

    url: str = Field(description="Where the customer pays; empty when read without a provider")
    token: str
    order_id: int
    folio: str
    amount_cents: int
    purpose: LinkPurpose = "deposit"
    status: LinkStatus
    expires_at: datetime
    paid_at: datetime | None = None
    created_at: datetime | None = None


class DeliveryPublic(BaseModel):
    """Taking an order to the customer's address within a window (UTC instants)."""

    status: str
    address: str
    window_start: datetime
    window_end: datetime


class InvoicePublic(BaseModel):
    """The CFDI receiver data recorded on an order."""

    rfc: str
    name: str
    regime: str
    regime_name: str
    use: str
    use_name: str
    zip_code: str
    status: str


class CreditPublic(BaseModel):
    """A dealer's or fleet's credit line: used = unpaid balance of its open orders."""

    customer_id: int
    limit_cents: int
    used_cents: int
    available_cents: int


class CustomerCreate(BaseModel):
    """A new customer (e.g. the guest behind an anonymous web chat)."""

    kind: Literal["retail"] = "retail"
    name: str = Field(min_length=2, max_length=120)
    phone: Phone | None = None
    email: str | None = Field(None, max_length=120)


class OrderLinePublic(BaseModel):
    """A priced order line (cents, MXN)."""

    product_id: int
    sku: str
    description: str
    quantity: int
    unit_price_cents: int
    discount_cents: int
    iva_cents: int
    total_cents: int


class ReservationPublic(BaseModel):
    """Stock held for the order."""

    product_id: int
    branch_code: str
    quantity: int
    status: str
    expires_at: datetime


class OrderPublic(BaseModel):
    """An order with its lines, totals and reservations."""

    id: int
    folio: str
    customer_id: int
    branch_code: str
    status: OrderStatus
    channel: str
    fulfillment: str
    lines: list[OrderLinePublic]
    subtotal_cents: int
    discount_cents: int
    iva_cents: int
    total_cents: int
    deposit_cents: int
    notes: str
    reservations: list[ReservationPublic]
    created_at: datetime
    updated_at: datetime
    fulfillment_day: date | None = None
    fulfillment_window: TimeWindow | None = None
    fulfillment_address: str | None = None
    paid_cents: int = 0
    balance_cents: int = 0
    held_until: datetime | None = Field(None, description="A reserved order's stock hold ends")
    payment_links: list[PaymentLinkPublic] = Field(default_factory=list, description="Newest first")
    delivery: DeliveryPublic | None = None
    invoice: InvoicePublic | None = None
