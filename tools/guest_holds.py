"""Bounds on what an anonymous web conversation may hold: a short hold until the deposit is
paid, a cap on tires, one open reservation per conversation, a cap per IP across them.

Identity and address come from the conversation row the server wrote (owner, client_ip),
never from the model's arguments. Holds are read through the store of record (``tx.erp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from db.repositories.chat import ANONYMOUS_OWNER
from db.repositories.guest_holds import guests_from_ip, lock_guest_ip, open_holds_from_ip
from db.tables import ChatSession
from domain.clock import as_utc, utcnow
from domain.enums import OrderStatus
from domain.sales import OrderPublic
from tools.base import ToolContext, ToolRefused, ToolTx
from tools.identity import Speaker
from tools.messages import too_many_holds, too_many_units


@dataclass(frozen=True)
class GuestRules:
    """The settings' bounds for one anonymous conversation."""

    hold_hours: int
    max_units: int
    open_per_ip: int
    client_ip: str | None


def guest_rules(tx: ToolTx, ctx: ToolContext) -> GuestRules | None:
    """The bounds when this is a keyless web conversation; None for everyone else (WhatsApp
    numbers, keys, evaluator personas)."""
    if ctx.role != "customer":
        return None
    chat = tx.session.get(ChatSession, ctx.session_id)
    if chat is None or chat.owner != ANONYMOUS_OWNER:
        return None
    limits = ctx.settings.abuse
    return GuestRules(
        hold_hours=limits.guest_hold_hours,
        max_units=limits.guest_max_units,
        open_per_ip=limits.guest_open_holds_per_ip,
        client_ip=chat.client_ip,
    )


def check_units(rules: GuestRules | None, quantity: int) -> None:
    """Refuse a hold of more tires than an anonymous conversation may have."""
    if rules is not None and quantity > rules.max_units:
        raise ToolRefused(too_many_units(rules.max_units))


def _open_holds(tx: ToolTx, customer_erp_id: int) -> list[OrderPublic]:
    now = utcnow()
    return [
        order
        for order in tx.erp.list_orders(
            customer_id=customer_erp_id, statuses=[OrderStatus.RESERVED], limit=20
        )
        if order.held_until is not None and as_utc(order.held_until) > now
    ]


def open_guest_hold(tx: ToolTx, who: Speaker) -> OrderPublic | None:
    """The conversation's guest's unpaid hold, found in the store even when the dialogue lost
    its folio: an anonymous conversation changes that one instead of making a second."""
    holds = _open_holds(tx, who.erp_id)
    return holds[0] if holds else None


def check_ip(tx: ToolTx, ctx: ToolContext, rules: GuestRules) -> None:
    """Refuse a new hold when the conversation's IP already has ``open_per_ip`` unpaid
    anonymous holds in its other conversations. With the SQL store, one query under a lock
    per address that lasts until the new order commits; with a remote ERP, its orders are
    asked guest by guest (no lock spans the remote call)."""
    if rules.client_ip is None:
        return
    now = utcnow()
    since = now - timedelta(hours=rules.hold_hours + 1)
    if tx.erp.shares_database:
        lock_guest_ip(tx.session, rules.client_ip)
        held = open_holds_from_ip(
            tx.session, rules.client_ip, active_since=since, excluding=ctx.session_id, now=now
        )
        if held >= rules.open_per_ip:
            raise ToolRefused(too_many_holds(rules.hold_hours))
        return
    open_holds = 0
    for guest in guests_from_ip(tx.session, rules.client_ip, active_since=since,
                                excluding=ctx.session_id):  # fmt: skip
        if guest.erp_customer_id is not None:
            open_holds += len(_open_holds(tx, guest.erp_customer_id))
        if open_holds >= rules.open_per_ip:
            raise ToolRefused(too_many_holds(rules.hold_hours))
