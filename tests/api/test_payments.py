from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.payments.base import PaymentEvent
from adapters.payments.local import LocalPaymentProvider, build_payment_provider
from api.app import create_app
from api.routes.payments import SIGNATURE_HEADER
from core.errors import Conflict, InvalidRequest, NotFound
from core.settings import AuthSettings, Settings
from db.engine import session_scope
from db.repositories.payments import (
    PaymentLinkPublic,
    apply_payment_event,
    create_payment_link,
    get_payment_link,
)
from db.tables import AuditLog, Customer, PaymentLink, Product, Reservation
from domain.enums import Role
from domain.spanish import local_moment
from tests.api.test_orders import a_product_with_stock, order_body, stock_of
from tests.conftest import bearer

WEBHOOK = "/webhooks/payments/local"


def an_order(client: TestClient, keys: dict[Role, str], engine: Engine, **extra: Any) -> Any:
    sku = a_product_with_stock(engine)
    r = client.post(
        "/api/v1/orders",
        json=order_body(engine, sku, 4, **extra),
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code == 201, r.text
    order = r.json()
    order["sku"] = sku
    return order


def a_link(
    engine: Engine, settings: Settings, order_id: int, amount_cents: int | None = None
) -> PaymentLinkPublic:
    with session_scope(engine, write=True) as session:
        return create_payment_link(
            session,
            order_id=order_id,
            amount_cents=amount_cents or settings.payments.deposit_cents,
            ttl_hours=settings.payments.link_ttl_hours,
            provider=build_payment_provider(settings),
            actor="test",
        )


def order_status(client: TestClient, keys: dict[Role, str], order_id: int) -> Any:
    r = client.get(f"/api/v1/orders/{order_id}", headers=bearer(keys[Role.STAFF]))
    assert r.status_code == 200
    return r.json()


def link_row(engine: Engine, token: str) -> PaymentLink:
    with Session(engine) as s:
        return s.exec(select(PaymentLink).where(PaymentLink.token == token)).one()


def audit_actions(engine: Engine, entity: str) -> list[str]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(AuditLog.action).where(AuditLog.entity == entity).order_by(AuditLog.id)
            ).all()
        )


def signed(settings: Settings, **fields: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(fields).encode()
    return body, {SIGNATURE_HEADER: build_payment_provider(settings).sign(body)}


def test_the_link_page_shows_the_order_and_the_deposit(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine)
    link = a_link(engine, settings, order["id"])
    assert link.url == f"http://127.0.0.1:8000/pay/{link.token}"
    assert link.status == "pending" and link.folio == order["folio"]
    assert len(link.token) >= 32
    # The link never outlives the stock hold.
    assert link.expires_at <= datetime.fromisoformat(order["reservations"][0]["expires_at"])

    r = client.get(f"/pay/{link.token}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    page = r.text
    assert '<html lang="es-MX">' in page and 'name="viewport"' in page
    assert order["folio"] in page
    assert "$500" in page
    assert "Pagar anticipo (simulado)" in page
    assert f'action="/pay/{link.token}/confirm"' in page
    assert f"Válido hasta el {local_moment(link.expires_at)}" in page
    line = order["lines"][0]
    assert f"{line['description']} × 4" in page
    assert "TopLlantas Insurgentes" in page  # the branch
    assert "http://" not in page and "https://" not in page  # self-contained, no CDN
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.entity == "payment_link")).one()
    assert audit.action == "create" and link.token not in json.dumps(audit.detail)


