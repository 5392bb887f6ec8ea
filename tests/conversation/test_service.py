"""ChatService: every outcome ends with one message event; a failed CRM log never eats a reply."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.engine import Engine
from sqlmodel import select

import conversation.service as service_module
from conversation.service import ChatService, load_nlu
from core.settings import Settings
from db.engine import session_scope
from db.repositories.chat import start_session
from db.tables import ChatSession, Interaction
from domain.messages import LONG_REPLY, TROUBLE_REPLY

SAID = "¡Hola! ¿Para qué auto buscas llantas?"


@pytest.fixture
def service(settings: Settings, engine: Engine) -> ChatService:
    return ChatService(settings, engine, InMemorySaver(), load_nlu(settings, engine))


@pytest.fixture
def chat(engine: Engine) -> ChatSession:
    with session_scope(engine, write=True) as session:
        return start_session(
            session, owner="test", role="customer", channel="web", customer_id=None
        )


def answering(payload: dict[str, Any], *_: Any, **__: Any) -> dict[str, Any]:
    return {"messages": [*payload["messages"], AIMessage(SAID)], "last_agent": "sales"}


def run(service: ChatService, chat: ChatSession, text: str) -> tuple[str, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    return service.run_turn(chat, text, on_event=events.append).reply, events


def test_a_reply_ends_with_its_message_event(
    service: ChatService, chat: ChatSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.graph, "invoke", answering)
    reply, events = run(service, chat, "hola")
    assert reply == SAID and events[-1] == {"event": "message", "agent": "sales", "reply": SAID}


def test_a_screened_message_ends_with_its_message_event(
    service: ChatService, chat: ChatSession
) -> None:
    reply, events = run(service, chat, "llanta " * 1000)
    assert reply == LONG_REPLY and [e["event"] for e in events] == ["message"]


def test_a_failed_graph_gives_the_calm_reply_as_the_message(
    service: ChatService, chat: ChatSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the model fell over")

    monkeypatch.setattr(service.graph, "invoke", broken)
    reply, events = run(service, chat, "hola")
    assert reply == TROUBLE_REPLY and events[-1]["reply"] == TROUBLE_REPLY


def test_a_failed_crm_log_still_sends_the_reply(
    service: ChatService, chat: ChatSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def log_down(*_: Any, **__: Any) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(service.graph, "invoke", answering)
    monkeypatch.setattr(service_module, "log_turn", log_down)
    reply, events = run(service, chat, "hola")
    assert reply == SAID and events[-1]["reply"] == SAID


def test_a_turn_is_logged_when_it_ends_and_its_pending_state_cleared(
    service: ChatService, chat: ChatSession, engine: Engine
) -> None:
    """On PostgreSQL the turn's own reads and closing write ride on the transaction that holds
    the conversation's lock (no transaction of their own); either way they are committed by the
    time the reply is out."""
    with session_scope(engine, write=True) as session:  # as a write tool leaves it
        row = session.get(ChatSession, chat.id)
        assert row is not None
        row.dialogue = {"turns": 0}
    begun: list[object] = []

    def note(conn: object) -> None:
        begun.append(conn)

    sa.event.listen(engine, "begin", note)
    try:
        reply, _ = run(service, chat, "busco llantas para un jetta 2020")
    finally:
        sa.event.remove(engine, "begin", note)
    assert reply and reply != TROUBLE_REPLY
    with session_scope(engine) as session:
        row = session.get(ChatSession, chat.id)
        assert row is not None and row.turns == 1 and row.dialogue is None
        logged = session.exec(select(Interaction).where(Interaction.session_id == chat.id)).all()
        assert [i.channel for i in logged] == ["web"]
    if engine.dialect.name == "postgresql":  # only the tools' own transactions (a fitment read)
        assert len(begun) <= 2, begun
