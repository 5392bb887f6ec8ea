"""No response carries cost, margin or value at cost to a role without ``cost:read`` (issue 13 #4).

Walks every GET operation of the OpenAPI schema with every role's key (ids taken from the demo
data) and searches the JSON answers for cost fields at any depth.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from core.security import ROLE_SCOPES, Scope
from domain.enums import Role
from tests.conftest import ANCHOR, bearer

COST_FIELD = re.compile(r"(^|_)(cost|costs|margin|margins)(_|$)|^(stock_)?value_cents$|at_cost")


def cost_fields(value: Any, where: str = "") -> list[str]:
    """Paths of keys that name a cost, a margin or a value at cost."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if COST_FIELD.search(str(key).lower()):
                found.append(f"{where}.{key}")
            found += cost_fields(sub, f"{where}.{key}")
    elif isinstance(value, list):
        for i, sub in enumerate(value[:20]):
            found += cost_fields(sub, f"{where}[{i}]")
    return found


def _first(engine: Engine, sql: str, default: object = 1) -> str:
    with engine.connect() as conn:
        row = conn.execute(sa.text(sql)).first()
    return str(row[0]) if row else str(default)


def _path_values(engine: Engine) -> dict[str, str]:
    return {
        "order_id": _first(engine, "SELECT id FROM orders ORDER BY id"),
        "customer_id": _first(engine, "SELECT id FROM customer ORDER BY id"),
        "product_id": _first(engine, "SELECT id FROM product ORDER BY id"),
        "delivery_id": _first(engine, "SELECT id FROM delivery ORDER BY id"),
        "branch": "CDMX",
    }


def test_cost_read_is_exactly_admin_staff_and_integration() -> None:
    assert {r for r, scopes in ROLE_SCOPES.items() if Scope.COST_READ in scopes} == {
        Role.ADMIN,
        Role.STAFF,
        Role.INTEGRATION,
    }


def test_no_route_answers_cost_fields_to_a_role_without_cost_read(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    spec = client.get("/openapi.json").json()
    values = _path_values(engine)
    leaks: list[str] = []
    seen_cost = set()  # (path) where a cost-reading role does get cost fields: the walk bites
    walked = 0
    for path, operations in spec["paths"].items():
        op = operations.get("get")
        if op is None:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)
        query = {
            p["name"]: ANCHOR.isoformat() if p["name"] == "day" else "CDMX"
            for p in op.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        for role in Role:
            r = client.get(url, params=query, headers=bearer(keys[role]))
            assert r.status_code < 500, (url, role, r.status_code, r.text[:300])
            walked += 1
            if r.status_code != 200 or "json" not in r.headers.get("content-type", ""):
                continue
            found = cost_fields(r.json())
            if Scope.COST_READ in ROLE_SCOPES[role]:
                if found:
                    seen_cost.add(path)
            elif found:
                leaks.append(f"{role.value} GET {url}: {', '.join(sorted(set(found))[:5])}")
    assert walked > 100
    assert leaks == []
    # The walk reaches answers that do carry cost for the roles allowed to see it.
    assert {"/api/v1/inventory", "/api/v1/analytics/inventory"} <= seen_cost
