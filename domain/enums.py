"""Closed sets shared by tables, API models and tools."""

from __future__ import annotations

from enum import StrEnum


class VehicleType(StrEnum):
    """What kind of vehicle a tire is made for."""

    AUTO = "auto"
    SUV = "suv"
    CAMIONETA = "camioneta"
    COMERCIAL = "comercial"


class Terrain(StrEnum):
    """Where the tire is meant to run."""

    HIGHWAY = "highway"
    ALL_SEASON = "all_season"
    PERFORMANCE = "performance"
    ALL_TERRAIN = "all_terrain"
    MUD_TERRAIN = "mud_terrain"


class Tier(StrEnum):
    """Price tier used to group options for customers."""

    PREMIUM = "premium"
    MID = "mid"
    ECONOMY = "economy"


class CustomerKind(StrEnum):
    """Retail buyer, dealer (concesionario/distribuidor) or fleet."""

    RETAIL = "retail"
    DEALER = "dealer"
    FLEET = "fleet"


class DealerType(StrEnum):
    """Kind of dealer."""

    CONCESIONARIO = "concesionario"
    DISTRIBUIDOR = "distribuidor"


class OrderStatus(StrEnum):
    """Order life cycle; legal moves are in domain.orders.TRANSITIONS."""

    QUOTE = "quote"
    RESERVED = "reserved"
    PAID = "paid"
    READY_FOR_PICKUP = "ready_for_pickup"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


class ReservationStatus(StrEnum):
    """Whether a reservation still holds stock."""

    ACTIVE = "active"  # holds stock until expires_at
    CONFIRMED = "confirmed"  # paid: holds stock with no expiry
    CONSUMED = "consumed"  # the tires left the branch
    RELEASED = "released"  # cancelled or expired


class DeliveryStatus(StrEnum):
    """State of a delivery to the customer's address."""

    SCHEDULED = "scheduled"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class PurchaseOrderStatus(StrEnum):
    """State of a purchase order to a supplier."""

    DRAFT = "draft"
    SENT = "sent"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """Where an order or message came from."""

    WHATSAPP = "whatsapp"
    WEB = "web"
    STORE = "store"
    API = "api"
    PHONE = "phone"


class Role(StrEnum):
    """Who an API key or token speaks for."""

    ADMIN = "admin"
    STAFF = "staff"
    TECHNICIAN = "technician"
    EVALUATOR = "evaluator"
    INTEGRATION = "integration"
    DRIVER = "driver"  # a delivery driver: only their own route
