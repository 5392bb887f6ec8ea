"""Callers without a key are bounded (issue 13, finding 2): the keyless web chat per IP and per
conversation, anonymous holds (short, capped, one per conversation, a few per IP), /oauth/token
and /pay; each over its budget gets 429 with Retry-After, never a 500.

Requests arrive from chosen addresses through uvicorn's own proxy-headers middleware (what a
deployment behind a proxy runs), so one app sees several visitors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.app import create_app
from core.settings import AbuseSettings, Settings
from db.engine import session_scope
from db.repositories.orders import expire_reservations
from db.tables import Order, PaymentLink, Reservation, Stock
from domain.clock import as_utc, utcnow
from domain.enums import Role
from domain.orders import parse_folio
from tests.conftest import bearer

JETTA_1 = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"
JETTA_2 = "Me interesa la Continental, ¿mañana las puedo recoger?"
ROOMY = {"chat_ip_per_minute": 10_000, "chat_ip_burst": 1_000}

Visitor = Callable[[str], dict[str, str]]
MakeClient = Callable[..., TestClient]


def ip(address: str) -> dict[str, str]:
    """The header a trusted proxy adds for a visitor at ``address``."""
    return {"X-Forwarded-For": address}


@pytest.fixture
def make_client(settings: Settings, engine: Engine) -> Iterator[MakeClient]:
    """An app with these TOPLLANTAS_ABUSE__* values, behind the proxy-headers middleware."""
    opened: list[TestClient] = []

    def make(**abuse: Any) -> TestClient:
        limits = AbuseSettings(**abuse)
        app = create_app(settings.model_copy(update={"abuse": limits}), engine=engine)
        client = TestClient(ProxyHeadersMiddleware(app, trusted_hosts="*"))  # type: ignore[arg-type]
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def say(
    client: TestClient, text: str, session_id: str | None = None, *, at: str = "10.0.0.1"
) -> dict[str, Any]:
    r = client.post("/v1/chat", json={"session_id": session_id, "message": text}, headers=ip(at))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def reserve(client: TestClient, *, at: str) -> tuple[str, str]:
    """An anonymous visitor at ``at`` reserves 4 Continental for the Jetta: (session, reply)."""
    first = say(client, JETTA_1, at=at)
    return first["session_id"], say(client, JETTA_2, first["session_id"], at=at)["reply"]


def order_of(engine: Engine, reply: str) -> Order:
    folio = re.search(r"TL-\d{6}", reply)
    assert folio, reply
    with Session(engine) as s:
        order = s.get(Order, parse_folio(folio.group()))
        assert order is not None
        return order


def holds(engine: Engine, order_id: int) -> list[Reservation]:
    with Session(engine) as s:
        return list(s.exec(select(Reservation).where(Reservation.order_id == order_id)).all())


def order_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(sa.func.count()).select_from(Order)).one()


# --- the keyless chat's budgets ----------------------------------------------------------------


def test_keyless_chat_over_its_ip_budget_gets_429_retry_after_and_a_spanish_reply(
    make_client: MakeClient, keys: dict[Role, str]
) -> None:
    client = make_client(chat_ip_burst=3, chat_ip_per_minute=6)
    for _ in range(3):
        say(client, "hola", at="10.0.0.1")
    r = client.post("/v1/chat", json={"message": "hola"}, headers=ip("10.0.0.1"))
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    body = r.json()
    assert body["reply"].startswith("Vas muy rápido") and "segundos" in body["reply"]
    assert body["error"] == "rate_limited" and body["agent"] == "supervisor"
    stream = client.post("/v1/chat/stream", json={"message": "hola"}, headers=ip("10.0.0.1"))
    assert stream.status_code == 429 and int(stream.headers["Retry-After"]) >= 1
    blocks = [b.split("\n", 1) for b in stream.text.strip().split("\n\n")]
    assert [name for name, _ in blocks] == ["event: message", "event: done"]
    assert json.loads(blocks[0][1].removeprefix("data: "))["reply"].startswith("Vas muy rápido")
    # Another visitor, and a key from the same address, have budgets of their own.
    say(client, "hola", at="10.0.0.2")
    staff = client.post(
        "/v1/chat", json={"message": "hola"}, headers={**ip("10.0.0.1"), **bearer(keys[Role.STAFF])}
    )
    assert staff.status_code == 200, staff.text


def test_one_conversation_over_its_budget_waits_while_a_new_one_goes_on(
    make_client: MakeClient,
) -> None:
    client = make_client(**ROOMY, chat_session_burst=2, chat_session_per_minute=1)
    session_id = say(client, "hola")["session_id"]
    say(client, "¿qué horario tienen?", session_id)
    say(client, "¿y en Monterrey?", session_id)
    r = client.post(
        "/v1/chat", json={"session_id": session_id, "message": "¿y en Guadalajara?"},
        headers=ip("10.0.0.1"),
    )  # fmt: skip
    assert r.status_code == 429 and r.json()["session_id"] == session_id
    assert r.json()["reply"].startswith("Vas muy rápido")
    say(client, "hola otra vez")  # a new conversation from the same address


# --- anonymous holds ---------------------------------------------------------------------------


def test_an_anonymous_hold_lasts_two_hours_and_a_change_never_extends_it(
    make_client: MakeClient, engine: Engine, keys: dict[Role, str]
) -> None:
    client = make_client(**ROOMY)
    session_id, reply = reserve(client, at="10.0.0.1")
    order = order_of(engine, reply)
    assert order.status == "reserved"
    (hold,) = holds(engine, order.id or 0)
    span = as_utc(hold.expires_at) - as_utc(order.created_at)
    assert timedelta(hours=2) - timedelta(minutes=1) <= span <= timedelta(hours=2)
    with Session(engine) as s:
        links = s.exec(select(PaymentLink).where(PaymentLink.order_id == order.id)).all()
    assert links and all(as_utc(link.expires_at) <= as_utc(hold.expires_at) for link in links)
    # Time passes: 30 minutes left. Changing the quantity keeps the end.
    end = utcnow() + timedelta(minutes=30)
    with session_scope(engine, write=True) as s:
        s.execute(
            sa.update(Reservation).where(col(Reservation.id) == hold.id).values(expires_at=end)
        )
    say(client, "mejor solo 3", session_id)
    say(client, "si", session_id)
    changed = [r for r in holds(engine, order.id or 0) if r.status == "active"]
    assert [r.quantity for r in changed] == [3]
    assert as_utc(changed[0].expires_at) <= end + timedelta(seconds=1)
    # A customer who is known (here an evaluator's test persona) gets the normal hold.
    persona = client.post(
        "/v1/chat",
        json={"message": JETTA_1, "as": {"role": "customer", "phone": "+525512340001"}},
        headers=bearer(keys[Role.EVALUATOR]),
    ).json()
    known = client.post(
        "/v1/chat",
        json={"session_id": persona["session_id"], "message": JETTA_2,
              "as": {"role": "customer", "phone": "+525512340001"}},
        headers=bearer(keys[Role.EVALUATOR]),
    ).json()  # fmt: skip
    known_order = order_of(engine, known["reply"])
    (known_hold,) = holds(engine, known_order.id or 0)
    assert as_utc(known_hold.expires_at) - as_utc(known_order.created_at) >= timedelta(hours=47)


def test_the_sweep_releases_an_unpaid_anonymous_hold_and_a_paid_deposit_keeps_its_tires(
    make_client: MakeClient, engine: Engine
) -> None:
    client = make_client(**ROOMY)
    unpaid = order_of(engine, reserve(client, at="10.0.0.1")[1])
    paid_reply = reserve(client, at="10.0.0.2")[1]
    paid = order_of(engine, paid_reply)
    token = re.search(r"/pay/(\S+)", paid_reply)
    assert token
    r = client.post(f"/pay/{token.group(1)}/confirm", headers=ip("10.0.0.2"))
    assert r.status_code in (200, 303), r.text

    def reserved_units() -> int:
        with Session(engine) as s:
            return int(s.exec(select(sa.func.sum(Stock.reserved))).one() or 0)

    before = reserved_units()
    with session_scope(engine, write=True) as s:  # the expiry sweep, three hours on
        expired = expire_reservations(s, actor="system:expiry", now=utcnow() + timedelta(hours=3))
    assert unpaid.folio in expired and paid.folio not in expired
    assert reserved_units() == before - 4
    with Session(engine) as s:
        assert (s.get(Order, unpaid.id) or unpaid).status == "cancelled"
        assert (s.get(Order, paid.id) or paid).status == "paid"
    assert [r.status for r in holds(engine, paid.id or 0)] == ["confirmed"]


def test_an_anonymous_conversation_holds_at_most_its_unit_cap(
    make_client: MakeClient, engine: Engine
) -> None:
    client = make_client(**ROOMY, guest_max_units=8)
    before = order_count(engine)
    first = say(client, "Hola, necesito 10 llantas para Jetta 2020, ¿cuánto cuesta?")
    reply = say(client, JETTA_2, first["session_id"])["reply"]
    assert "hasta 8 llantas" in reply and not re.search(r"TL-\d{6}", reply), reply
    assert order_count(engine) == before


def test_one_address_holds_at_most_its_unpaid_anonymous_reservations(
    make_client: MakeClient, engine: Engine
) -> None:
    client = make_client(**ROOMY, guest_open_holds_per_ip=2)
    for _ in range(2):
        order_of(engine, reserve(client, at="10.0.0.7")[1])
    before = order_count(engine)
    _, refused = reserve(client, at="10.0.0.7")
    assert "Desde esta conexión ya hay varios apartados sin anticipo" in refused, refused
    assert order_count(engine) == before
    assert order_of(engine, reserve(client, at="10.0.0.8")[1]).status == "reserved"


# --- /oauth/token and /pay -----------------------------------------------------------------------


def token_request(client: TestClient, client_id: str, secret: str, at: str) -> Any:
    return client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        headers=ip(at),
    )


def test_oauth_token_attempts_are_bounded_per_client_id_and_per_ip(
    make_client: MakeClient, keys: dict[Role, str]
) -> None:
    client = make_client(oauth_client_burst=3, oauth_client_per_minute=1, oauth_ip_burst=5,
                         oauth_ip_per_minute=1)  # fmt: skip
    key = keys[Role.INTEGRATION]
    prefix = key.split("_")[1]
    for _ in range(3):
        assert token_request(client, prefix, "tl_wrong_guess", "10.0.0.1").status_code == 401
    for address in ("10.0.0.1", "10.0.0.2"):  # the client id is spent, even with its secret
        r = token_request(client, prefix, key, address)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1, r.text
        assert r.json()["error"] == "rate_limited"
    for n in range(4):  # one address cycling client ids: 5 attempts, then 429
        assert token_request(client, f"guess{n}", "x", "10.0.0.3").status_code == 401
    assert token_request(client, "guess9", "x", "10.0.0.3").status_code == 401
    assert token_request(client, "guess10", "x", "10.0.0.3").status_code == 429
    other = make_client()  # the defaults let a client get its token
    assert token_request(other, prefix, key, "10.0.0.4").status_code == 200


def test_pay_is_bounded_per_link_and_per_ip(make_client: MakeClient, engine: Engine) -> None:
    client = make_client(**ROOMY, pay_link_burst=3, pay_link_per_minute=1, pay_ip_burst=4,
                         pay_ip_per_minute=1)  # fmt: skip
    reply = reserve(client, at="10.0.0.1")[1]
    token = re.search(r"/pay/(\S+)", reply)
    assert token
    page = f"/pay/{token.group(1)}"
    for _ in range(3):
        assert client.get(page, headers=ip("10.0.0.1")).status_code == 200
    for address in ("10.0.0.1", "10.0.0.2"):  # the link is spent, from anywhere
        r = client.get(page, headers=ip(address))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "Espera un momento" in r.text and r.headers["content-type"].startswith("text/html")
    assert client.post(f"{page}/confirm", headers=ip("10.0.0.3")).status_code == 429
    for n in range(3):  # one address guessing tokens: its own budget
        assert client.get(f"/pay/guess{n}", headers=ip("10.0.0.5")).status_code == 404
    assert client.get("/pay/guess9", headers=ip("10.0.0.5")).status_code == 404
    assert client.get("/pay/guess10", headers=ip("10.0.0.5")).status_code == 429
