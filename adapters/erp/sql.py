"""The built-in SQL store of record behind the ErpClient Protocol (the default)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.repositories import catalog, orders, parties, purchasing
from db.repositories.idempotency import create_order_once
from domain.catalog import FitmentPublic, InventoryItem, Page, ProductFilter, ProductPublic
from domain.enums import CustomerKind
from domain.parties import CustomerPublic, SupplierPublic
from domain.purchasing import PurchaseOrderCreate, PurchaseOrderPublic
from domain.sales import OrderCreate, OrderPublic, OrderUpdate


class SqlErp:
    """Reads and writes our own database; each call is one transaction."""

    def __init__(self, engine: Engine, *, actor: str, hold_hours: int = 48) -> None:
        self.engine = engine
        self.actor = actor
        self.hold_hours = hold_hours

    def search_products(
        self, flt: ProductFilter, *, limit: int = 50, offset: int = 0, sort: str = "price"
    ) -> Page[ProductPublic]:
        """Products matching the filter, with per-branch stock."""
        with session_scope(self.engine) as session:
            return catalog.search_products(session, flt, limit=limit, offset=offset, sort=sort)

    def get_product(self, product_id: int) -> ProductPublic:
        """One product."""
        with session_scope(self.engine) as session:
            return catalog.get_product(session, product_id)

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
        with session_scope(self.engine) as session:
            return catalog.list_inventory(
                session, branch=branch, low_stock=low_stock, sku=sku, limit=limit, offset=offset
            )

    def find_fitment(
        self, *, make: str | None, model: str | None, year: int | None
    ) -> list[FitmentPublic]:
        """OE sizes of a vehicle."""
        with session_scope(self.engine) as session:
            return [
                catalog.fitment_public(f)
                for f in catalog.find_fitment(session, make=make, model=model, year=year)
            ]

    def create_order(
        self, payload: OrderCreate, *, idempotency_key: str | None = None
    ) -> OrderPublic:
        """Create an order, reserving stock atomically."""
        order, _ = create_order_once(
            self.engine,
            payload,
            actor=self.actor,
            principal=self.actor,
            key=idempotency_key,
            hold_hours=self.hold_hours,
        )
        return order

    def get_order(self, order_id: int) -> OrderPublic:
        """One order."""
        with session_scope(self.engine) as session:
            return orders.order_public(session, orders.get_order_row(session, order_id))

    def update_order(self, order_id: int, change: OrderUpdate) -> OrderPublic:
        """A legal status move and/or notes."""
        with session_scope(self.engine, write=True) as session:
            return orders.update_order(
                session, order_id, change, actor=self.actor, hold_hours=self.hold_hours
            )

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
        with session_scope(self.engine) as session:
            return parties.list_customers(
                session, kind=kind, q=q, phone=phone, limit=limit, offset=offset
            )

    def list_suppliers(
        self, *, brand: str | None = None, sku: str | None = None
    ) -> list[SupplierPublic]:
        """Suppliers, with price breaks for a SKU."""
        with session_scope(self.engine) as session:
            return parties.list_suppliers(session, brand=brand, sku=sku, include_price_breaks=False)

    def list_purchase_orders(
        self, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[PurchaseOrderPublic]:
        """Purchase orders."""
        with session_scope(self.engine) as session:
            return purchasing.list_purchase_orders(
                session, status=status, limit=limit, offset=offset
            )

    def create_purchase_order(self, payload: PurchaseOrderCreate) -> PurchaseOrderPublic:
        """A draft purchase order."""
        with session_scope(self.engine, write=True) as session:
            return purchasing.create_purchase_order(session, payload, actor=self.actor)
