"""Customer and supplier DTOs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.enums import CustomerKind


class CustomerPublic(BaseModel):
    """A customer as staff and integrators see them."""

    id: int
    kind: CustomerKind
    dealer_type: str | None
    name: str
    phone: str | None
    whatsapp_id: str | None
    email: str | None
    rfc: str | None
    city: str
    discount_bp: int
    credit_limit_cents: int
    consent_marketing: bool
    consent_notifications: bool
    is_test: bool = Field(
        False,
        description="Test data (the demo's fictional customers, eval personas): evaluator keys "
        "may speak as this customer in /v1/chat",
    )


class CustomerTestFlag(BaseModel):
    """Mark a customer as test data, or as a real customer again (admin keys only)."""

    model_config = ConfigDict(extra="forbid")

    is_test: bool


class PriceBreak(BaseModel):
    """Unit cost (net cents) when buying at least ``min_quantity``."""

    product_id: int
    sku: str
    min_quantity: int
    unit_cost_cents: int


class SupplierPublic(BaseModel):
    """A supplier with its brands, lead time and volume price breaks."""

    id: int
    name: str
    rfc: str | None
    email: str
    phone: str
    lead_time_days: int
    brands: list[str]
    price_breaks: list[PriceBreak]
