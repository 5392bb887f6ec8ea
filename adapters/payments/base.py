"""The payment-provider Protocol and the event a provider reports when a link is paid."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

from core.errors import InvalidRequest

EventStatus = Literal["paid", "failed"]


class PaymentMethod(StrEnum):
    """How a customer can pay on a payment link."""

    CREDIT_CARD = "credit_card"
    DEBIT_CARD = "debit_card"
    OXXO = "oxxo"  # a voucher paid in cash at a convenience store
    SPEI = "spei"  # a bank transfer


@dataclass(frozen=True)
class PaymentEvent:
    """What the provider tells us about one payment link (webhook body)."""

    token: str
    status: EventStatus
    provider_ref: str
    amount_cents: int

    def to_json(self) -> bytes:
        """The webhook body for this event (compact, key order fixed)."""
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_json(cls, body: bytes) -> PaymentEvent:
        """Parse a webhook body.

        Raises:
            InvalidRequest: not JSON, or a field is missing or of the wrong type.
        """
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise InvalidRequest("the body is not JSON", field="body") from exc
        if not isinstance(data, dict):
            raise InvalidRequest("the body must be a JSON object", field="body")
        for name in ("token", "provider_ref"):
            value = data.get(name)
            if not isinstance(value, str) or not 0 < len(value) <= 80:
                raise InvalidRequest(f"{name} must be a string of 1-80 characters", field=name)
        status = data.get("status")
        if status not in ("paid", "failed"):
            raise InvalidRequest("status must be 'paid' or 'failed'", field="status")
        amount = data.get("amount_cents")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise InvalidRequest(
                "amount_cents must be a whole number of cents", field="amount_cents"
            )
        return cls(
            token=data["token"],
            status="paid" if status == "paid" else "failed",
            provider_ref=data["provider_ref"],
            amount_cents=amount,
        )


@runtime_checkable
class PaymentProvider(Protocol):
    """Creates checkout URLs for payment links and signs/verifies its webhook bodies."""

    @property
    def name(self) -> str:
        """Short provider id, stored on each link (``local``)."""
        ...

    @property
    def methods(self) -> tuple[PaymentMethod, ...]:
        """What the customer can pay with on this provider's checkout page."""
        ...

    def create_link(self, *, token: str, amount_cents: int, order_folio: str) -> str:
        """The URL the customer opens to pay ``amount_cents`` for ``order_folio``."""
        ...

    def sign(self, body: bytes) -> str:
        """The signature the provider sends with ``body``."""
        ...

    def verify(self, body: bytes, signature: str | None) -> bool:
        """True only when ``signature`` is the provider's signature of exactly ``body``."""
        ...
