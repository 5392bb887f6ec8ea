"""The built-in SQL store of record behind the ErpClient Protocol (the default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from adapters.payments.base import PaymentProvider
from core.settings import Settings
from db.engine import session_scope
from db.repositories import analytics, catalog, credit, order_changes, orders, parties, purchasing
from db.repositories.idempotency import create_order_once
from db.repositories.payments import LinkRules, link_for
from db.tables import Customer
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


class SqlErp:
    """Reads and writes our own database.

    Unbound, each call is one transaction. Bound to a session (``bind``), every call works in
    that session and the caller commits or rolls back all of them together: a tool call's
    guest customer, order, hold, payment link and CRM rows are one transaction.
    """

    shares_database = True

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str,
        hold_hours: int = 48,
        links: LinkRules | None = None,
        session: Session | None = None,
    ) -> None:
        self.engine = engine
        self.actor = actor
        self.hold_hours = hold_hours
        self.links = links
        self._session = session

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings, *, actor: str) -> SqlErp:
        """The SQL store with the hold and payment-link rules of the settings."""
        from adapters.payments.local import build_payment_provider

        return cls(
            engine,
            actor=actor,
            hold_hours=settings.reservation_hold_hours,
            links=LinkRules(
                provider=build_payment_provider(settings),
                ttl_hours=settings.payments.link_ttl_hours,
            ),
        )

    def bind(self, session: Session, *, actor: str) -> SqlErp:
        """This store working inside ``session`` (the caller owns the transaction)."""
        return SqlErp(
            self.engine, actor=actor, hold_hours=self.hold_hours, links=self.links, session=session
        )

    @contextmanager
    def _scope(self, *, write: bool = False) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            return
        with session_scope(self.engine, write=write) as session:
            yield session

    @property
    def provider(self) -> PaymentProvider | None:
        """Who makes this store's payment-link URLs."""
        return self.links.provider if self.links else None

    def search_products(
        self, flt: ProductFilter, *, limit: int = 50, offset: int = 0, sort: str = "price"
    ) -> Page[ProductPublic]:
        """Products matching the filter, with per-branch stock."""
        with self._scope() as session:
            return catalog.search_products(session, flt, limit=limit, offset=offset, sort=sort)

    def get_product(self, product_id: int) -> ProductPublic:
        """One product."""
        with self._scope() as session:
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
        with self._scope() as session:
            return catalog.list_inventory(
                session, branch=branch, low_stock=low_stock, sku=sku, limit=limit, offset=offset
            )

    def find_fitment(
        self, *, make: str | None, model: str | None, year: int | None
    ) -> list[FitmentPublic]:
        """OE sizes of a vehicle."""
        with self._scope() as session:
            return [
                catalog.fitment_public(f)
                for f in catalog.find_fitment(session, make=make, model=model, year=year)
            ]

    def list_branches(self) -> list[BranchPublic]:
        """Every branch."""
        with self._scope() as session:
            return catalog.list_branches(session)

    def create_order(
        self, payload: OrderCreate, *, idempotency_key: str | None = None
    ) -> OrderPublic:
        """Create an order, reserving stock atomically (with its deposit link when asked)."""
        if self._session is not None:
            if idempotency_key is not None:
                raise ValueError("idempotency keys are for unbound calls (their own transaction)")
            return order_changes.place_order(
                self._session, payload, actor=self.actor, hold_hours=self.hold_hours,
                links=self.links,
            )  # fmt: skip
        order, _ = create_order_once(
            self.engine,
            payload,
            actor=self.actor,
            principal=self.actor,
            key=idempotency_key,
            hold_hours=self.hold_hours,
            links=self.links,
        )
        return order

    def get_order(self, order_id: int) -> OrderPublic:
        """One order."""
        with self._scope() as session:
            row = orders.get_order_row(session, order_id)
            return orders.order_public(session, row, provider=self.provider)

    def list_orders(
        self,
        *,
        customer_id: int | None = None,
        statuses: Sequence[OrderStatus] | None = None,
        limit: int = 20,
    ) -> list[OrderPublic]:
        """Orders, newest first."""
        with self._scope() as session:
            return orders.list_orders(
                session,
                customer_id=customer_id,
                statuses=statuses,
                limit=limit,
                provider=self.provider,
            )

    def update_order(self, order_id: int, change: OrderUpdate) -> OrderPublic:
        """A legal status move, notes and/or a counter payment."""
        with self._scope(write=True) as session:
            return orders.update_order(
                session, order_id, change, actor=self.actor, hold_hours=self.hold_hours
            )

    def change_order(self, order_id: int, change: OrderChange) -> OrderPublic:
        """Change a reserved order in place."""
        with self._scope(write=True) as session:
            return order_changes.change_order(
                session,
                order_id,
                change,
                actor=self.actor,
                hold_hours=self.hold_hours,
                links=self.links,
            )

    def payment_link(self, order_id: int, purpose: LinkPurpose) -> PaymentLinkPublic:
        """The deposit or balance link to pay now."""
        if self.links is None:
            raise ValueError("this SqlErp was built without payment-link rules")
        with self._scope(write=True) as session:
            return link_for(
                session, order_id=order_id, purpose=purpose, rules=self.links, actor=self.actor
            )

    def set_fulfillment(self, order_id: int, update: FulfillmentUpdate) -> OrderPublic:
        """Pickup or home installation, when and where."""
        with self._scope(write=True) as session:
            return order_changes.set_fulfillment(session, order_id, update, actor=self.actor)

    def set_invoice(self, order_id: int, request: InvoiceRequest) -> OrderPublic:
        """CFDI receiver data on the order."""
        with self._scope(write=True) as session:
            return order_changes.set_invoice(session, order_id, request, actor=self.actor)

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
        with self._scope() as session:
            return parties.list_customers(
                session, kind=kind, q=q, phone=phone, limit=limit, offset=offset
            )

    def get_customer(self, customer_id: int) -> CustomerPublic:
        """One customer."""
        with self._scope() as session:
            return parties.get_customer(session, customer_id)

    def create_customer(self, payload: CustomerCreate) -> CustomerPublic:
        """A new retail customer."""
        with self._scope(write=True) as session:
            return parties.create_customer(session, payload, actor=self.actor)

    def customer_credit(self, customer_id: int) -> CreditPublic:
        """The customer's credit line."""
        with self._scope() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                parties.get_customer(session, customer_id)  # raises NotFound
            assert customer is not None
            return credit.credit_of(session, customer)

    def sales_ranking(
        self, *, order: RankingOrder, days: int, branch: str | None, limit: int
    ) -> SalesRanking:
        """Best or worst sellers."""
        with self._scope() as session:
            return analytics.sales_ranking(
                session, order=order, days=days, branch=branch, limit=limit
            )

    def list_suppliers(
        self, *, brand: str | None = None, sku: str | None = None
    ) -> list[SupplierPublic]:
        """Suppliers, with price breaks for a SKU."""
        with self._scope() as session:
            return parties.list_suppliers(session, brand=brand, sku=sku, include_price_breaks=False)

    def list_purchase_orders(
        self, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[PurchaseOrderPublic]:
        """Purchase orders."""
        with self._scope() as session:
            return purchasing.list_purchase_orders(
                session, status=status, limit=limit, offset=offset
            )

    def create_purchase_order(self, payload: PurchaseOrderCreate) -> PurchaseOrderPublic:
        """A draft purchase order."""
        with self._scope(write=True) as session:
            return purchasing.create_purchase_order(session, payload, actor=self.actor)
