"""The chat service starts with the app (typed container), never on a customer's first message."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import conversation.service as service_module
from api.app import create_app
from api.deps import container_of
from conversation.service import ChatService
from core.settings import Settings


def test_the_intent_model_is_ready_before_the_first_request(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = service_module.NLU

    def recording(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, "NLU", recording)
    app = create_app(settings, engine=engine)
    assert built == []  # nothing is built at import or in create_app
    with TestClient(app) as client:
        assert built == [1]  # the lifespan built it: the server accepts requests only now
        assert isinstance(container_of(app).chat, ChatService)
        r = client.post("/v1/chat", json={"message": "hola"})
        assert r.status_code == 200, r.text
        assert built == [1]  # the first customer did not wait for it


def test_one_chat_service_serves_every_request(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    service = container_of(app).chat
    first = client.post("/v1/chat", json={"message": "hola"})
    second = client.post("/v1/chat", json={"message": "hola otra vez"})
    assert first.status_code == second.status_code == 200
    assert container_of(app).chat is service
