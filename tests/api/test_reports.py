from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.tables import SalesDaily
from domain.enums import Role
from tests.conftest import ANCHOR, bearer


def test_sales_report_groups_add_up_to_the_history(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    h = bearer(keys[Role.STAFF])
    params = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    with Session(engine) as s:
        units, revenue = s.exec(
            select(sa.func.sum(SalesDaily.units), sa.func.sum(SalesDaily.revenue_cents)).where(
                SalesDaily.day >= ANCHOR.replace(month=10, day=1),
                SalesDaily.day <= ANCHOR.replace(month=10, day=31),
            )
        ).one()
    for group in ("branch", "brand", "size", "month", "day"):
        r = client.get(
            "/api/v1/analytics/sales",
            params={**params, "group_by": group, "limit": 1000},
            headers=h,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total_units"] == units and body["total_revenue_cents"] == revenue
        assert sum(row["units"] for row in body["rows"]) == units
    by_branch = client.get("/api/v1/analytics/sales", params=params, headers=h).json()
    assert [r["key"] for r in by_branch["rows"]] == [
        "CDMX",
        "MTY",
        "GDL",
    ]  # ordered by revenue; weights 1.0/0.7/0.6
    by_day = client.get(
        "/api/v1/analytics/sales", params={**params, "group_by": "day"}, headers=h
    ).json()
    assert len(by_day["rows"]) == 31 and by_day["rows"][0]["key"] == "2026-10-01"


def test_sales_report_defaults_and_errors(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.ADMIN])
    default = client.get("/api/v1/analytics/sales", headers=h).json()
    assert default["date_to"] == "2026-11-19" and default["date_from"] == "2026-10-21"
    bad = client.get(
        "/api/v1/analytics/sales",
        params={"date_from": "2026-11-01", "date_to": "2026-10-01"},
        headers=h,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "date_from"
    assert (
        client.get("/api/v1/analytics/sales", params={"group_by": "planet"}, headers=h).json()[
            "field"
        ]
        == "group_by"
    )
    assert (
        client.get("/api/v1/analytics/sales", params={"date_from": "ayer"}, headers=h).status_code
        == 422
    )


def test_inventory_report_matches_the_stock_table(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    body = client.get("/api/v1/analytics/inventory", headers=bearer(keys[Role.STAFF])).json()
    assert [b["branch_code"] for b in body["branches"]] == ["CDMX", "GDL", "MTY"]
    with Session(engine) as s:
        value = s.exec(
            sa.text(
                "SELECT SUM(st.on_hand * p.cost_cents) FROM stock st JOIN product p ON p.id = st.product_id"
            )
        ).one()[0]  # type: ignore[call-overload]
        low = s.exec(
            sa.text("SELECT COUNT(*) FROM stock WHERE on_hand - reserved <= reorder_point")
        ).one()[0]  # type: ignore[call-overload]
    assert body["total_value_cents"] == value
    assert body["total_low_stock_skus"] == low > 0
    for branch in body["branches"]:
        assert branch["rotation_per_year"] > 0 and branch["days_of_supply"] > 0


def test_inventory_list_low_stock_and_lots(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.STAFF])
    r = client.get(
        "/api/v1/inventory", params={"branch": "MTY", "low_stock": "true", "limit": 50}, headers=h
    ).json()
    assert r["total"] > 0
    for item in r["items"]:
        assert (
            item["branch_code"] == "MTY"
            and item["low_stock"]
            and item["available"] <= item["reorder_point"]
        )
        assert sum(lot["quantity"] for lot in item["lots"]) == item["on_hand"]
        assert all(len(lot["dot"]) == 4 for lot in item["lots"])


def test_customers_suppliers_and_branches(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.STAFF])
    dealers = client.get("/api/v1/customers", params={"kind": "dealer"}, headers=h).json()
    assert dealers["total"] > 0 and all(
        c["kind"] == "dealer" and c["discount_bp"] > 0 for c in dealers["items"]
    )
    one = dealers["items"][0]
    by_phone = client.get("/api/v1/customers", params={"phone": one["phone"]}, headers=h).json()
    assert [c["id"] for c in by_phone["items"]] == [one["id"]]
    assert (
        client.get("/api/v1/customers", params={"phone": "5512345678"}, headers=h).json()["field"]
        == "phone"
    )
    assert {
        c["kind"]
        for c in client.get("/api/v1/customers", params={"limit": 500}, headers=h).json()["items"]
    } == {"retail", "dealer", "fleet"}
    suppliers = client.get("/api/v1/suppliers", headers=h).json()
    assert len(suppliers) >= 5 and all(s["price_breaks"] == [] for s in suppliers)
    sku = client.get(
        "/api/v1/products", params={"brand": "Michelin", "limit": 1}, headers=h
    ).json()["items"][0]["sku"]
    with_breaks = client.get("/api/v1/suppliers", params={"sku": sku}, headers=h).json()
    assert len(with_breaks) == 1 and "Michelin" in with_breaks[0]["brands"]
    breaks = with_breaks[0]["price_breaks"]
    assert [b["min_quantity"] for b in breaks] == [1, 20, 100]
    assert (
        breaks[0]["unit_cost_cents"] > breaks[1]["unit_cost_cents"] > breaks[2]["unit_cost_cents"]
    )
    branches = client.get("/api/v1/branches", headers=h).json()
    assert {b["code"]: round(b["latitude"]) for b in branches} == {"CDMX": 19, "GDL": 21, "MTY": 26}


def test_purchase_orders_use_volume_breaks(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.STAFF])
    sku = client.get("/api/v1/products", params={"brand": "Pirelli", "limit": 1}, headers=h).json()[
        "items"
    ][0]["sku"]
    supplier = client.get("/api/v1/suppliers", params={"sku": sku}, headers=h).json()[0]
    body = {
        "supplier_id": supplier["id"],
        "branch_code": "GDL",
        "lines": [{"sku": sku, "quantity": 120}],
    }
    r = client.post("/api/v1/purchase-orders", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["lines"][0]["unit_cost_cents"] == supplier["price_breaks"][2]["unit_cost_cents"]
    assert r.json()["folio"].startswith("OC-") and r.json()["status"] == "draft"
    listed = client.get("/api/v1/purchase-orders", params={"status": "draft"}, headers=h).json()
    assert listed["items"][0]["folio"] == r.json()["folio"]
    bad = client.post(
        "/api/v1/purchase-orders",
        json={**body, "lines": [{"sku": "NOPE", "quantity": 1}]},
        headers=h,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "lines.0.sku"


def test_fitment_endpoint_needs_a_vehicle(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.STAFF])
    assert client.get("/api/v1/fitment", headers=h).json()["field"] == "model"
    assert client.get("/api/v1/fitment", params={"model": "x" * 100}, headers=h).status_code == 422


def test_health_readiness_and_docs_list_every_endpoint(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/inventory",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/customers",
        "/api/v1/suppliers",
        "/api/v1/analytics/sales",
        "/api/v1/analytics/inventory",
        "/api/v1/fitment",
        "/oauth/token",
        "/healthz",
        "/readyz",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/orders/{order_id}"]) == {"get", "put"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200  # no CDN needed
