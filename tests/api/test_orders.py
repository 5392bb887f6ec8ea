from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.tables import AuditLog, Customer, Order, Product, Stock
from domain.enums import CustomerKind, Role
from tests.conftest import bearer


def stock_of(engine: Engine, sku: str, branch: str = "CDMX") -> tuple[int, int]:
    with Session(engine) as s:
        row = s.exec(
            sa.text(
                "SELECT st.on_hand, st.reserved FROM stock st JOIN product p ON p.id = st.product_id "
                "JOIN branch b ON b.id = st.branch_id WHERE p.sku = :sku AND b.code = :code"
            ),
            params={"sku": sku, "code": branch},
        ).one()
    return int(row[0]), int(row[1])


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as s:
        return s.exec(select(sa.func.count()).select_from(model)).one()


def a_product_with_stock(engine: Engine, at_least: int = 4, branch: str = "CDMX") -> str:
    with Session(engine) as s:
        sku = s.exec(
            sa.text(
                "SELECT p.sku FROM stock st JOIN product p ON p.id = st.product_id JOIN branch b ON b.id = st.branch_id "
                "WHERE b.code = :code AND st.on_hand - st.reserved >= :n ORDER BY p.sku LIMIT 1"
            ),
            params={"code": branch, "n": at_least},
        ).one()
    return str(sku[0])


def a_customer(engine: Engine, kind: CustomerKind = CustomerKind.RETAIL) -> Customer:
    with Session(engine) as s:
        return s.exec(
            select(Customer).where(Customer.kind == kind.value).order_by(Customer.id)
        ).first()  # type: ignore[return-value]


def order_body(engine: Engine, sku: str, quantity: int = 4, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": a_customer(engine).id,
        "branch_code": "CDMX",
        "lines": [{"sku": sku, "quantity": quantity}],
        **extra,
    }


def test_creating_an_order_reserves_stock_and_prices_it_with_iva(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    sku = a_product_with_stock(engine)
    on_hand, reserved = stock_of(engine, sku)
    r = client.post(
        "/api/v1/orders", json=order_body(engine, sku), headers=bearer(keys[Role.STAFF])
    )
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["folio"] == f"TL-{order['id']:06d}"
    assert order["status"] == "reserved"
    assert (
        order["reservations"][0]["quantity"] == 4
        and order["reservations"][0]["branch_code"] == "CDMX"
    )
    line = order["lines"][0]
    with Session(engine) as s:
        price = s.exec(select(Product.price_cents).where(Product.sku == sku)).one()
    assert line["unit_price_cents"] == price
    assert order["subtotal_cents"] == 4 * price
    assert (
        order["total_cents"]
        == order["subtotal_cents"] - order["discount_cents"] + order["iva_cents"]
    )
    assert stock_of(engine, sku) == (on_hand, reserved + 4)
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.entity_id == order["folio"])).all()
    assert [a.action for a in audit] == ["create"]
    assert audit[0].actor.endswith(":test-staff")
    fetched = client.get(f"/api/v1/orders/{order['id']}", headers=bearer(keys[Role.TECHNICIAN]))
    assert fetched.status_code == 200 and fetched.json()["folio"] == order["folio"]


