"""The inventory-intelligence API on the demo database after a nightly run: roles, filters,
4xx that name the field, confirmations into purchase orders, transfers that move stock."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.tables import AuditLog, Branch, Product, Stock
from domain.enums import Role
from tests.conftest import bearer
from tests.inventory_fixtures import db_url, nightly_pg, nightly_sqlite  # noqa: F401


def test_forecasts_filter_group_and_name_bad_fields(
    client: TestClient, keys: dict[Role, str]
) -> None:
    staff = bearer(keys[Role.STAFF])
    total = client.get("/api/v1/forecasts", params={"size": "205 55 16", "weeks": 4}, headers=staff)
    assert total.status_code == 200, total.text
    body = total.json()
    assert body["weeks"] == 4 and len(body["groups"]) == 1
    by_brand = client.get(
        "/api/v1/forecasts", params={"size": "205/55R16", "group_by": "brand"}, headers=staff
    ).json()
    assert abs(sum(g["mean"] for g in by_brand["groups"]) - body["groups"][0]["mean"]) < 1
    bad = client.get("/api/v1/forecasts", params={"size": "207/55R16"}, headers=staff)
    assert bad.status_code == 422 and bad.json()["field"] == "size"
    bad = client.get("/api/v1/forecasts", params={"branch": "XYZ"}, headers=staff)
    assert bad.status_code == 422 and bad.json()["field"] == "branch"
    bad = client.get("/api/v1/forecasts", params={"weeks": 0}, headers=staff)
    assert bad.status_code == 422 and "weeks" in bad.json()["field"]
    denied = client.get("/api/v1/forecasts", headers=bearer(keys[Role.TECHNICIAN]))
    assert denied.status_code == 403


def test_alerts_list_and_acknowledge(client: TestClient, keys: dict[Role, str]) -> None:
    staff = bearer(keys[Role.STAFF])
    page = client.get("/api/v1/alerts", params={"urgency": "alto", "branch": "MTY"}, headers=staff)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert items and all(a["urgency"] == "alto" and a["branch"] == "MTY" for a in items)
    first = items[0]
    assert first["text"].startswith("Alto: ") and first["state"] == "open"
    integration = bearer(keys[Role.INTEGRATION])
    assert client.post(f"/api/v1/alerts/{first['id']}/acknowledge", headers=integration).status_code == 403  # fmt: skip
    ack = client.post(f"/api/v1/alerts/{first['id']}/acknowledge", headers=staff)
    assert ack.status_code == 200 and ack.json()["state"] == "acknowledged"
    again = client.post(f"/api/v1/alerts/{first['id']}/acknowledge", headers=staff)
    assert again.status_code == 409 and again.json()["field"] == "state"
    live = client.get("/api/v1/alerts", params={"urgency": "alto", "branch": "MTY", "limit": 500}, headers=staff)  # fmt: skip
    assert first["id"] in {a["id"] for a in live.json()["items"]}  # acknowledged is still live
    assert client.get("/api/v1/alerts", params={"urgency": "urgente"}, headers=staff).status_code == 422  # fmt: skip
    assert client.post("/api/v1/alerts/999999/acknowledge", headers=staff).status_code == 404


def test_confirm_a_suggestion_into_a_purchase_order(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    admin = bearer(keys[Role.ADMIN])
    suggestions = client.get("/api/v1/reorder-suggestions", params={"branch": "GDL"}, headers=admin)
    assert suggestions.status_code == 200
    s = suggestions.json()[0]
    assert s["branch"] == "GDL" and s["total_cents"] == sum(x["total_cents"] for x in s["lines"])
    assert client.post(f"/api/v1/reorder-suggestions/{s['id']}/confirm", headers=bearer(keys[Role.INTEGRATION])).status_code == 403  # fmt: skip
    bad = client.post(f"/api/v1/reorder-suggestions/{s['id']}/confirm", json={"quantities": {"NOPE": 3}}, headers=admin)  # fmt: skip
    assert bad.status_code == 409 and bad.json()["field"] == "quantities"
    made = client.post(f"/api/v1/reorder-suggestions/{s['id']}/confirm", headers=admin)
    assert made.status_code == 201, made.text
    po = made.json()
    assert po["folio"].startswith("OC-") and po["status"] == "draft" and po["branch_code"] == "GDL"
    assert {(x["sku"], x["quantity"]) for x in po["lines"]} == {(x["sku"], x["quantity"]) for x in s["lines"]}  # fmt: skip
    listed = client.get("/api/v1/purchase-orders", headers=admin).json()["items"]
    assert po["folio"] in {p["folio"] for p in listed}
    again = client.post(f"/api/v1/reorder-suggestions/{s['id']}/confirm", headers=admin)
    assert again.status_code == 409


def test_transfer_ships_and_is_received(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    staff = bearer(keys[Role.STAFF])
    with Session(engine) as session:
        product = session.exec(select(Product).where(Product.sku.is_not(None))).first()  # type: ignore[union-attr]
        assert product is not None
        ids = {b.code: b.id for b in session.exec(select(Branch)).all()}

        def on_hand(code: str) -> int:
            row = session.exec(select(Stock).where(Stock.product_id == product.id, Stock.branch_id == ids[code])).one()  # fmt: skip
            session.refresh(row)
            return row.on_hand

        cdmx, gdl = on_hand("CDMX"), on_hand("GDL")
    bad = client.post("/api/v1/transfers", json={"sku": product.sku, "from_branch": "CDMX", "to_branch": "CDMX", "quantity": 1}, headers=staff)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "to_branch"
    bad = client.post("/api/v1/transfers", json={"sku": product.sku, "from_branch": "CDMX", "to_branch": "GDL", "quantity": 0}, headers=staff)  # fmt: skip
    assert bad.status_code == 422 and "quantity" in bad.json()["field"]
    short = client.post("/api/v1/transfers", json={"sku": product.sku, "from_branch": "CDMX", "to_branch": "GDL", "quantity": 5000}, headers=staff)  # fmt: skip
    assert short.status_code == 409 and short.json()["field"] == "quantity"
    made = client.post("/api/v1/transfers", json={"sku": product.sku, "from_branch": "CDMX", "to_branch": "GDL", "quantity": 1}, headers=staff)  # fmt: skip
    assert made.status_code == 201, made.text
    folio = made.json()["folio"]
    assert client.post(f"/api/v1/transfers/{folio}/receive", headers=staff).status_code == 409
    shipped = client.post(f"/api/v1/transfers/{folio}/ship", headers=staff)
    assert shipped.json()["status"] == "in_transit"
    with Session(engine) as session:
        assert on_hand("CDMX") == cdmx - 1 and on_hand("GDL") == gdl
    listed = client.get("/api/v1/transfers", params={"status": "in_transit"}, headers=staff).json()
    assert [t["folio"] for t in listed] == [folio]
    received = client.post(f"/api/v1/transfers/{folio}/receive", headers=staff)
    assert received.json()["status"] == "received"
    with Session(engine) as session:
        assert on_hand("CDMX") == cdmx - 1 and on_hand("GDL") == gdl + 1
        trail = session.exec(select(AuditLog.action).where(AuditLog.entity_id == folio)).all()
    assert sorted(trail) == ["create", "receive", "ship"]
    assert client.post("/api/v1/transfers", json={}, headers=bearer(keys[Role.TECHNICIAN])).status_code == 403  # fmt: skip


def test_plan_calendar_suggestions_and_report(client: TestClient, keys: dict[Role, str]) -> None:
    staff = bearer(keys[Role.STAFF])
    plan = client.get("/api/v1/purchase-plan", headers=staff).json()
    assert plan and all(w["total_cents"] > 0 for w in plan)
    url = client.get("/api/v1/purchase-plan/calendar/url", headers=staff).json()["url"]
    path = url.split("8000", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text and "Pedir a " in feed.text
    assert client.get("/calendar/compras/plan.ics?sig=bad").status_code == 403
    moves = client.get("/api/v1/transfers/suggestions", params={"to_branch": "GDL"}, headers=staff)
    assert moves.status_code == 200 and all(t["to_branch"] == "GDL" for t in moves.json())
    report = client.get("/api/v1/inventory-report", params={"day": "2026-11-20"}, headers=staff).json()  # fmt: skip
    assert report["text"].startswith("Reporte semanal de inventario")
    assert {b["branch"] for b in report["branches"]} == {"CDMX", "GDL", "MTY"}
    assert report["alerts"]["crítico"] > 0
