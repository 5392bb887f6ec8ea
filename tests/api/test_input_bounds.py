"""Integers beyond their column's range are a 422 naming the field, never a 500 (issue 13 #5)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from domain.bounds import INT_COLUMN_MAX
from domain.enums import Role
from tests.conftest import bearer

HUGE = 99999999999999999999  # > 2**63 - 1: OverflowError in the driver before the fix
INT64_ONLY = 2**31  # fits SQLite, not PostgreSQL's INTEGER


def _unbounded(schema: dict[str, Any], where: str, comps: dict[str, Any], out: list[str]) -> None:
    if "$ref" in schema:
        _unbounded(comps[schema["$ref"].rsplit("/", 1)[1]], where, comps, out)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            _unbounded(sub, where, comps, out)
    if schema.get("type") == "integer":
        top = schema.get("maximum", schema.get("exclusiveMaximum"))
        if top is None or top > INT_COLUMN_MAX:
            out.append(where)
    for name, sub in schema.get("properties", {}).items():
        _unbounded(sub, f"{where}.{name}", comps, out)
    if isinstance(schema.get("items"), dict):
        _unbounded(schema["items"], f"{where}[]", comps, out)


def test_every_integer_a_client_sends_is_bounded_to_the_column_range(settings: Settings) -> None:
    spec = create_app(settings).openapi()
    comps = spec["components"]["schemas"]
    found: list[str] = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                where = f"{method.upper()} {path} {param['in']}:{param['name']}"
                _unbounded(param.get("schema", {}), where, comps, found)
            for content in op.get("requestBody", {}).get("content", {}).values():
                _unbounded(content.get("schema", {}), f"{method.upper()} {path} body", comps, found)
    assert found == []


ORDER = {"customer_id": 1, "branch_code": "CDMX", "lines": [{"sku": "X", "quantity": 1}]}
PO = {"supplier_id": 1, "branch_code": "CDMX", "lines": [{"sku": "X", "quantity": 1}]}


def _probes(n: int) -> list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, str]]:
    """(method, path, query, json body, the field the 422 must name)."""
    return [
        ("GET", f"/api/v1/orders/{n}", None, None, "order_id"),
        ("PUT", f"/api/v1/orders/{n}", None, {"notes": "x"}, "order_id"),
        ("PUT", f"/api/v1/orders/{n}/lines", None, {"branch_code": "CDMX"}, "order_id"),
        ("POST", f"/api/v1/orders/{n}/payment-links", None, {"purpose": "deposit"}, "order_id"),
        ("PUT", f"/api/v1/orders/{n}/fulfillment", None, {"mode": "pickup"}, "order_id"),
        ("GET", "/api/v1/orders", {"customer_id": n}, None, "customer_id"),
        ("POST", "/api/v1/orders", None, {**ORDER, "customer_id": n}, "customer_id"),
        ("POST", "/api/v1/orders", None, {**ORDER, "deposit_cents": n}, "deposit_cents"),
        ("POST", "/api/v1/orders", None,
         {**ORDER, "lines": [{"product_id": n, "quantity": 1}]}, "lines.0.product_id"),
        ("PUT", "/api/v1/orders/1", None, {"paid_cents": n}, "paid_cents"),
        ("GET", f"/api/v1/products/{n}", None, None, "product_id"),
        ("GET", "/api/v1/products", {"offset": n}, None, "offset"),
        ("GET", "/api/v1/products", {"min_price_cents": n}, None, "min_price_cents"),
        ("GET", "/api/v1/products", {"max_price_cents": n}, None, "max_price_cents"),
        ("GET", "/api/v1/inventory", {"offset": n}, None, "offset"),
        ("GET", "/api/v1/customers", {"offset": n}, None, "offset"),
        ("GET", f"/api/v1/customers/{n}", None, None, "customer_id"),
        ("GET", f"/api/v1/customers/{n}/credit", None, None, "customer_id"),
        ("GET", "/api/v1/purchase-orders", {"offset": n}, None, "offset"),
        ("POST", "/api/v1/purchase-orders", None, {**PO, "supplier_id": n}, "supplier_id"),
        ("GET", "/api/v1/cases", {"offset": n}, None, "offset"),
        ("GET", "/api/v1/alerts", {"offset": n}, None, "offset"),
        ("POST", f"/api/v1/alerts/{n}/acknowledge", None, None, "alert_id"),
        ("GET", "/api/v1/reorder-suggestions", {"supplier_id": n}, None, "supplier_id"),
        ("POST", f"/api/v1/reorder-suggestions/{n}/confirm", None, None, "suggestion_id"),
    ]  # fmt: skip


@pytest.mark.parametrize("n", [HUGE, INT64_ONLY])
def test_integers_beyond_the_column_range_are_422_naming_the_field(
    client: TestClient, keys: dict[Role, str], n: int
) -> None:
    for method, path, query, body, field in _probes(n):
        r = client.request(method, path, params=query, json=body, headers=bearer(keys[Role.ADMIN]))
        assert r.status_code == 422, (method, path, query, body, r.status_code, r.text)
        assert r.json()["field"] == field, (method, path, r.json())


def test_an_overflow_that_slips_past_validation_is_still_a_422(settings: Settings) -> None:
    app: FastAPI = create_app(settings)

    @app.get("/overflow")
    async def overflow() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/overflow")
    assert r.status_code == 422 and r.json()["error"] == "validation_error"
