"""The order status machine and what each move does to stock."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Protocol, TypeVar

from core.errors import Conflict, InvalidRequest
from domain.clock import MEXICO_CITY, as_utc, to_mexico
from domain.dialogue import TimeWindow
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


# --- which order a customer means ------------------------------------------------------------

# Orders still on their way to the customer, and how much a question about "my order" most
# likely means each: the one on the road, then a paid or ready one, then a reservation.
ORDER_PRIORITY: dict[S, int] = {
    S.OUT_FOR_DELIVERY: 3,
    S.PAID: 2,
    S.READY_FOR_PICKUP: 2,
    S.RESERVED: 1,
}
ACTIVE = frozenset(ORDER_PRIORITY)


class _Dated(Protocol):
    @property
    def status(self) -> S: ...

    @property
    def created_at(self) -> datetime: ...


OrderT = TypeVar("OrderT", bound=_Dated)


def choose_order(orders: Sequence[OrderT]) -> tuple[OrderT | None, list[OrderT]]:
    """The order a customer means when they give no folio: (order, candidates).

    Among active orders the highest priority wins; several at that priority are candidates to
    ask about (newest first) and no order is chosen. With no active order, the newest one.
    """
    active = [o for o in orders if o.status in ACTIVE]
    if not active:
        newest = max(orders, key=lambda o: as_utc(o.created_at), default=None)
        return newest, []
    top = max(ORDER_PRIORITY[o.status] for o in active)
    best = sorted(
        (o for o in active if ORDER_PRIORITY[o.status] == top),
        key=lambda o: as_utc(o.created_at),
        reverse=True,
    )
    return (best[0], []) if len(best) == 1 else (None, best)


# --- when a home visit happens ---------------------------------------------------------------

# The hours (Mexico City) of each window a customer can name.
WINDOW_HOURS: dict[TimeWindow, tuple[int, int]] = {
    TimeWindow.MORNING: (9, 13),
    TimeWindow.AFTERNOON: (13, 17),
    TimeWindow.EVENING: (17, 20),
}


def window_bounds(day: date, window: TimeWindow) -> tuple[datetime, datetime]:
    """The window of a day in Mexico City time, as aware instants."""
    start, end = WINDOW_HOURS[window]
    return (
        datetime.combine(day, time(start), tzinfo=MEXICO_CITY),
        datetime.combine(day, time(end), tzinfo=MEXICO_CITY),
    )


def window_of(start: datetime) -> TimeWindow | None:
    """The named window a stored delivery window starts in (Mexico City hours)."""
    hour = to_mexico(start).hour
    return next((w for w, (a, b) in WINDOW_HOURS.items() if a <= hour < b), None)


@dataclass(frozen=True, slots=True)
class Lateness:
    """Whether a delivery missed its window, and by how many Mexico City calendar days."""

    late: bool
    days_late: int = 0


DONE_DELIVERY = frozenset({"delivered", "cancelled"})


def delivery_lateness(window_end: datetime, status: str, now: datetime) -> Lateness:
    """Late when the window has passed and the delivery is not done; days counted in Mexico
    City calendar days (a window that ended last night is 1 day late this morning)."""
    if status in DONE_DELIVERY or as_utc(window_end) >= as_utc(now):
        return Lateness(False)
    days = (to_mexico(now).date() - to_mexico(window_end).date()).days
    return Lateness(True, max(days, 0))
