"""API keys, OAuth access tokens (JWT) and what each role may do."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import jwt

from core.errors import Unauthenticated
from domain.clock import utcnow
from domain.enums import Role


class Scope(StrEnum):
    """A permission a route asks for."""

    CATALOG_READ = "catalog:read"
    INVENTORY_READ = "inventory:read"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    CUSTOMERS_READ = "customers:read"
    SUPPLIERS_READ = "suppliers:read"
    ANALYTICS_READ = "analytics:read"
    LOGISTICS_READ = "logistics:read"
    LOGISTICS_WRITE = "logistics:write"
    DRIVER_ROUTE = "driver:route"  # a driver's own route: events and pings
    COST_READ = "cost:read"  # unit cost, margin and value at cost in any answer


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.STAFF: frozenset(Scope),
    Role.INTEGRATION: frozenset(Scope),
    Role.TECHNICIAN: frozenset(
        {Scope.CATALOG_READ, Scope.INVENTORY_READ, Scope.ORDERS_READ, Scope.CUSTOMERS_READ}
    ),
    Role.EVALUATOR: frozenset({Scope.CATALOG_READ, Scope.INVENTORY_READ}),
    Role.DRIVER: frozenset({Scope.CATALOG_READ, Scope.DRIVER_ROUTE}),  # the catalogue is public
}

KEY_PREFIX = "tl"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from a verified API key or access token, never from the request body."""

    key_prefix: str
    name: str
    role: Role

    @property
    def scopes(self) -> frozenset[Scope]:
        """What this caller may do."""
        return ROLE_SCOPES[self.role]

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"key:{self.key_prefix}:{self.name}"


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (full key shown once, public prefix, SHA-256 of the secret)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{prefix}_{secret}", prefix, hash_secret(secret)


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a key's secret part (keys are random, so no slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(key: str) -> tuple[str, str]:
    """(prefix, secret) of a key written as ``tl_<prefix>_<secret>``."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        raise Unauthenticated("malformed API key")
    return parts[1], parts[2]


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def issue_token(principal: Principal, *, secret: str, ttl_seconds: int) -> str:
    """A short-lived HS256 access token for a client-credentials grant."""
    now = utcnow()
    claims = {
        "sub": principal.key_prefix,
        # The key id: a token dies with its key (checked on every request, cached like keys).
        "kid": principal.key_prefix,
        "name": principal.name,
        "role": principal.role.value,
        "scope": " ".join(sorted(s.value for s in principal.scopes)),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
        "iss": "topllantas",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, *, secret: str) -> Principal:
    """The principal of a valid, unexpired access token.

    Raises:
        Unauthenticated: bad signature, expired or malformed.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer="topllantas",
            options={"require": ["exp", "sub", "kid", "role"]},
        )
        if claims["kid"] != claims["sub"]:
            raise Unauthenticated("invalid access token")
        return Principal(
            key_prefix=str(claims["sub"]),
            name=str(claims.get("name", "")),
            role=Role(claims["role"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("access token expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthenticated("invalid access token") from exc