def test_dealer_discount_is_applied(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    dealer = a_customer(engine, CustomerKind.DEALER)
    sku = a_product_with_stock(engine, 8)
    body = {
        "customer_id": dealer.id,
        "branch_code": "CDMX",
        "lines": [{"sku": sku, "quantity": 8}],
        "status": "quote",
    }
    order = client.post("/api/v1/orders", json=body, headers=bearer(keys[Role.STAFF])).json()
    assert dealer.discount_bp > 0
    unit = order["lines"][0]["unit_price_cents"]
    assert order["discount_cents"] == 8 * ((unit * dealer.discount_bp + 5000) // 10000)
    assert order["reservations"] == [] and order["status"] == "quote"


def test_not_enough_stock_is_409_and_nothing_is_written(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    sku = a_product_with_stock(engine)
    other = a_product_with_stock(engine, 2, "GDL")
    on_hand, reserved = stock_of(engine, sku)
    orders_before, audit_before = count(engine, Order), count(engine, AuditLog)
    body = order_body(engine, other, 1)
    body["lines"] = [
        {"sku": other, "quantity": 1},
        {"sku": sku, "quantity": on_hand - reserved + 1},
    ]
    body["branch_code"] = "CDMX"
    r = client.post("/api/v1/orders", json=body, headers=bearer(keys[Role.STAFF]))
    assert r.status_code == 409, r.text
    assert r.json()["field"] == "lines" and sku in r.json()["message"]
    assert stock_of(engine, sku) == (on_hand, reserved)
    assert count(engine, Order) == orders_before and count(engine, AuditLog) == audit_before


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["lines"][0].update(quantity=0), "lines.0.quantity"),
        (lambda b: b["lines"][0].update(sku="NOPE-123"), "lines.0"),
        (lambda b: b.update(branch_code="XXX"), "branch_code"),
        (lambda b: b.update(customer_id=999999), "customer_id"),
        (lambda b: b.update(lines=[]), "lines"),
        (lambda b: b.update(status="delivered"), "status"),
        (lambda b: b["lines"][0].update(product_id=1), "lines.0"),
    ],
)
def test_bad_order_bodies_are_422_naming_the_field(
    client: TestClient, keys: dict[Role, str], engine: Engine, mutate: Any, field: str
) -> None:
    body = order_body(engine, a_product_with_stock(engine))
    mutate(body)
    before = count(engine, Order)
    r = client.post("/api/v1/orders", json=body, headers=bearer(keys[Role.STAFF]))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert count(engine, Order) == before


