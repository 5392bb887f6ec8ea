from __future__ import annotations

import time

import jwt
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from core.settings import RateLimitSettings, Settings
from db.engine import session_scope
from db.repositories.api_keys import revoke_key
from domain.enums import Role
from tests.conftest import bearer


def prefix(key: str) -> str:
    return key.split("_")[1]


def test_client_credentials_give_a_short_lived_token_that_works(
    client: TestClient, keys: dict[Role, str], settings: Settings
) -> None:
    key = keys[Role.INTEGRATION]
    r = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": prefix(key), "client_secret": key},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == settings.auth.token_ttl_seconds
    assert "orders:write" in body["scope"].split()
    products = client.get(
        "/api/v1/products", params={"limit": 1}, headers=bearer(body["access_token"])
    )
    assert products.status_code == 200
    # HTTP Basic works too, with the secret part alone.
    basic = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(prefix(key), key.split("_", 2)[2]),
    )
    assert basic.status_code == 200


def test_token_errors_follow_rfc_6749(client: TestClient, keys: dict[Role, str]) -> None:
    key = keys[Role.INTEGRATION]
    wrong = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": prefix(key),
            "client_secret": key + "x",
        },
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = client.post(
        "/oauth/token",
        data={"grant_type": "password", "client_id": prefix(key), "client_secret": key},
    )
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    staff = keys[Role.STAFF]
    refused = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": prefix(staff),
            "client_secret": staff,
        },
    )
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    mismatch = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": prefix(staff), "client_secret": key},
    )
    assert mismatch.status_code == 401
    assert client.post("/oauth/token", data={}).status_code == 422


def test_expired_or_forged_tokens_are_401(client: TestClient, settings: Settings) -> None:
    now = int(time.time())
    claims = {
        "sub": "abcd1234",
        "kid": "abcd1234",
        "role": "admin",
        "iss": "topllantas",
        "iat": now - 1000,
        "exp": now - 10,
    }
    expired = jwt.encode(claims, settings.jwt_secret(), algorithm="HS256")
    r = client.get("/api/v1/products", headers=bearer(expired))
    assert r.status_code == 401 and "expired" in r.json()["message"]
    forged = jwt.encode(
        {**claims, "exp": now + 600}, "another-secret-that-is-long-enough-000", algorithm="HS256"
    )
    assert client.get("/api/v1/products", headers=bearer(forged)).status_code == 401


def test_revoked_keys_stop_working(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    key = keys[Role.STAFF]
    assert (
        client.get("/api/v1/products", params={"limit": 1}, headers=bearer(key)).status_code == 200
    )
    with session_scope(engine, write=True) as session:
        revoke_key(session, prefix(key), actor="test")
    assert (
        client.get("/api/v1/products", params={"limit": 1}, headers=bearer(key)).status_code == 401
    )


def _token(c: TestClient, key: str) -> str:
    r = c.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": prefix(key), "client_secret": key},
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


def test_access_tokens_die_with_their_key(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    key = keys[Role.INTEGRATION]
    token = _token(client, key)
    claims = jwt.decode(token, settings.jwt_secret(), algorithms=["HS256"], issuer="topllantas")
    assert claims["kid"] == prefix(key)
    order = {"customer_id": 1, "lines": [{"sku": "NOPE", "quantity": 1}]}
    assert client.get("/api/v1/products", headers=bearer(token)).status_code == 200
    with session_scope(engine, write=True) as session:
        revoke_key(session, prefix(key), actor="test")
    r = client.get("/api/v1/products", params={"limit": 1}, headers=bearer(token))
    assert r.status_code == 401 and "revoked" in r.json()["message"]
    # Writes too, before anything is read from the body.
    assert client.post("/api/v1/orders", json=order, headers=bearer(token)).status_code == 401
    # A token whose key id was never issued (or was deleted) is refused as well.
    now = int(time.time())
    ghost = jwt.encode(
        {"sub": "ffff0000", "kid": "ffff0000", "role": "admin", "iss": "topllantas",
         "iat": now, "exp": now + 600},
        settings.jwt_secret(),
        algorithm="HS256",
    )  # fmt: skip
    assert client.get("/api/v1/products", headers=bearer(ghost)).status_code == 401
    # A token without a key id (issued before tokens carried one) is not accepted.
    old = jwt.encode(
        {"sub": prefix(keys[Role.ADMIN]), "role": "admin", "iss": "topllantas",
         "iat": now, "exp": now + 600},
        settings.jwt_secret(),
        algorithm="HS256",
    )  # fmt: skip
    assert client.get("/api/v1/products", headers=bearer(old)).status_code == 401


def test_a_revoked_keys_tokens_die_within_the_key_cache_window(
    settings: Settings, engine: Engine, keys: dict[Role, str]
) -> None:
    window = settings.model_copy(
        update={"auth": settings.auth.model_copy(update={"key_cache_seconds": 0.3})}
    )
    key = keys[Role.ADMIN]
    with TestClient(create_app(window, engine=engine)) as c:
        token = _token(c, key)
        assert (
            c.get("/api/v1/products", params={"limit": 1}, headers=bearer(token)).status_code == 200
        )
        with session_scope(engine, write=True) as session:
            revoke_key(session, prefix(key), actor="test")
        time.sleep(0.35)
        for credential in (token, key):
            r = c.get("/api/v1/products", params={"limit": 1}, headers=bearer(credential))
            assert r.status_code == 401, r.text


def test_roles_are_enforced_per_route(client: TestClient, keys: dict[Role, str]) -> None:
    expectations = {
        "/api/v1/customers": {
            Role.ADMIN: 200,
            Role.STAFF: 200,
            Role.TECHNICIAN: 200,
            Role.EVALUATOR: 403,
            Role.INTEGRATION: 200,
        },
        "/api/v1/analytics/sales": {
            Role.ADMIN: 200,
            Role.STAFF: 200,
            Role.TECHNICIAN: 403,
            Role.EVALUATOR: 403,
        },
        "/api/v1/suppliers": {Role.STAFF: 200, Role.TECHNICIAN: 403, Role.EVALUATOR: 403},
        "/api/v1/inventory": {Role.EVALUATOR: 200, Role.TECHNICIAN: 200},
        "/api/v1/products": dict.fromkeys(Role, 200),
    }
    for path, by_role in expectations.items():
        for role, status in by_role.items():
            r = client.get(path, headers=bearer(keys[role]))
            assert r.status_code == status, (path, role, r.text)


def test_rate_limit_answers_429_with_retry_after(
    settings: Settings, engine: Engine, keys: dict[Role, str]
) -> None:
    tight = settings.model_copy(update={"rate_limit": RateLimitSettings(per_minute=6, burst=3)})
    with TestClient(create_app(tight, engine=engine)) as c:
        statuses = [
            c.get(
                "/api/v1/products", params={"limit": 1}, headers=bearer(keys[Role.STAFF])
            ).status_code
            for _ in range(5)
        ]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]
        r = c.get("/api/v1/products", headers=bearer(keys[Role.STAFF]))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        # Buckets are per key: another key is unaffected.
        assert (
            c.get(
                "/api/v1/products", params={"limit": 1}, headers=bearer(keys[Role.ADMIN])
            ).status_code
            == 200
        )
