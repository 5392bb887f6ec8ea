"""All table=True models; importing this package registers every table on SQLModel.metadata."""

from db.tables.catalog import Branch, Fitment, Product, Stock, StockLot
from db.tables.logistics import Delivery, Driver, FleetVehicle
from db.tables.orders import Order, OrderLine, Reservation
from db.tables.parties import Customer, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierPrice
from db.tables.system import ApiKey, AuditLog, IdempotencyRecord, SalesDaily

__all__ = [
    "ApiKey",
    "AuditLog",
    "Branch",
    "Customer",
    "Delivery",
    "Driver",
    "Fitment",
    "FleetVehicle",
    "IdempotencyRecord",
    "Order",
    "OrderLine",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Reservation",
    "SalesDaily",
    "Stock",
    "StockLot",
    "Supplier",
    "SupplierPrice",
]