def test_malformed_json_is_422_not_500(client: TestClient, keys: dict[Role, str]) -> None:
    r = client.post(
        "/api/v1/orders",
        content=b"{not json",
        headers={**bearer(keys[Role.STAFF]), "Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_idempotency_key_returns_the_first_order_and_reserves_once(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    sku = a_product_with_stock(engine)
    _, reserved = stock_of(engine, sku)
    h = {**bearer(keys[Role.INTEGRATION]), "Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/orders", json=order_body(engine, sku, 2), headers=h)
    again = client.post("/api/v1/orders", json=order_body(engine, sku, 2), headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert stock_of(engine, sku)[1] == reserved + 2
    changed = client.post("/api/v1/orders", json=order_body(engine, sku, 3), headers=h)
    assert changed.status_code == 422 and changed.json()["field"] == "Idempotency-Key"
    # Keys are per caller: another key may use the same value for its own order.
    other = client.post(
        "/api/v1/orders",
        json=order_body(engine, sku, 2),
        headers={**bearer(keys[Role.STAFF]), "Idempotency-Key": "abc-123"},
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_status_moves_follow_the_machine_and_move_stock(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    h = bearer(keys[Role.STAFF])
    sku = a_product_with_stock(engine)
    on_hand, reserved = stock_of(engine, sku)
    order = client.post("/api/v1/orders", json=order_body(engine, sku, 4), headers=h).json()
    url = f"/api/v1/orders/{order['id']}"
    illegal = client.put(url, json={"status": "delivered"}, headers=h)
    assert illegal.status_code == 409 and "reserved" in illegal.json()["message"]
    for status in ("paid", "ready_for_pickup"):
        r = client.put(url, json={"status": status}, headers=h)
        assert r.status_code == 200 and r.json()["status"] == status
    assert r.json()["reservations"][0]["status"] == "confirmed"
    assert stock_of(engine, sku) == (on_hand, reserved + 4)
    assert client.put(url, json={"status": "delivered"}, headers=h).status_code == 200
    assert stock_of(engine, sku) == (on_hand - 4, reserved)
    assert client.put(url, json={"status": "cancelled"}, headers=h).status_code == 409
    assert (
        client.put(url, json={"status": "returned", "notes": "rin dañado"}, headers=h).json()[
            "notes"
        ]
        == "rin dañado"
    )
    assert stock_of(engine, sku) == (on_hand, reserved)


def test_cancelling_releases_the_reservation(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    h = bearer(keys[Role.STAFF])
    sku = a_product_with_stock(engine)
    before = stock_of(engine, sku)
    order = client.post("/api/v1/orders", json=order_body(engine, sku, 4), headers=h).json()
    r = client.put(f"/api/v1/orders/{order['id']}", json={"status": "cancelled"}, headers=h)
    assert r.status_code == 200 and r.json()["reservations"][0]["status"] == "released"
    assert stock_of(engine, sku) == before


def test_update_errors(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.STAFF])
    assert (
        client.put("/api/v1/orders/999999", json={"status": "paid"}, headers=h).status_code == 404
    )
    assert client.get("/api/v1/orders/999999", headers=h).status_code == 404
    r = client.put("/api/v1/orders/1", json={}, headers=h)
    assert r.status_code == 422
    r = client.put("/api/v1/orders/1", json={"status": "teleported"}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "status"


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.EVALUATOR])
def test_read_only_roles_cannot_write_orders(
    client: TestClient, keys: dict[Role, str], engine: Engine, role: Role
) -> None:
    r = client.post(
        "/api/v1/orders",
        json=order_body(engine, a_product_with_stock(engine)),
        headers=bearer(keys[role]),
    )
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert (
        client.put(
            "/api/v1/orders/1", json={"status": "cancelled"}, headers=bearer(keys[role])
        ).status_code
        == 403
    )


def test_expired_reservations_give_their_stock_back(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    h = bearer(keys[Role.STAFF])
    sku = a_product_with_stock(engine)
    before = stock_of(engine, sku)
    order = client.post("/api/v1/orders", json=order_body(engine, sku, 2), headers=h).json()
    with Session(engine) as s:
        s.exec(
            sa.text("UPDATE reservation SET expires_at = :t WHERE order_id = :o"),  # type: ignore[call-overload]
            params={"t": "2000-01-01 00:00:00", "o": order["id"]},
        )
        s.commit()
    other = a_product_with_stock(engine, 1)
    assert (
        client.post("/api/v1/orders", json=order_body(engine, other, 1), headers=h).status_code
        == 201
    )
    expired = client.get(f"/api/v1/orders/{order['id']}", headers=h).json()
    assert expired["status"] == "cancelled" and expired["reservations"][0]["status"] == "released"
    on_hand, reserved = stock_of(engine, sku)
    assert (on_hand, reserved) == before or other == sku


def test_stock_table_never_goes_negative(engine: Engine) -> None:
    with Session(engine) as s:
        bad = s.exec(
            select(sa.func.count())
            .select_from(Stock)
            .where((Stock.reserved < 0) | (Stock.reserved > Stock.on_hand))
        ).one()
    assert bad == 0


def test_the_server_sweeps_expired_holds_on_its_own(
    settings: Any, engine: Engine, keys: dict[Role, str]
) -> None:
    import time

    from api.app import create_app

    sku = a_product_with_stock(engine)
    before = stock_of(engine, sku)
    fast = settings.model_copy(update={"reservation_sweep_seconds": 0.05})
    with TestClient(create_app(fast, engine=engine)) as c:
        order = c.post(
            "/api/v1/orders", json=order_body(engine, sku, 2), headers=bearer(keys[Role.STAFF])
        ).json()
        with Session(engine) as s:
            s.exec(
                sa.text("UPDATE reservation SET expires_at = :t WHERE order_id = :o"),  # type: ignore[call-overload]
                params={"t": "2000-01-01 00:00:00", "o": order["id"]},
            )
            s.commit()
        deadline = time.monotonic() + 10
        while stock_of(engine, sku) != before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stock_of(engine, sku) == before
        assert (
            c.get(f"/api/v1/orders/{order['id']}", headers=bearer(keys[Role.STAFF])).json()[
                "status"
            ]
            == "cancelled"
        )
