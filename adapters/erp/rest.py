"""A REST client for an existing ERP that speaks our /api/v1 contract (timeouts, retries, auth)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter
from sqlmodel import Session
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from core.errors import (
    Conflict,
    DomainError,
    ExternalServiceError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
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

M = TypeVar("M", bound=BaseModel)
RETRY_STATUS = frozenset({429, 502, 503, 504})
_ERRORS: dict[int, type[DomainError]] = {
    400: InvalidRequest,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: InvalidRequest,
}


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RestErp:
    """ErpClient over HTTP. Auth: a bearer API key, or OAuth client credentials.

    Each call is its own transaction on the ERP's side (a reservation with its hold and
    deposit link is one POST), so ``bind`` returns the client itself.
    """

    shares_database = False

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout_s: float = 10.0,
        retries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key and not (client_id and client_secret):
            raise ValueError("RestErp needs api_key, or client_id and client_secret")
        self.actor = f"erp:{base_url}"
        self._api_key = api_key
        self._client_credentials = (
            (client_id, client_secret) if client_id and client_secret else None
        )
        self._token: tuple[str, float] | None = None
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport
        )
        self._retries = retries

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def bind(self, session: Session, *, actor: str) -> RestErp:
        """Itself: the remote ERP commits each call; our session holds only our own rows."""
        return self

    def _bearer(self) -> str:
        if self._api_key:
            return self._api_key
        if self._token and self._token[1] > time.monotonic() + 30:
            return self._token[0]
        assert self._client_credentials is not None
        client_id, secret = self._client_credentials
        response = self._client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id or "", secret or ""),
        )
        if response.status_code != 200:
            raise Unauthenticated(f"ERP refused the client credentials ({response.status_code})")
        body = response.json()
        self._token = (body["access_token"], time.monotonic() + float(body.get("expires_in", 300)))
        return self._token[0]

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        @retry(
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            stop=stop_after_attempt(self._retries),
            wait=wait_random_exponential(multiplier=0.2, max=5),
            reraise=True,
        )
        def attempt() -> httpx.Response:
            try:
                response = self._client.request(
                    method,
                    path,
                    params={k: v for k, v in (params or {}).items() if v is not None},
                    json=json,
                    headers={"Authorization": f"Bearer {self._bearer()}", **(headers or {})},
                )
            except httpx.TimeoutException as exc:
                raise _Retryable(f"{method} {path} timed out") from exc
            except httpx.TransportError as exc:
                raise _Retryable(f"{method} {path} failed: {exc}") from exc
            if response.status_code in RETRY_STATUS:
                after = response.headers.get("Retry-After")
                if after and after.isdigit():
                    time.sleep(min(float(after), 5.0))
                raise _Retryable(f"{method} {path} answered {response.status_code}")
            return response

        try:
            response = attempt()
        except _Retryable as exc:
            raise ExternalServiceError(f"ERP unavailable: {exc}") from exc
        if response.status_code >= 400:
            self._raise(response)
        return response.json()

    @staticmethod
    def _raise(response: httpx.Response) -> None:
        try:
            body = response.json()
            message, field = body.get("message") or str(body), body.get("field")
        except ValueError:
            message, field = response.text[:200], None
        error = _ERRORS.get(response.status_code, ExternalServiceError)
        raise error(f"ERP: {message}", field=field)

    @staticmethod
    def _parse(model: type[M], data: Any) -> M:
        return model.model_validate(data)

    def search_products(
        self, flt: ProductFilter, *, limit: int = 50, offset: int = 0, sort: str = "price"
    ) -> Page[ProductPublic]:
        """GET /api/v1/products."""
        params = flt.model_dump(exclude_none=True, exclude_defaults=True, mode="json")
        data = self._request(
            "GET",
            "/api/v1/products",
            params={**params, "limit": limit, "offset": offset, "sort": sort},
        )
        return Page[ProductPublic].model_validate(data)

    def get_product(self, product_id: int) -> ProductPublic:
        """GET /api/v1/products/{id}."""
        return self._parse(ProductPublic, self._request("GET", f"/api/v1/products/{product_id}"))

    def list_inventory(
        self,
        *,
        branch: str | None = None,
        low_stock: bool = False,
        sku: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[InventoryItem]:
        """GET /api/v1/inventory."""
        data = self._request(
            "GET",
            "/api/v1/inventory",
            params={
                "branch": branch,
                "low_stock": low_stock or None,
                "sku": sku,
                "limit": limit,
                "offset": offset,
            },
        )
        return Page[InventoryItem].model_validate(data)

    def find_fitment(
        self, *, make: str | None, model: str | None, year: int | None
    ) -> list[FitmentPublic]:
        """GET /api/v1/fitment."""
        data = self._request(
            "GET", "/api/v1/fitment", params={"make": make, "model": model, "year": year}
        )
        return TypeAdapter(list[FitmentPublic]).validate_python(data)

    def create_order(
        self, payload: OrderCreate, *, idempotency_key: str | None = None
    ) -> OrderPublic:
        """POST /api/v1/orders (idempotency key forwarded, so a retried POST never orders twice)."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        data = self._request(
            "POST", "/api/v1/orders", json=payload.model_dump(mode="json"), headers=headers
        )
        return self._parse(OrderPublic, data)

    def get_order(self, order_id: int) -> OrderPublic:
        """GET /api/v1/orders/{id}."""
        return self._parse(OrderPublic, self._request("GET", f"/api/v1/orders/{order_id}"))

    def list_orders(
        self,
        *,
        customer_id: int | None = None,
        statuses: Sequence[OrderStatus] | None = None,
        limit: int = 20,
    ) -> list[OrderPublic]:
        """GET /api/v1/orders."""
        data = self._request(
            "GET",
            "/api/v1/orders",
            params={
                "customer_id": customer_id,
                "status": [s.value for s in statuses] if statuses else None,
                "limit": limit,
            },
        )
        return TypeAdapter(list[OrderPublic]).validate_python(data)

    def change_order(self, order_id: int, change: OrderChange) -> OrderPublic:
        """PUT /api/v1/orders/{id}/lines."""
        data = self._request(
            "PUT",
            f"/api/v1/orders/{order_id}/lines",
            json=change.model_dump(mode="json", exclude_none=True),
        )
        return self._parse(OrderPublic, data)

    def payment_link(self, order_id: int, purpose: LinkPurpose) -> PaymentLinkPublic:
        """POST /api/v1/orders/{id}/payment-links."""
        data = self._request(
            "POST", f"/api/v1/orders/{order_id}/payment-links", json={"purpose": purpose}
        )
        return self._parse(PaymentLinkPublic, data)

    def set_fulfillment(self, order_id: int, update: FulfillmentUpdate) -> OrderPublic:
        """PUT /api/v1/orders/{id}/fulfillment."""
        data = self._request(
            "PUT",
            f"/api/v1/orders/{order_id}/fulfillment",
            json=update.model_dump(mode="json", exclude_none=True),
        )
        return self._parse(OrderPublic, data)

    def set_invoice(self, order_id: int, request: InvoiceRequest) -> OrderPublic:
        """PUT /api/v1/orders/{id}/invoice."""
        data = self._request(
            "PUT", f"/api/v1/orders/{order_id}/invoice", json=request.model_dump(mode="json")
        )
        return self._parse(OrderPublic, data)

    def list_branches(self) -> list[BranchPublic]:
        """GET /api/v1/branches."""
        data = self._request("GET", "/api/v1/branches")
        return TypeAdapter(list[BranchPublic]).validate_python(data)

    def get_customer(self, customer_id: int) -> CustomerPublic:
        """GET /api/v1/customers/{id}."""
        return self._parse(CustomerPublic, self._request("GET", f"/api/v1/customers/{customer_id}"))

    def create_customer(self, payload: CustomerCreate) -> CustomerPublic:
        """POST /api/v1/customers."""
        data = self._request("POST", "/api/v1/customers", json=payload.model_dump(mode="json"))
        return self._parse(CustomerPublic, data)

    def customer_credit(self, customer_id: int) -> CreditPublic:
        """GET /api/v1/customers/{id}/credit."""
        data = self._request("GET", f"/api/v1/customers/{customer_id}/credit")
        return self._parse(CreditPublic, data)

    def sales_ranking(
        self, *, order: RankingOrder, days: int, branch: str | None, limit: int
    ) -> SalesRanking:
        """GET /api/v1/analytics/ranking."""
        data = self._request(
            "GET",
            "/api/v1/analytics/ranking",
            params={"order": order, "days": days, "branch": branch, "limit": limit},
        )
        return self._parse(SalesRanking, data)

    def update_order(self, order_id: int, change: OrderUpdate) -> OrderPublic:
        """PUT /api/v1/orders/{id}."""
        data = self._request(
            "PUT",
            f"/api/v1/orders/{order_id}",
            json=change.model_dump(mode="json", exclude_none=True),
        )
        return self._parse(OrderPublic, data)

    def list_customers(
        self,
        *,
        kind: CustomerKind | None = None,
        q: str | None = None,
        phone: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[CustomerPublic]:
        """GET /api/v1/customers."""
        data = self._request(
            "GET",
            "/api/v1/customers",
            params={
                "kind": kind.value if kind else None,
                "q": q,
                "phone": phone,
                "limit": limit,
                "offset": offset,
            },
        )
        return Page[CustomerPublic].model_validate(data)

    def list_suppliers(
        self, *, brand: str | None = None, sku: str | None = None
    ) -> list[SupplierPublic]:
        """GET /api/v1/suppliers."""
        data = self._request("GET", "/api/v1/suppliers", params={"brand": brand, "sku": sku})
        return TypeAdapter(list[SupplierPublic]).validate_python(data)

    def list_purchase_orders(
        self, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[PurchaseOrderPublic]:
        """GET /api/v1/purchase-orders."""
        data = self._request(
            "GET",
            "/api/v1/purchase-orders",
            params={"status": status, "limit": limit, "offset": offset},
        )
        return Page[PurchaseOrderPublic].model_validate(data)

    def create_purchase_order(self, payload: PurchaseOrderCreate) -> PurchaseOrderPublic:
        """POST /api/v1/purchase-orders."""
        data = self._request(
            "POST", "/api/v1/purchase-orders", json=payload.model_dump(mode="json")
        )
        return self._parse(PurchaseOrderPublic, data)
