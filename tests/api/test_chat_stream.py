"""/v1/chat/stream ends every outcome with one ``message`` event, then ``done``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage

from api.deps import container_of, get_chat_service
from conversation.service import ChatService
from domain.messages import BINARY_REPLY, EMPTY_REPLY, LONG_REPLY, TROUBLE_REPLY

STREAM = "/v1/chat/stream"


def events(client: TestClient, message: str) -> list[tuple[str, dict[str, Any]]]:
    """The stream's events as (name, data), in order."""
    r = client.post(STREAM, json={"message": message})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    out = []
    for block in r.text.strip().split("\n\n"):
        name, data = block.split("\n", 1)
        out.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return out


def service_of(client: TestClient) -> ChatService:
    app = client.app
    assert isinstance(app, FastAPI)
    return container_of(app).chat


def ending(stream: list[tuple[str, dict[str, Any]]]) -> tuple[str, list[str]]:
    """The final message's reply and the names of the last two events."""
    messages = [data for name, data in stream if name == "message"]
    assert len(messages) == 1, stream
    return messages[0]["reply"], [name for name, _ in stream[-2:]]


def test_an_empty_message_gets_a_message_then_done_and_no_session(client: TestClient) -> None:
    stream = events(client, "   ")
    assert ending(stream) == (EMPTY_REPLY, ["message", "done"])
    assert stream[-1][1] == {"session_id": None}


@pytest.mark.parametrize(
    ("text", "reply"), [("llanta " * 1000, LONG_REPLY), ("\x00\x01\x02 hola", BINARY_REPLY)]
)
def test_a_screened_message_gets_its_reply_then_done(
    client: TestClient, text: str, reply: str
) -> None:
    stream = events(client, text)
    assert ending(stream) == (reply, ["message", "done"])
    assert stream[-1][1]["session_id"]


def test_a_failed_turn_gets_the_calm_reply_then_done(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the model fell over")

    monkeypatch.setattr(service_of(client).graph, "invoke", broken)
    stream = events(client, "hola, ¿tienen llantas para Aveo 2018?")
    assert ending(stream) == (TROUBLE_REPLY, ["message", "done"])
    assert stream[-1][1]["session_id"]


def test_a_failure_outside_the_graph_still_ends_with_the_calm_reply(client: TestClient) -> None:
    class Broken:
        def run_turn(self, *_: Any, **__: Any) -> Any:
            raise RuntimeError("the CRM log is down")

    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[get_chat_service] = lambda: Broken()
    assert ending(events(client, "hola")) == (TROUBLE_REPLY, ["message", "done"])
    plain = client.post("/v1/chat", json={"message": "hola"})
    assert plain.status_code == 200 and plain.json()["reply"] == TROUBLE_REPLY


def test_a_reply_comes_as_the_final_message_then_done(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "¡Hola! ¿Para qué auto buscas llantas?"

    def answered(payload: dict[str, Any], *_: Any, **__: Any) -> dict[str, Any]:
        return {"messages": [*payload["messages"], AIMessage(said)], "last_agent": "sales"}

    monkeypatch.setattr(service_of(client).graph, "invoke", answered)
    stream = events(client, "hola")
    assert ending(stream) == (said, ["message", "done"])
    assert [data for name, data in stream if name == "message"][0]["agent"] == "sales"
