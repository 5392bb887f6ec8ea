"""A full sales conversation on an LLM brain: langchain-openai over real HTTP to a fake OpenAI."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.app import create_app
from core.settings import LlmSettings, Settings
from db.tables import Order, OrderLine, Product
from tests.fakes.openai_server import ScriptedOpenAI
from tests.live_server import live_server


def _json(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:  # e.g. the supervisor's "Conversación transferida a sales."
        return None
    return value if isinstance(value, dict) else None


def scripted_llm(body: dict[str, Any]) -> dict[str, Any]:
    """A tiny, honest stand-in for an LLM: it reads the request like a model would."""
    tools = {t["function"]["name"] for t in body.get("tools", [])}
    messages = body["messages"]
    last = messages[-1]
    user = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    if "transfer_to_sales" in tools:
        return {"tool_calls": [{"name": "transfer_to_sales", "arguments": {}}]}
    result = _json(last["content"]) if last["role"] == "tool" else None
    if result is not None:
        if "order" in result:  # ReservationResult
            order = result["order"]
            return {
                "content": f"Listo, apartadas. Folio {order['folio']}. "
                f"Paga aquí: {order['payment']['url']}"
            }
        option = result["options"][0]  # TireOptions: recommended first
        assert option["key"] == "recommended"
        return {
            "content": f"Para tu Jetta: {option['brand']} {option['line']} a "
            f"${option['unit_price_cents'] // 100} c/u."
        }
    if "Jetta" in user:
        return {
            "tool_calls": [
                {
                    "name": "find_tires_for_vehicle",
                    "arguments": {
                        "make": "Volkswagen",
                        "model": "Jetta",
                        "year": 2020,
                        "trim": "Comfortline",
                        "quantity": 4,
                    },
                }
            ]
        }
    offered = next(
        _json(m["content"])
        for m in reversed(messages)
        if m["role"] == "tool" and '"options"' in m["content"]
    )
    assert offered is not None
    sku = offered["options"][0]["sku"]
    return {
        "tool_calls": [{"name": "create_reservation", "arguments": {"sku": sku, "quantity": 4}}]
    }


def test_a_sales_conversation_runs_on_an_openai_compatible_endpoint(
    settings: Settings, engine: Engine
) -> None:
    fake = ScriptedOpenAI(api_key="sk-local").respond(scripted_llm)
    with live_server(fake.app) as url:
        llm = LlmSettings(
            provider="openai_compatible",
            base_url=f"{url}/v1",
            api_key=SecretStr("sk-local"),
            model="qwen2.5-7b-instruct",
            max_retries=2,
        )
        with TestClient(
            create_app(settings.model_copy(update={"llm": llm}), engine=engine)
        ) as client:
            first = client.post(
                "/v1/chat", json={"message": "Hola, necesito 4 llantas para Jetta 2020"}
            ).json()
            assert first["agent"] == "sales" and "c/u" in first["reply"]
            second = client.post(
                "/v1/chat", json={"session_id": first["session_id"], "message": "sí, apártalas"}
            ).json()
    folio = re.search(r"TL-\d{6}", second["reply"])
    assert folio and "/pay/" in second["reply"], second
    with Session(engine) as s:
        order = s.exec(select(Order).where(Order.folio == folio[0])).one()
        assert order.status == "reserved"
        line, product = s.exec(
            select(OrderLine, Product)
            .join(Product, col(Product.id) == OrderLine.product_id)
            .where(OrderLine.order_id == order.id)
        ).one()
        assert line.quantity == 4 and product.size == "205/55R16"  # the Comfortline's size
    chat = [r.body for r in fake.chat_requests]
    assert all(b["model"] == "qwen2.5-7b-instruct" for b in chat)  # type: ignore[index]
    assert any(m.get("role") == "tool" for b in chat for m in b["messages"])  # type: ignore[index]
    sales_tools = next(
        b
        for b in chat
        if any(t["function"]["name"] == "create_reservation" for t in b.get("tools", []))
    )  # type: ignore[union-attr]
    schema = next(t for t in sales_tools["tools"] if t["function"]["name"] == "create_reservation")  # type: ignore[index]
    assert "customer_id" not in json.dumps(schema)  # identity never travels through the model
