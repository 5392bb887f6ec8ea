"""The one Protocol every store of record implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlmodel import Session

from domain.analytics import RankingOrder, SalesRanking
from domain.catalog import (
    BranchPublic,
    FitmentPublic,
    InventoryItem,
    Page,
    ProductFilter,
    ProductPublic,
)
from domain.enums import CustomerKind, OrderStatus
from domain.parties import CustomerPublic, SupplierPublic
from domain.purchasing import PurchaseOrderCreate, PurchaseOrderPublic
from domain.sales import (
    CreditPublic,
    CustomerCreate,
    FulfillmentUpdate,
    InvoiceRequest,
    LinkPurpose,
    OrderChange,
    OrderCreate,
    OrderPublic,
    OrderUpdate,
    PaymentLinkPublic,
)


class ErpClient(Protocol):
    """Products, stock, fitment, branches, orders (with their payment links, fulfilment and
    invoice data), customers and their credit, sales, suppliers and purchase orders.

    Writes are atomic per call: an order with its hold and deposit link, a change of its lines,
    a status move. ``bind`` gives the client that works inside the caller's transaction (the
    SQL store shares the session of a tool call; a remote ERP commits each call on its side).
    """

    actor: str

    @property
    def shares_database(self) -> bool:
        """True when this store of record is our own database (customer ids are the same)."""
        ...

    def bind(self, session: Session, *, actor: str) -> ErpClient:
        """This client working inside ``session``'s transaction, writing as ``actor``."""
        ...

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

    def list_branches(self) -> list[BranchPublic]:
        """Every branch, with its hours, main-branch flag and phone area codes."""
        ...

    def create_order(
        self, payload: OrderCreate, *, idempotency_key: str | None = None
    ) -> OrderPublic:
        """Create an order (reserving stock unless it is a quote; with its deposit link when
        ``with_deposit_link``). Conflict: stock or credit limit."""
        ...

    def get_order(self, order_id: int) -> OrderPublic:
        """One order; NotFound if it does not exist."""
        ...

    def list_orders(
        self,
        *,
        customer_id: int | None = None,
        statuses: Sequence[OrderStatus] | None = None,
        limit: int = 20,
    ) -> list[OrderPublic]:
        """Orders, newest first."""
        ...

    def update_order(self, order_id: int, change: OrderUpdate) -> OrderPublic:
        """A legal status move, notes and/or a counter payment; Conflict for an illegal move."""
        ...

    def change_order(self, order_id: int, change: OrderChange) -> OrderPublic:
        """Change a reserved order's lines and/or branch in place (same folio, fresh deposit
        link); Conflict when it is not reserved, the stock is short or credit runs out."""
        ...

    def payment_link(self, order_id: int, purpose: LinkPurpose) -> PaymentLinkPublic:
        """The link to pay the deposit or the balance now (the same one while payable);
        Conflict when nothing is due or the order's status takes no such link."""
        ...

    def set_fulfillment(self, order_id: int, update: FulfillmentUpdate) -> OrderPublic:
        """Record pickup or home installation (day, window, address); schedules a delivery."""
        ...

    def set_invoice(self, order_id: int, request: InvoiceRequest) -> OrderPublic:
        """Record validated CFDI receiver data on the order (InvalidRequest names the field)."""
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

    def get_customer(self, customer_id: int) -> CustomerPublic:
        """One customer; NotFound if it does not exist."""
        ...

    def create_customer(self, payload: CustomerCreate) -> CustomerPublic:
        """A new retail customer (e.g. the guest of an anonymous web chat)."""
        ...

    def customer_credit(self, customer_id: int) -> CreditPublic:
        """The customer's credit line: limit, used by unpaid open orders, available."""
        ...

    def sales_ranking(
        self, *, order: RankingOrder, days: int, branch: str | None, limit: int
    ) -> SalesRanking:
        """Best or worst sellers over the last ``days`` of sales."""
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