def test_paying_through_the_local_checkout_confirms_the_reservation(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine)
    held = stock_of(engine, order["sku"])
    link = a_link(engine, settings, order["id"])

    r = client.post(f"/pay/{link.token}/confirm", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/pay/{link.token}"
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "¡Pago recibido!" in page.text
    assert "Pagar anticipo" not in page.text

    after = order_status(client, keys, order["id"])
    assert after["status"] == "paid"
    assert [res["status"] for res in after["reservations"]] == ["confirmed"]
    assert stock_of(engine, order["sku"]) == held  # still held, now without expiry
    row = link_row(engine, link.token)
    assert row.status == "paid" and row.paid_at is not None
    assert (row.provider_ref or "").startswith("local-")

    # A second click changes nothing.
    again = client.post(f"/pay/{link.token}/confirm")
    assert again.status_code == 200 and "¡Pago recibido!" in again.text
    assert audit_actions(engine, "payment_link") == ["create", "pay"]
    assert stock_of(engine, order["sku"]) == held


@pytest.mark.parametrize("attack", ["tampered", "wrong", "missing", "other_secret"])
def test_a_webhook_without_a_valid_signature_is_refused(
    attack: str,
    client: TestClient,
    keys: dict[Role, str],
    engine: Engine,
    settings: Settings,
) -> None:
    order = an_order(client, keys, engine)
    link = a_link(engine, settings, order["id"])
    event = {
        "token": link.token,
        "status": "paid",
        "provider_ref": "ch_1",
        "amount_cents": link.amount_cents,
    }
    body, headers = signed(settings, **event)
    if attack == "tampered":  # the signature of the real body, sent with another body
        body = body.replace(b'"ch_1"', b'"ch_2"')
    elif attack == "wrong":
        headers = {SIGNATURE_HEADER: "0" * 64}
    elif attack == "missing":
        headers = {}
    else:
        headers = {SIGNATURE_HEADER: LocalPaymentProvider("http://x", "other").sign(body)}
    r = client.post(WEBHOOK, content=body, headers={**headers, "content-type": "application/json"})
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "forbidden"
    assert order_status(client, keys, order["id"])["status"] == "reserved"
    assert link_row(engine, link.token).status == "pending"
    assert audit_actions(engine, "payment_link") == ["create"]


def test_a_signed_webhook_pays_once_and_a_replay_changes_nothing(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine)
    held = stock_of(engine, order["sku"])
    link = a_link(engine, settings, order["id"])
    body, headers = signed(
        settings,
        token=link.token,
        status="paid",
        provider_ref="ch_123",
        amount_cents=link.amount_cents,
    )
    first = client.post(WEBHOOK, content=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "paid" and first.json()["folio"] == order["folio"]
    replay = client.post(WEBHOOK, content=body, headers=headers)
    assert replay.status_code == 200 and replay.json() == first.json()

    assert order_status(client, keys, order["id"])["status"] == "paid"
    assert audit_actions(engine, "payment_link") == ["create", "pay"]
    with Session(engine) as s:
        updates = s.exec(
            select(AuditLog).where(
                AuditLog.entity_id == order["folio"], AuditLog.action == "update"
            )
        ).all()
    assert len(updates) == 1 and updates[0].actor == "provider:local"
    assert stock_of(engine, order["sku"]) == held

    # Another payment for a link already paid is not silently accepted.
    body2, headers2 = signed(
        settings, token=link.token, status="paid", provider_ref="ch_999", amount_cents=50_000
    )
    assert client.post(WEBHOOK, content=body2, headers=headers2).status_code == 409


def test_a_webhook_with_the_wrong_amount_or_a_bad_body_changes_nothing(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine)
    link = a_link(engine, settings, order["id"])
    body, headers = signed(
        settings, token=link.token, status="paid", provider_ref="ch_1", amount_cents=100
    )
    r = client.post(WEBHOOK, content=body, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "amount_cents"
    body, headers = signed(
        settings, token=link.token, status="refunded", provider_ref="r", amount_cents=50_000
    )
    r = client.post(WEBHOOK, content=body, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "status"
    body, headers = signed(
        settings, token="nope", status="paid", provider_ref="ch_1", amount_cents=50_000
    )
    assert client.post(WEBHOOK, content=body, headers=headers).status_code == 404
    body, headers = signed(
        settings, token=link.token, status="failed", provider_ref="ch_2", amount_cents=50_000
    )
    r = client.post(WEBHOOK, content=body, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "pending"
    assert order_status(client, keys, order["id"])["status"] == "reserved"
    assert link_row(engine, link.token).status == "pending"


def test_an_expired_link_says_so_and_cannot_be_paid(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine)
    held = stock_of(engine, order["sku"])
    link = a_link(engine, settings, order["id"])
    with session_scope(engine, write=True) as s:
        s.execute(
            sa.update(PaymentLink)
            .where(PaymentLink.token == link.token)  # type: ignore[arg-type]
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    body, headers = signed(
        settings,
        token=link.token,
        status="paid",
        provider_ref="ch_1",
        amount_cents=link.amount_cents,
    )
    r = client.post(WEBHOOK, content=body, headers=headers)
    assert r.status_code == 409 and r.json()["message"] == "el enlace expiró"

    page = client.get(f"/pay/{link.token}")
    assert page.status_code == 200
    assert "Este enlace expiró" in page.text and "WhatsApp" in page.text
    assert "Pagar anticipo" not in page.text
    r = client.post(f"/pay/{link.token}/confirm")
    assert r.status_code == 200 and "Este enlace expiró" in r.text

    assert order_status(client, keys, order["id"])["status"] == "reserved"
    assert link_row(engine, link.token).status == "expired"
    assert stock_of(engine, order["sku"]) == held
    assert audit_actions(engine, "payment_link") == ["create", "expire"]


def test_a_link_dies_with_its_order(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine)
    link = a_link(engine, settings, order["id"])
    r = client.put(
        f"/api/v1/orders/{order['id']}",
        json={"status": "cancelled"},
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code == 200
    assert "Este enlace expiró" in client.get(f"/pay/{link.token}").text
    client.post(f"/pay/{link.token}/confirm")
    assert order_status(client, keys, order["id"])["status"] == "cancelled"


def test_an_unknown_token_is_a_spanish_404_page(client: TestClient) -> None:
    r = client.get("/pay/no-such-token")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "No encontramos este enlace" in r.text
    assert client.post("/pay/no-such-token/confirm").status_code == 404


def test_only_a_reserved_order_gets_a_link_for_a_sane_amount(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    quote = an_order(client, keys, engine, status="quote")
    with pytest.raises(Conflict):
        a_link(engine, settings, quote["id"])
    order = an_order(client, keys, engine)
    for amount in (-1, order["total_cents"] + 1):
        with pytest.raises(InvalidRequest) as err:
            a_link(engine, settings, order["id"], amount)
        assert err.value.field == "amount_cents"
    with pytest.raises(NotFound):
        a_link(engine, settings, 10**9)
    assert audit_actions(engine, "payment_link") == []
    # The whole total is a valid amount; asking twice gives the same link.
    full = a_link(engine, settings, order["id"], order["total_cents"])
    assert a_link(engine, settings, order["id"], order["total_cents"]).token == full.token


def test_the_link_expires_with_a_short_hold(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine, hold_hours=1)
    link = a_link(engine, settings, order["id"])
    with Session(engine) as s:
        hold = s.exec(select(Reservation.expires_at).where(Reservation.order_id == order["id"]))
        ends = hold.one()
    assert link.expires_at == ends.replace(tzinfo=ends.tzinfo or UTC)
    # Past the hold, the link is dead even before the sweeper cancels the order.
    with session_scope(engine, write=True) as s:
        later = datetime.now(UTC) + timedelta(hours=2)
        dead = get_payment_link(s, link.token, now=later)
        assert dead.status == "expired" and dead.url == ""  # no provider given: no URL
    with session_scope(engine, write=True) as s, pytest.raises(Conflict):
        event = PaymentEvent(link.token, "paid", "ch_1", link.amount_cents)
        apply_payment_event(s, event, actor="test")


def test_customer_and_catalogue_text_is_escaped(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    evil = "<script>alert(1)</script>"
    sku = a_product_with_stock(engine)
    body = order_body(engine, sku, 4)
    with session_scope(engine, write=True) as s:
        customer = s.get(Customer, body["customer_id"])
        assert customer is not None
        customer.name = f'{evil}"><img src=x onerror=alert(2)> Pérez'
        product = s.exec(select(Product).where(Product.sku == sku)).one()
        product.line = f"Primacy {evil}"
        s.add(customer)
        s.add(product)
    r = client.post("/api/v1/orders", json=body, headers=bearer(keys[Role.STAFF]))
    assert r.status_code == 201
    link = a_link(engine, settings, r.json()["id"])
    page = client.get(f"/pay/{link.token}").text
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    csp = client.get(f"/pay/{link.token}").headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_the_simulated_checkout_is_off_in_production(
    engine: Engine, keys: dict[Role, str], settings: Settings
) -> None:
    prod = settings.model_copy(
        update={
            "environment": "production",
            "auth": AuthSettings(secret_key="p" * 40, key_cache_seconds=0),
        }
    )
    with TestClient(create_app(prod, engine=engine)) as client:
        order = an_order(client, keys, engine)
        link = a_link(engine, prod, order["id"])
        page = client.get(f"/pay/{link.token}")
        assert page.status_code == 200 and "Pagar anticipo" not in page.text
        assert client.post(f"/pay/{link.token}/confirm").status_code == 403
        assert order_status(client, keys, order["id"])["status"] == "reserved"


def test_signatures_and_expiry_format() -> None:
    provider = LocalPaymentProvider("https://pagos.topllantas.mx/", "s3cret")
    body = b'{"a":1}'
    assert provider.verify(body, provider.sign(body))
    assert provider.verify(body, provider.sign(body).upper())
    assert not provider.verify(body + b" ", provider.sign(body))
    assert not provider.verify(body, None) and not provider.verify(body, "")
    assert not provider.verify(body, "ñ" * 64)
    assert provider.create_link(token="t", amount_cents=1, order_folio="TL-1") == (
        "https://pagos.topllantas.mx/pay/t"
    )
    event = PaymentEvent("t", "paid", "ch", 50_000)
    assert PaymentEvent.from_json(event.to_json()) == event
    with pytest.raises(InvalidRequest):
        PaymentEvent.from_json(b"[]")
    # Mexico City time, as the chat says it (a hold to 04:04 UTC ends the evening before there).
    assert local_moment(datetime(2026, 12, 1, 4, 4, tzinfo=UTC)) == "lunes 30 de noviembre, 22:04"
    dev = Settings(environment="development", auth=AuthSettings(secret_key="k" * 40))
    derived = build_payment_provider(dev).sign(body)
    assert derived != LocalPaymentProvider("x", "k" * 40).sign(body)  # not the JWT key itself
    assert derived == build_payment_provider(dev).sign(body)


def test_after_the_deposit_the_balance_is_honest_and_has_its_own_link(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    order = an_order(client, keys, engine, deposit_cents=50_000)
    deposit = a_link(engine, settings, order["id"])
    body, headers = signed(
        settings, token=deposit.token, status="paid", provider_ref="ch_dep", amount_cents=50_000
    )
    assert client.post(WEBHOOK, content=body, headers=headers).status_code == 200
    paid = order_status(client, keys, order["id"])
    total = paid["total_cents"]
    assert paid["status"] == "paid" and paid["paid_cents"] == 50_000
    assert paid["balance_cents"] == total - 50_000  # $500 paid is not "paid" in full
    with pytest.raises(Conflict):  # the deposit is done: no second deposit link
        a_link(engine, settings, order["id"])
    r = client.post(
        f"/api/v1/orders/{order['id']}/payment-links",
        json={"purpose": "balance"},
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code == 200, r.text
    balance = r.json()
    assert balance["purpose"] == "balance" and balance["amount_cents"] == total - 50_000
    body, headers = signed(
        settings, token=balance["token"], status="paid", provider_ref="ch_bal",
        amount_cents=total - 50_000,
    )  # fmt: skip
    assert client.post(WEBHOOK, content=body, headers=headers).status_code == 200
    done = order_status(client, keys, order["id"])
    assert done["status"] == "paid" and done["paid_cents"] == total and done["balance_cents"] == 0
    nothing = client.post(
        f"/api/v1/orders/{order['id']}/payment-links",
        json={"purpose": "balance"},
        headers=bearer(keys[Role.STAFF]),
    )
    assert nothing.status_code == 409 and "fully paid" in nothing.json()["message"]
