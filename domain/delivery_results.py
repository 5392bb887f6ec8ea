"""Typed results of the logistics agent's chat tools (what its reply templates read)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from domain.dialogue import FulfillmentMode, TimeWindow
from domain.tool_results import BranchInfo, OrderSummary, Result


class WindowOption(Result):
    """A window a delivery can move to."""

    day: date
    window: TimeWindow
    start: datetime
    end: datetime


class DeliveryView(Result):
    """One order's delivery as its customer sees it (pickup orders: the branch and day)."""

    folio: str
    mode: FulfillmentMode
    status: str | None = None  # DeliveryStatus value; None: nothing scheduled yet
    address: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    eta_start: datetime | None = None  # the promised window around the live ETA
    eta_end: datetime | None = None
    driver_first_name: str | None = None
    driver_rating: float | None = None
    stops_before: int | None = None  # open stops the truck makes first
    tracking_url: str | None = None
    late: bool = False
    minutes_late: int = 0
    can_change: bool = False  # not out yet: day, window, address and pickup may still change
    branch: BranchInfo
    pickup_day: date | None = None
    delivered_at: datetime | None = None
    recipient_name: str | None = None


class DeliveryLookup(Result):
    """get_delivery_status: the delivery meant, or the orders to choose from."""

    delivery: DeliveryView | None = None
    candidates: list[OrderSummary] = Field(default_factory=list)


class DeliveryWindows(Result):
    """The windows a delivery can still move to (a day asked for, or the next days)."""

    folio: str
    current: DeliveryView
    day: date | None = None  # the day asked for
    windows: list[WindowOption] = Field(default_factory=list)


class DeliveryChanged(Result):
    """A delivery moved, switched to pickup, or sent to another address."""

    folio: str
    change: Literal["rescheduled", "pickup", "address", "unchanged"]
    previous: str  # the window or address it had, in Spanish
    previous_day: date | None = None  # the window it had, for "déjalo como estaba"
    previous_window: TimeWindow | None = None
    delivery: DeliveryView
    replanned: bool = False  # the day's routes were planned again
    notified: bool = False  # a notice went to the customer's WhatsApp


class DeliveryCost(Result):
    """The home-delivery fee for an address (by distance from the branch)."""

    address: str
    zone: str | None
    branch: str
    km: float
    fee_cents: int | None  # IVA included; None: outside the delivery area
    band: int | None


class LateDelivery(Result):
    folio: str
    branch: str
    status: str
    window_end: datetime
    eta: datetime | None
    minutes_late: int
    driver: str | None


class LateDeliveries(Result):
    """Staff: today's open deliveries past (or predicted past) their window."""

    branch: str | None
    checked_at: datetime
    tolerance_minutes: int
    deliveries: list[LateDelivery] = Field(default_factory=list)


class VehicleProgress(Result):
    plate: str
    branch: str
    driver: str | None
    status: str  # RouteStatus value
    done: int
    total: int
    next_folio: str | None
    next_eta: datetime | None
    latitude: float | None
    longitude: float | None
    position_at: datetime | None
    km: float


class FleetStatus(Result):
    """Staff: where each truck of a day is and how far along its route."""

    day: date
    branch: str | None
    vehicles: list[VehicleProgress] = Field(default_factory=list)


class BranchPlanMade(Result):
    branch: str
    routes: int
    deliveries: int
    km: float
    hours: float
    cost_cents: int
    late_stops: int
    unplanned: list[str] = Field(default_factory=list)


class RoutesPlanned(Result):
    """Staff: a day planned (or planned again) for one branch or all."""

    day: date
    plans: list[BranchPlanMade] = Field(default_factory=list)


class DeliveryKpis(Result):
    """Staff: a day's delivery figures (on-time rate and cost per delivery)."""

    day: date
    branch: str | None
    deliveries: int
    delivered: int
    on_time: int
    on_time_rate: float | None  # on_time / delivered; None before any delivery
    on_time_percent: int | None  # the same, as a whole percentage
    failed: int
    pending: int
    routes: int
    km: float
    cost_cents: int
    cost_per_delivery_cents: int | None  # route cost / deliveries of the day


class SurveyRecorded(Result):
    """The customer's 1-5 answer to the survey after their delivery."""

    folio: str
    score: int
    comment: str | None
    driver_first_name: str | None
