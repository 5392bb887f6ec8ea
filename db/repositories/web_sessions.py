"""People's browser sessions (created from an API key or a one-time link) and those links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import Unauthenticated
from core.security import Principal
from db.repositories.audit import record
from db.tables import LoginLink, StaffMember, WebSession
from domain.clock import as_utc, utcnow
from domain.enums import Role


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class WebLogin:
    """A fresh session: the secret goes in the signed cookie, the CSRF token in forms."""

    secret: str
    csrf_token: str
    principal: Principal


def start_session(session: Session, principal: Principal, *, hours: int) -> WebLogin:
    """A session for a verified principal, valid ``hours``."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    session.add(
        WebSession(
            id=_hash(secret), key_prefix=principal.key_prefix, name=principal.name,
            role=principal.role.value, csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )  # fmt: skip
    record(session, actor=principal.actor, action="sign_in", entity="web_session",
           entity_id=principal.key_prefix)  # fmt: skip
    return WebLogin(secret=secret, csrf_token=csrf, principal=principal)


def load_session(session: Session, secret: str) -> tuple[Principal, str]:
    """(principal, CSRF token) of a live session; Unauthenticated when unknown, signed out
    or expired."""
    row = session.get(WebSession, _hash(secret))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        raise Unauthenticated("session expired; sign in again")
    return Principal(key_prefix=row.key_prefix, name=row.name, role=Role(row.role)), row.csrf_token


def end_session(session: Session, secret: str) -> None:
    """Sign out: the session dies on the server, whatever the browser keeps."""
    row = session.get(WebSession, _hash(secret))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)


def staff_by_email(session: Session, email: str) -> StaffMember | None:
    """The active staff member with exactly this e-mail, ignoring case: an equality, not a
    LIKE pattern, so "%" or "_" typed into the sign-in form match only themselves."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    return session.exec(
        select(StaffMember)
        .where(sa.func.lower(col(StaffMember.email)) == wanted, col(StaffMember.active))
        .order_by(col(StaffMember.id))
    ).first()


def create_login_link(session: Session, member: StaffMember, *, minutes: int) -> str:
    """A one-time token for ``member`` (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginLink(token_hash=_hash(token), staff_member_id=member.id or 0,
                  expires_at=utcnow() + timedelta(minutes=minutes))
    )  # fmt: skip
    return token


def use_login_link(session: Session, token: str) -> Principal:
    """The staff principal of an unused, unexpired link, which is used up now."""
    row = session.exec(select(LoginLink).where(LoginLink.token_hash == _hash(token))).first()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        raise Unauthenticated("this sign-in link is invalid, used or expired")
    member = session.get(StaffMember, row.staff_member_id)
    if member is None or not member.active:
        raise Unauthenticated("this sign-in link is invalid, used or expired")
    row.used_at = utcnow()
    session.add(row)
    return Principal(key_prefix=f"sm-{member.id}", name=member.name, role=Role.STAFF)
