"""The one Protocol every store of record implements."""

from __future__ import annotations

from typing import Protocol

from domain.catalog import FitmentPublic, InventoryItem, Page, ProductFilter, ProductPublic
from domain.enums import CustomerKind
from domain.parties import CustomerPublic, SupplierPublic
from domain.purchasing import PurchaseOrderCreate, PurchaseOrderPublic
from domain.sales import OrderCreate, OrderPublic, OrderUpdate


class ErpClient(Protocol):
    """Products, stock, fitment, orders, customers, suppliers and purchase orders."""

    actor: str

    def search_products(
        self, flt: ProductFilter, *, limit: int = 50, offset: int = 0, sort: str = "price"
    ) -> Page[ProductPublic]:
        """Products matching the filter, with per-branch stock."""
        ...

    def get_product(self, product_id: int) -> ProductPublic:
        """One product; NotFound if it does not exist."""
        ...

    def list_inventory(
        self,
        *,
        branch: str | None = None,
        low_stock: bool = False,
        sku: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[InventoryItem]:
        """Stock rows per branch."""
        ...

    def find_fitment(
        self, *, make: str | None, model: str | None, year: int | None
    ) -> list[FitmentPublic]:
        """OE sizes of a vehicle."""
        ...

    def create_order(
        self, payload: OrderCreate, *, idempotency_key: str | None = None
    ) -> OrderPublic:
        """Create an order (reserving stock unless it is a quote)."""
        ...

    def get_order(self, order_id: int) -> OrderPublic:
        """One order; NotFound if it does not exist."""
        ...

    def update_order(self, order_id: int, change: OrderUpdate) -> OrderPublic:
        """A legal status move and/or notes; Conflict for an illegal move."""
        ...

    def list_customers(
        self,
        *,
        kind: CustomerKind | None = None,
        q: str | None = None,
        phone: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[CustomerPublic]:
        """Customers."""
        ...

    def list_suppliers(
        self, *, brand: str | None = None, sku: str | None = None
    ) -> list[SupplierPublic]:
        """Suppliers, with price breaks when a SKU is given."""
        ...

    def list_purchase_orders(
        self, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[PurchaseOrderPublic]:
        """Purchase orders to suppliers."""
        ...

    def create_purchase_order(self, payload: PurchaseOrderCreate) -> PurchaseOrderPublic:
        """A draft purchase order priced with the supplier's volume breaks."""
        ...
