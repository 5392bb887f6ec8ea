"""The built-in payment provider: our own checkout page and HMAC-signed webhooks."""

from __future__ import annotations

import hashlib
import hmac

from adapters.payments.base import PaymentMethod, PaymentProvider
from core.settings import Settings

# Development and test derive the webhook secret from the auth secret with this label, so no
# extra secret has to be configured, and it is still different from the JWT signing key.
_DERIVATION_LABEL = b"topllantas/payments/webhook-secret/v1"


class LocalPaymentProvider:
    """Checkout at ``{public_base_url}/pay/{token}``; bodies signed with HMAC-SHA256 (hex)."""

    name = "local"
    # The local checkout takes cards only (it is the page a card processor would host).
    methods = (PaymentMethod.CREDIT_CARD, PaymentMethod.DEBIT_CARD)

    def __init__(self, public_base_url: str, secret: str) -> None:
        if not secret:
            raise ValueError("the payment webhook secret must not be empty")
        self.public_base_url = public_base_url.rstrip("/")
        self._key = secret.encode()

    def create_link(self, *, token: str, amount_cents: int, order_folio: str) -> str:
        """The checkout page of the link (amount and folio are on the page, not in the URL)."""
        return f"{self.public_base_url}/pay/{token}"

    def sign(self, body: bytes) -> str:
        """HMAC-SHA256 of the raw body, hex."""
        return hmac.new(self._key, body, hashlib.sha256).hexdigest()

    def verify(self, body: bytes, signature: str | None) -> bool:
        """Constant-time comparison with the expected signature."""
        if not signature:
            return False
        # bytes: compare_digest refuses non-ASCII str, and a header can carry anything
        given = signature.strip().lower().encode("utf-8", "replace")
        return hmac.compare_digest(self.sign(body).encode(), given)


def webhook_secret(settings: Settings) -> str:
    """The configured webhook secret, or one derived from the auth secret."""
    configured = settings.payments.webhook_secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value()
    return hmac.new(settings.jwt_secret().encode(), _DERIVATION_LABEL, hashlib.sha256).hexdigest()


def build_payment_provider(settings: Settings) -> PaymentProvider:
    """The provider chosen in settings (only ``local`` exists today)."""
    if settings.payments.provider == "local":
        return LocalPaymentProvider(settings.public_base_url, webhook_secret(settings))
    raise ValueError(f"unknown payment provider {settings.payments.provider!r}")
