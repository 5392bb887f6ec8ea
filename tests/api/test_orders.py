from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.engine import session_scope
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


def _limit_dealer_credit(engine: Engine, left_cents: int) -> Customer:
    """A dealer with exactly ``left_cents`` of credit left, whatever its open orders use."""
    dealer = a_customer(engine, CustomerKind.DEALER)
    with Session(engine) as s:
        used = s.exec(
            select(sa.func.coalesce(sa.func.sum(Order.total_cents - Order.paid_cents), 0)).where(
                Order.customer_id == dealer.id,
                sa.column("status").in_(
                    ["reserved", "paid", "ready_for_pickup", "out_for_delivery", "delivered"]
                ),
            )
        ).one()
    # A write transaction from its BEGIN: a read upgraded to a write fails at once on SQLite
    # ("database is locked") when the app's background threads wrote in between.
    with session_scope(engine, write=True) as s:
        row = s.get(Customer, dealer.id)
        assert row is not None
        row.credit_limit_cents = int(used) + left_cents
        s.add(row)
        s.flush()
        s.refresh(row)
        return row


def test_a_dealer_order_past_the_credit_limit_is_409_naming_the_reason(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    dealer = _limit_dealer_credit(engine, 100_000)
    sku = a_product_with_stock(engine, 8)
    body = {"customer_id": dealer.id, "branch_code": "CDMX", "lines": [{"sku": sku, "quantity": 8}]}
    before = stock_of(engine, sku), count(engine, Order)
    r = client.post("/api/v1/orders", json=body, headers=bearer(keys[Role.STAFF]))
    assert r.status_code == 409, r.text
    error = r.json()
    assert error["field"] == "customer_id" and "credit limit" in error["message"]
    assert "$1,000" in error["message"]  # what is available
    assert (stock_of(engine, sku), count(engine, Order)) == before
    quote = client.post(
        "/api/v1/orders", json={**body, "status": "quote"}, headers=bearer(keys[Role.STAFF])
    )
    assert quote.status_code == 201  # a quote holds nothing and uses no credit
    credit = client.get(
        f"/api/v1/customers/{dealer.id}/credit", headers=bearer(keys[Role.STAFF])
    ).json()
    assert credit["available_cents"] == 100_000
    assert credit["limit_cents"] == credit["used_cents"] + 100_000


def test_list_change_link_fulfilment_and_invoice_routes(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    staff = bearer(keys[Role.STAFF])
    sku = a_product_with_stock(engine, 6)
    customer = a_customer(engine)
    body = {
        **order_body(engine, sku, 4),
        "deposit_cents": 50_000,
        "with_deposit_link": True,
    }
    created = client.post("/api/v1/orders", json=body, headers=staff)
    assert created.status_code == 201, created.text
    order = created.json()
    [link] = order["payment_links"]
    assert link["purpose"] == "deposit" and link["status"] == "pending" and "/pay/" in link["url"]
    assert order["held_until"] and order["balance_cents"] == order["total_cents"]
    listed = client.get(
        f"/api/v1/orders?customer_id={customer.id}&status=reserved&status=paid", headers=staff
    ).json()
    assert order["id"] in [o["id"] for o in listed]
    assert {o["status"] for o in listed} <= {"reserved", "paid"}

    on_hand, reserved = stock_of(engine, sku)
    changed = client.put(
        f"/api/v1/orders/{order['id']}/lines",
        json={"lines": [{"sku": sku, "quantity": 2}]},
        headers=staff,
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["folio"] == order["folio"] and after["lines"][0]["quantity"] == 2
    assert stock_of(engine, sku) == (on_hand, reserved - 2)
    assert [li["status"] for li in after["payment_links"]] == ["pending", "expired"]
    too_many = client.put(
        f"/api/v1/orders/{order['id']}/lines",
        json={"lines": [{"sku": sku, "quantity": on_hand + 1}]},
        headers=staff,
    )
    assert too_many.status_code == 409 and too_many.json()["field"] == "lines"
    assert stock_of(engine, sku) == (on_hand, reserved - 2)  # the old hold is kept

    again = client.post(
        f"/api/v1/orders/{order['id']}/payment-links", json={"purpose": "deposit"}, headers=staff
    ).json()
    assert again["token"] == after["payment_links"][0]["token"]  # still payable: the same link
    balance = client.post(
        f"/api/v1/orders/{order['id']}/payment-links", json={"purpose": "balance"}, headers=staff
    )
    assert balance.status_code == 409  # no balance link before the deposit

    visit = client.put(
        f"/api/v1/orders/{order['id']}/fulfillment",
        json={"mode": "delivery", "day": "2099-01-05", "window": "afternoon",
              "address": "Av. Juárez 10, Centro"},
        headers=staff,
    )  # fmt: skip
    assert visit.status_code == 200, visit.text
    assert visit.json()["fulfillment"] == "delivery"
    assert visit.json()["delivery"]["status"] == "scheduled"
    past = client.put(
        f"/api/v1/orders/{order['id']}/fulfillment",
        json={"mode": "pickup", "day": "2001-01-05"},
        headers=staff,
    )
    assert past.status_code == 422 and past.json()["field"] == "day"

    bad = client.put(
        f"/api/v1/orders/{order['id']}/invoice",
        json={"rfc": "GODE561231GR9", "name": "Erika", "regime": "612", "use": "G03",
              "zip_code": "03100"},
        headers=staff,
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "rfc"
    assert "dígito verificador" in bad.json()["message"]
    good = client.put(
        f"/api/v1/orders/{order['id']}/invoice",
        json={"rfc": "GODE561231GR8", "name": "Erika Godínez", "regime": "612", "use": "G03",
              "zip_code": "03100"},
        headers=staff,
    )  # fmt: skip
    assert good.status_code == 200 and good.json()["invoice"]["use_name"] == "Gastos en general"
    cancelled = client.put(
        f"/api/v1/orders/{order['id']}", json={"status": "cancelled"}, headers=staff
    ).json()
    assert {li["status"] for li in cancelled["payment_links"]} == {"expired"}


def test_a_counter_payment_is_recorded_and_never_exceeds_the_total(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    staff = bearer(keys[Role.STAFF])
    sku = a_product_with_stock(engine)
    order = client.post("/api/v1/orders", json=order_body(engine, sku, 2), headers=staff).json()
    paid = client.put(
        f"/api/v1/orders/{order['id']}", json={"status": "paid", "paid_cents": 100_000},
        headers=staff,
    ).json()  # fmt: skip
    assert paid["paid_cents"] == 100_000
    assert paid["balance_cents"] == order["total_cents"] - 100_000
    over = client.put(
        f"/api/v1/orders/{order['id']}", json={"paid_cents": order["total_cents"]}, headers=staff
    )
    assert over.status_code == 422 and over.json()["field"] == "paid_cents"


def test_customers_are_created_and_read_one_by_one(
    client: TestClient, keys: dict[Role, str]
) -> None:
    staff = bearer(keys[Role.STAFF])
    made = client.post("/api/v1/customers", json={"name": "Cliente web (invitado)"}, headers=staff)
    assert made.status_code == 201 and made.json()["kind"] == "retail"
    got = client.get(f"/api/v1/customers/{made.json()['id']}", headers=staff)
    assert got.json() == made.json()
    assert client.get("/api/v1/customers/999999", headers=staff).status_code == 404
    bad = client.post("/api/v1/customers", json={"name": "X y Z", "phone": "5512"}, headers=staff)
    assert bad.status_code == 422 and bad.json()["field"] == "phone"
