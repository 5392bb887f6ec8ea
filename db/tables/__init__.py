"""All table=True models; importing this package registers every table on SQLModel.metadata."""

from db.tables.appointments import Appointment, ServiceBay
from db.tables.cases import CaseEvent, SupportCase, Technician
from db.tables.catalog import Branch, Fitment, Product, Stock, StockLot
from db.tables.channels import InboundMedia, InboundMessage, Outbox, OutboxAttachment
from db.tables.conversations import ChatSession, Interaction, Lead, PaymentLink
from db.tables.dashboard import LoginLink, ReportSubscription, SalesTarget, WebSession
from db.tables.inventory import (
    ForecastRow,
    ForecastRun,
    InventoryAlert,
    ReorderSuggestion,
    StaffMember,
    StockTransfer,
)
from db.tables.logistics import (
    Delivery,
    DeliveryEvent,
    DeliveryRoute,
    Driver,
    FleetVehicle,
    GpsPing,
    RouteStop,
)
from db.tables.orders import Order, OrderInvoice, OrderLine, Reservation
from db.tables.parties import Customer, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierPrice
from db.tables.rollups import SalesBranchDay, SalesProductMonth
from db.tables.system import ApiKey, AuditLog, IdempotencyRecord, SalesDaily

__all__ = [
    "ApiKey",
    "Appointment",
    "AuditLog",
    "Branch",
    "CaseEvent",
    "ChatSession",
    "Customer",
    "Delivery",
    "DeliveryEvent",
    "DeliveryRoute",
    "Driver",
    "Fitment",
    "FleetVehicle",
    "ForecastRow",
    "ForecastRun",
    "GpsPing",
    "IdempotencyRecord",
    "InboundMedia",
    "InboundMessage",
    "Interaction",
    "InventoryAlert",
    "Lead",
    "LoginLink",
    "Order",
    "OrderInvoice",
    "OrderLine",
    "Outbox",
    "OutboxAttachment",
    "PaymentLink",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "ReorderSuggestion",
    "ReportSubscription",
    "Reservation",
    "RouteStop",
    "SalesBranchDay",
    "SalesDaily",
    "SalesProductMonth",
    "SalesTarget",
    "ServiceBay",
    "StaffMember",
    "Stock",
    "StockLot",
    "StockTransfer",
    "Supplier",
    "SupplierPrice",
    "SupportCase",
    "Technician",
    "WebSession",
]
