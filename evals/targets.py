"""Where the agents under test run: in this process (ChatService) or behind /v1/chat over HTTP."""

from __future__ import annotations

import time
from typing import Any, Protocol

import httpx
from langgraph.checkpoint.memory import InMemorySaver

from adapters.llm.offline.nlu import NLU
from conversation.case_replies import append_case_messages
from conversation.service import ChatService
from db.engine import session_scope
from db.repositories.chat import start_session
from evals.scoring import TurnRecord
from evals.world import World


class Conversation(Protocol):
    """One conversation with the agents."""

    sessions: list[str]

    def send(self, text: str) -> TurnRecord: ...


class InProcessConversation:
    """A conversation through ChatService on the task's own database copy."""

    def __init__(self, world: World, nlu: NLU) -> None:
        self.service = ChatService(world.settings, world.engine, InMemorySaver(), nlu)
        with session_scope(world.engine, write=True) as session:
            self.chat = start_session(
                session,
                owner=world.owner,
                role=world.role,
                channel="web",
                customer_id=world.customer_id,
            )
        self.sessions = [self.chat.id]

    def send(self, text: str) -> TurnRecord:
        started = time.perf_counter()
        result = self.service.run_turn(self.chat, text)
        if self.chat.role == "technician":  # as /v1/chat does: a case reply into its chat
            append_case_messages(self.service)
        return TurnRecord(
            user=text,
            reply=result.reply,
            agent=result.agent,
            trace=[dict(step) for step in result.trace],
            latency_ms=(time.perf_counter() - started) * 1000,
        )


class HttpError(RuntimeError):
    """The server answered a chat message with an error."""


class HttpConversation:
    """A conversation through ``POST /v1/chat`` as an evaluator key speaking ``as`` a persona."""

    def __init__(self, client: httpx.Client, world: World) -> None:
        self.client = client
        persona: dict[str, Any] = {"role": world.role}
        if world.phone:
            persona["phone"] = world.phone
        self.persona = persona
        self.session_id: str | None = None
        self.sessions: list[str] = []

    def send(self, text: str) -> TurnRecord:
        started = time.perf_counter()
        response = self.client.post(
            "/v1/chat", json={"session_id": self.session_id, "message": text, "as": self.persona}
        )
        latency = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise HttpError(f"POST /v1/chat answered {response.status_code}: {response.text[:500]}")
        body = response.json()
        if body.get("session_id") and body["session_id"] != self.session_id:
            self.session_id = body["session_id"]
            self.sessions.append(body["session_id"])
        if body.get("trace") is None:
            raise HttpError("no trace in the answer: use an evaluator (or admin) API key")
        return TurnRecord(
            user=text,
            reply=body["reply"],
            agent=body["agent"],
            trace=list(body["trace"]),
            latency_ms=latency,
        )
