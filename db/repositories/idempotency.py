"""Idempotent order creation: a repeated Idempotency-Key returns the first answer, never a twin."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.errors import InvalidRequest
from db.engine import session_scope
from db.repositories.order_changes import place_order
from db.repositories.payments import LinkRules
from db.tables import IdempotencyRecord
from domain.sales import OrderCreate, OrderPublic


def request_fingerprint(payload: OrderCreate) -> str:
    """SHA-256 of the request body in canonical JSON."""
    body = json.dumps(payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _stored(session: Session, principal: str, key: str, fingerprint: str) -> OrderPublic | None:
    rec = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
        )
    ).first()
    if rec is None:
        return None
    if rec.request_hash != fingerprint:
        raise InvalidRequest(
            "this Idempotency-Key was already used with a different request body",
            field="Idempotency-Key",
        )
    return OrderPublic.model_validate(rec.response)


def create_order_once(
    engine: Engine,
    payload: OrderCreate,
    *,
    actor: str,
    principal: str,
    key: str | None,
    hold_hours: int,
    links: LinkRules | None = None,
) -> tuple[OrderPublic, bool]:
    """Create an order (with its deposit link when asked), or replay the one made earlier with
    the same key.

    Returns:
        The order and whether it was replayed from an earlier request.
    """
    if key is not None and not 1 <= len(key) <= 120:
        raise InvalidRequest("Idempotency-Key must be 1-120 characters", field="Idempotency-Key")
    fingerprint = request_fingerprint(payload)
    try:
        with session_scope(engine, write=True) as session:
            if key is not None:
                earlier = _stored(session, principal, key, fingerprint)
                if earlier is not None:
                    return earlier, True
            order = place_order(session, payload, actor=actor, hold_hours=hold_hours, links=links)
            if key is not None:
                session.add(
                    IdempotencyRecord(
                        principal=principal,
                        key=key,
                        request_hash=fingerprint,
                        status_code=201,
                        response=order.model_dump(mode="json"),
                    )
                )
    except IntegrityError:
        # A concurrent request with the same key won the race; answer with its order.
        if key is None:
            raise
        with session_scope(engine) as session:
            earlier = _stored(session, principal, key, fingerprint)
        if earlier is None:
            raise
        return earlier, True
    return order, False
