"""A turn cut short after a write (no checkpoint came) and run again never writes twice."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conversation.service import ChatService, load_nlu
from core.settings import Settings
from db.engine import session_scope
from db.repositories.chat import start_session
from db.repositories.crm import customer_by_phone
from db.tables import ChatSession, Order, Reservation
from domain.messages import TROUBLE_REPLY
from tools.base import ToolContext

JETTA_1 = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"
JETTA_2 = "Me interesa la Continental, ¿mañana las puedo recoger?"


class Crash(RuntimeError):
    """The process dies right after the reservation committed."""


def reserved(engine: Engine, customer_id: int) -> tuple[set[str], int]:
    with Session(engine) as s:
        orders = s.exec(
            select(Order).where(Order.customer_id == customer_id, Order.status == "reserved")
        ).all()
        held = s.exec(
            select(sa.func.count())
            .select_from(Reservation)
            .where(
                Reservation.status == "active",
                sa.and_(Reservation.order_id.in_([o.id for o in orders])),  # type: ignore[union-attr]
            )
        ).one()
    return {o.folio or "" for o in orders}, held


def test_a_reservation_turn_cut_short_and_run_again_keeps_one_order(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ChatService(settings, engine, InMemorySaver(), load_nlu(settings, engine))
    with session_scope(engine, write=True) as session:
        customer = customer_by_phone(session, "+5215590000111", name="Ana Ruiz", actor="test")
        assert customer.id is not None
        customer_id = customer.id
        chat = start_session(
            session, owner="wa:+5215590000111", role="customer", channel="whatsapp",
            customer_id=customer_id,
        )  # fmt: skip
    assert "Jetta 2020" in service.run_turn(chat, JETTA_1).reply

    emit = ToolContext.emit

    def dies_after_the_reservation(self: ToolContext, event: dict[str, Any]) -> None:
        emit(self, event)
        if event.get("tool") == "create_reservation" and event.get("ok"):
            raise Crash  # the turn's checkpoint is never written

    monkeypatch.setattr(ToolContext, "emit", dies_after_the_reservation)
    assert service.run_turn(chat, JETTA_2).reply == TROUBLE_REPLY
    folios, held = reserved(engine, customer_id)
    assert len(folios) == 1 and held == 1  # the write committed, the checkpoint did not
    with Session(engine) as s:
        row = s.get(ChatSession, chat.id)
        assert row is not None and row.dialogue is not None
        assert row.dialogue["slots"]["folio"] in folios

    monkeypatch.setattr(ToolContext, "emit", emit)
    again = service.run_turn(chat, JETTA_2).reply  # the same message, run again
    assert next(iter(folios)) in again, again
    assert reserved(engine, customer_id) == (folios, 1)  # no twin order, no extra hold
    # The next turn starts from its own checkpoint, not from the stale committed state.
    service.run_turn(chat, "gracias")
    assert reserved(engine, customer_id) == (folios, 1)
