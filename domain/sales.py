"""Order DTOs: what clients send and what they get back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domain.enums import Channel, OrderStatus


class OrderLineCreate(BaseModel):
    """One product and quantity; give ``product_id`` or ``sku``."""

    product_id: int | None = Field(None, gt=0)
    sku: str | None = Field(None, min_length=1, max_length=40)
    quantity: int = Field(gt=0, le=200)

    @model_validator(mode="after")
    def _one_reference(self) -> OrderLineCreate:
        if (self.product_id is None) == (self.sku is None):
            raise ValueError("give exactly one of product_id or sku")
        return self


class OrderCreate(BaseModel):
    """A new order. ``reserved`` (the default) holds the stock at the branch until it expires."""

    customer_id: int = Field(gt=0)
    branch_code: str = Field(min_length=2, max_length=8)
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=50)
    status: Literal["quote", "reserved"] = "reserved"
    channel: Channel = Channel.API
    fulfillment: Literal["pickup", "delivery"] = "pickup"
    deposit_cents: int = Field(0, ge=0)
    hold_hours: int | None = Field(None, ge=1, le=336)
    notes: str = Field("", max_length=500)


class OrderUpdate(BaseModel):
    """Changes to an order: a legal status move and/or notes."""

    status: OrderStatus | None = None
    notes: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _something(self) -> OrderUpdate:
        if self.status is None and self.notes is None:
            raise ValueError("give status and/or notes")
        return self


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
