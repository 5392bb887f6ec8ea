"""Technicians' contacts and duty: who is told about new support cases, and how."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.errors import InvalidRequest, NotFound
from db.repositories.audit import record
from db.tables import ApiKey, Technician
from domain.case_results import TechnicianPublic
from domain.cases import NotifyChannel
from domain.enums import Role


def public(row: Technician) -> TechnicianPublic:
    """The public view of a technician."""
    return TechnicianPublic(
        key_prefix=row.key_prefix,
        name=row.name,
        phone=row.phone,
        email=row.email,
        notify_channel=NotifyChannel(row.notify_channel),
        on_duty=row.on_duty,
    )


def save_technician(
    session: Session,
    *,
    key_prefix: str,
    phone: str | None,
    email: str | None,
    notify_channel: NotifyChannel,
    on_duty: bool,
    actor: str,
) -> TechnicianPublic:
    """Create or update the contact of the technician behind an API key.

    Raises:
        NotFound: no technician API key with that prefix (``field: key_prefix``).
        InvalidRequest: the chosen channel has no address (``field: phone`` or ``email``).
    """
    key = session.exec(select(ApiKey).where(ApiKey.prefix == key_prefix)).first()
    if key is None or key.role != Role.TECHNICIAN.value or key.revoked_at is not None:
        raise NotFound(f"no technician API key with prefix '{key_prefix}'", field="key_prefix")
    if notify_channel == NotifyChannel.WHATSAPP and not phone:
        raise InvalidRequest("WhatsApp notices need a phone (E.164)", field="phone")
    if notify_channel == NotifyChannel.EMAIL and not email:
        raise InvalidRequest("e-mail notices need an e-mail address", field="email")
    row = session.exec(select(Technician).where(Technician.key_prefix == key_prefix)).first()
    if row is None:
        row = Technician(key_prefix=key_prefix, name=key.name)
    row.name, row.phone, row.email = key.name, phone, email
    row.notify_channel, row.on_duty = notify_channel.value, on_duty
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="save",
        entity="technician",
        entity_id=key_prefix,
        on_duty=on_duty,
        notify_channel=notify_channel.value,
    )
    return public(row)


def set_on_duty(
    session: Session, key_prefix: str, on_duty: bool, *, actor: str
) -> TechnicianPublic:
    """Start or end a technician's duty.

    Raises:
        NotFound: no technician contact with that prefix (``field: key_prefix``).
    """
    row = session.exec(select(Technician).where(Technician.key_prefix == key_prefix)).first()
    if row is None:
        raise NotFound(f"no technician contact for key '{key_prefix}'", field="key_prefix")
    if row.on_duty != on_duty:
        row.on_duty = on_duty
        session.add(row)
        record(session, actor=actor, action="duty", entity="technician", entity_id=key_prefix,
               on_duty=on_duty)  # fmt: skip
    return public(row)


def list_technicians(session: Session) -> list[TechnicianPublic]:
    """Every technician contact, on duty first."""
    rows = session.exec(
        select(Technician).order_by(col(Technician.on_duty).desc(), col(Technician.name))
    ).all()
    return [public(r) for r in rows]
