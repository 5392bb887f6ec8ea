"""User text reaches LIKE as text: "%" and "_" are not wildcards (issue 13 #8)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.repositories.staff_reports import ProductScope, stock_totals
from db.tables import Customer
from domain.enums import Role
from tests.conftest import bearer


def _total(client: TestClient, key: str, path: str, **params: str) -> int:
    r = client.get(path, params=params, headers=bearer(key))
    assert r.status_code == 200, r.text
    total: int = r.json()["total"]
    return total


def test_wildcards_in_customer_search_are_literal(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    key = keys[Role.STAFF]
    assert _total(client, key, "/api/v1/customers") > 10
    assert _total(client, key, "/api/v1/customers", q="%") == 0
    assert _total(client, key, "/api/v1/customers", q="_") == 0
    assert _total(client, key, "/api/v1/customers", q="a%a") == 0
    with session_scope(engine, write=True) as session:
        session.add(Customer(name="Taller 100% Llantas", phone="+525500000111", kind="retail"))
        session.add(Customer(name="Llantas_MX", phone="+525500000112", kind="retail"))
    assert _total(client, key, "/api/v1/customers", q="100%") == 1
    assert _total(client, key, "/api/v1/customers", q="%") == 1
    assert _total(client, key, "/api/v1/customers", q="ller_1") == 0  # "_" is not any char
    assert _total(client, key, "/api/v1/customers", q="s_mx") == 1


def test_wildcards_in_product_line_filters_are_literal(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    key = keys[Role.STAFF]
    assert _total(client, key, "/api/v1/products") > 0
    assert _total(client, key, "/api/v1/products", line="%") == 0
    assert _total(client, key, "/api/v1/products", line="_") == 0
    with session_scope(engine) as session:
        assert stock_totals(session, ProductScope(line="%")).products == 0
