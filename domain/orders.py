"""The order status machine and what each move does to stock."""

from __future__ import annotations

import re
from enum import StrEnum

from core.errors import Conflict, InvalidRequest
from domain.enums import OrderStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.QUOTE: frozenset({S.RESERVED, S.CANCELLED}),
    S.RESERVED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY, S.CANCELLED}),
    S.READY_FOR_PICKUP: frozenset({S.DELIVERED, S.OUT_FOR_DELIVERY, S.CANCELLED}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.READY_FOR_PICKUP}),
    S.DELIVERED: frozenset({S.RETURNED}),
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
}

# Statuses in which the order's units are held out of available stock.
HOLDS_STOCK = frozenset({S.RESERVED, S.PAID, S.READY_FOR_PICKUP, S.OUT_FOR_DELIVERY})


class StockEffect(StrEnum):
    """What a status change does to the stock of the order's branch."""

    NONE = "none"
    RESERVE = "reserve"  # reserved += q (only if available)
    RELEASE = "release"  # reserved -= q
    CONSUME = "consume"  # reserved -= q, on_hand -= q (tires left the branch)
    RESTOCK = "restock"  # on_hand += q (a return)


def check_transition(current: S, target: S) -> StockEffect:
    """Validate a status change and say what it does to stock.

    Raises:
        Conflict: the move is not legal from the current status.
    """
    if target == current:
        raise Conflict(f"order is already {current.value}", field="status")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none (final status)"
        raise Conflict(
            f"cannot move an order from {current.value} to {target.value}; allowed: {allowed}",
            field="status",
        )
    held_before, held_after = current in HOLDS_STOCK, target in HOLDS_STOCK
    if not held_before and held_after:
        return StockEffect.RESERVE
    if held_before and target == S.DELIVERED:
        return StockEffect.CONSUME
    if held_before and not held_after:
        return StockEffect.RELEASE
    if current == S.DELIVERED and target == S.RETURNED:
        return StockEffect.RESTOCK
    return StockEffect.NONE


_FOLIO = re.compile(r"^\s*#?\s*TL[-\s]?(\d{1,9})\s*$", re.IGNORECASE)


def format_folio(order_id: int) -> str:
    """The customer-facing order number: ``TL-000123``."""
    return f"TL-{order_id:06d}"


def parse_folio(text: str) -> int:
    """The order id inside a folio written as ``TL-000123``, ``tl 123`` or ``#TL-123``.

    Raises:
        InvalidRequest: the text is not a folio.
    """
    match = _FOLIO.match(text)
    if not match:
        raise InvalidRequest(f"'{text}' is not an order folio like TL-000123", field="folio")
    return int(match[1])
