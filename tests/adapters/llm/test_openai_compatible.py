"""The hosted/local LLM path over real HTTP: ChatOpenAI / AzureChatOpenAI against a faithful
fake of OpenAI's Chat Completions API on loopback, plus our retry policy and the factory."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import SecretStr

from adapters.llm.factory import LOCAL_API_KEY, build_chat_model, model_name
from adapters.llm.retry import ainvoke_with_retry, invoke_with_retry
from core.errors import ExternalServiceError, InvalidRequest
from core.settings import LlmSettings
from tests.fakes.openai_server import ScriptedOpenAI
from tests.live_server import free_port, live_server

KEY = "sk-test-topllantas-0123456789"
QUICK = 0.01  # initial backoff in tests (seconds)
CAP = 0.05  # and its cap


@tool
def precio_llanta(medida: str, marca: str | None = None) -> str:
    """Precio de lista en MXN de una llanta por medida (p. ej. 205/55R16) y marca opcional."""
    return json.dumps({"medida": medida, "marca": marca, "precio": 1850.0})


def no_offline() -> BaseChatModel:
    raise AssertionError("the offline model must not be built for this provider")


@pytest.fixture
def fake() -> ScriptedOpenAI:
    return ScriptedOpenAI(api_key=KEY)


@pytest.fixture
def url(fake: ScriptedOpenAI) -> Iterator[str]:
    with live_server(fake.app) as base:
        yield base


def compatible(url: str, **overrides: Any) -> LlmSettings:
    values: dict[str, Any] = {
        "provider": "openai_compatible",
        "model": "llama3.1:8b",
        "base_url": f"{url}/v1",
        "api_key": SecretStr(KEY),
        "timeout_seconds": 5.0,
        **overrides,
    }
    return LlmSettings(**values)


def agent(settings: LlmSettings) -> BaseChatModel:
    return build_chat_model(settings, "agent", offline=no_offline)


# ---- replies and tool calling ------------------------------------------------------------


def test_text_reply_through_the_factory(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"content": "¡Hola! ¿Qué medida de llanta buscas?"})
    reply = agent(compatible(url, temperature=0.2)).invoke(
        [SystemMessage("Eres el asistente de TopLlantas."), HumanMessage("hola")]
    )
    assert isinstance(reply, AIMessage)
    assert reply.content == "¡Hola! ¿Qué medida de llanta buscas?"
    assert reply.usage_metadata is not None and reply.usage_metadata["total_tokens"] > 0
    [sent] = fake.requests
    assert (sent.method, sent.path, sent.status) == ("POST", "/v1/chat/completions", 200)
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["model"] == "llama3.1:8b"
    assert sent.body["temperature"] == 0.2
    assert not sent.body.get("stream")
    assert [m["role"] for m in sent.messages] == ["system", "user"]
    assert fake.remaining == 0


def test_tool_call_is_parsed_and_the_request_carried_the_schema(
    fake: ScriptedOpenAI, url: str
) -> None:
    fake.add(
        {
            "tool_calls": [
                {"name": "precio_llanta", "arguments": {"medida": "205/55R16", "marca": "Nexen"}}
            ]
        }
    )
    question = "¿cuánto cuesta la 205/55R16 Nexen en Querétaro?"
    reply = agent(compatible(url)).bind_tools([precio_llanta]).invoke([HumanMessage(question)])

    [call] = reply.tool_calls
    assert call["name"] == "precio_llanta"
    assert call["args"] == {"medida": "205/55R16", "marca": "Nexen"}
    assert call["id"] and call["id"].startswith("call_")
    assert reply.response_metadata["finish_reason"] == "tool_calls"

    body = fake.last_body
    [schema] = body["tools"]
    assert schema["type"] == "function"
    function = schema["function"]
    assert function["name"] == "precio_llanta"
    assert function["description"].startswith("Precio de lista en MXN")
    assert function["parameters"]["type"] == "object"
    assert set(function["parameters"]["properties"]) == {"medida", "marca"}
    assert function["parameters"]["required"] == ["medida"]
    # UTF-8 survived the trip: the server decoded exactly what the customer typed.
    assert body["messages"] == [{"role": "user", "content": question}]
    sent = fake.requests[-1]
    assert sent.headers["content-type"] == "application/json"
    assert question.encode("utf-8") in sent.raw_body


def test_tool_round_trip_ends_in_a_text_answer(fake: ScriptedOpenAI, url: str) -> None:
    fake.add(
        {"tool_calls": [{"name": "precio_llanta", "arguments": {"medida": "185/65R15"}}]},
        {"content": "La 185/65R15 cuesta $1,850 MXN."},
    )
    model = agent(compatible(url)).bind_tools([precio_llanta])
    history: list[Any] = [HumanMessage("¿cuánto cuesta la 185/65R15?")]
    first = model.invoke(history)
    assert isinstance(first, AIMessage)
    [call] = first.tool_calls
    result = precio_llanta.invoke(call["args"])
    history += [first, ToolMessage(result, tool_call_id=call["id"])]

    final = model.invoke(history)
    assert final.content == "La 185/65R15 cuesta $1,850 MXN."
    assert not final.tool_calls
    sent = fake.last_body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[1]["tool_calls"][0]["id"] == call["id"]
    assert json.loads(sent[1]["tool_calls"][0]["function"]["arguments"]) == call["args"]
    assert sent[2] == {"role": "tool", "content": result, "tool_call_id": call["id"]}
    assert [r.status for r in fake.requests] == [200, 200]


def test_unpaired_tool_calls_are_rejected_like_openai_does(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"content": "no debería llegar aquí"})
    model = agent(compatible(url)).bind_tools([precio_llanta])
    asked = AIMessage(
        "", tool_calls=[{"name": "precio_llanta", "args": {"medida": "x"}, "id": "call_1"}]
    )
    with pytest.raises(openai.BadRequestError) as missing:
        model.invoke([HumanMessage("hola"), asked, HumanMessage("¿y?")])
    assert "call_1" in missing.value.message and "tool_call_id" in missing.value.message
    with pytest.raises(openai.BadRequestError) as wrong_id:
        model.invoke([HumanMessage("hola"), asked, ToolMessage("1850", tool_call_id="call_2")])
    assert "call_2" in wrong_id.value.message
    assert fake.remaining == 1  # invalid requests never reach the script
    assert [r.status for r in fake.requests] == [400, 400]


def test_streaming_text_and_tool_calls(fake: ScriptedOpenAI, url: str) -> None:
    fake.add(
        {"content": "Tenemos tres opciones en Guadalajara."},
        {"tool_calls": [{"name": "precio_llanta", "arguments": {"medida": "195/60R15"}}]},
    )
    model = agent(compatible(url))
    chunks = list(model.stream([HumanMessage("¿qué tienen?")]))
    assert len(chunks) > 2
    assert "".join(str(c.content) for c in chunks) == "Tenemos tres opciones en Guadalajara."
    assert fake.last_body["stream"] is True

    merged: Any = None
    for chunk in model.bind_tools([precio_llanta]).stream([HumanMessage("precio 195/60R15")]):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    [call] = merged.tool_calls
    assert (call["name"], call["args"]) == ("precio_llanta", {"medida": "195/60R15"})


# ---- retries ------------------------------------------------------------------------------


def test_rate_limit_then_success(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"status": 429, "retry_after": 0}, {"content": "Listo."})
    reply = invoke_with_retry(
        agent(compatible(url)),
        [HumanMessage("hola")],
        attempts=3,
        initial_wait_s=QUICK,
        max_wait_s=CAP,
    )
    assert reply.content == "Listo."
    assert [r.status for r in fake.requests] == [429, 200]


def test_retry_after_is_honoured_and_capped(fake: ScriptedOpenAI, url: str) -> None:
    model = agent(compatible(url))
    fake.add({"status": 429, "retry_after_ms": 300}, {"content": "uno"})
    started = time.monotonic()
    assert invoke_with_retry(model, [HumanMessage("a")], attempts=2, initial_wait_s=0.001).content
    assert time.monotonic() - started >= 0.28  # waited what the server asked, not ~1 ms

    fake.add({"status": 429, "retry_after": 30}, {"content": "dos"})
    started = time.monotonic()
    reply = invoke_with_retry(model, [HumanMessage("b")], attempts=2, max_wait_s=0.1)
    assert reply.content == "dos"
    assert time.monotonic() - started < 1.0  # 30 s requested, capped at max_wait_s


def test_persistent_server_errors_give_up_with_external_service_error(
    fake: ScriptedOpenAI, url: str
) -> None:
    fake.add(*[{"status": 500}] * 3)
    with pytest.raises(ExternalServiceError) as err:
        invoke_with_retry(
            agent(compatible(url)),
            [HumanMessage("hola")],
            attempts=3,
            initial_wait_s=QUICK,
            max_wait_s=CAP,
        )
    assert err.value.message.startswith("el modelo no respondió tras 3 intentos")
    assert isinstance(err.value.__cause__, openai.InternalServerError)
    # Exactly `attempts` requests: the SDK's own retries are off (max_retries=0).
    assert [r.status for r in fake.requests] == [500, 500, 500]


def test_wrong_key_fails_at_once_without_retrying(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"content": "no"})
    model = agent(compatible(url, api_key=SecretStr("sk-wrong-key-123456")))
    with pytest.raises(openai.AuthenticationError) as err:
        invoke_with_retry(
            model, [HumanMessage("hola")], attempts=4, initial_wait_s=QUICK, max_wait_s=CAP
        )
    assert err.value.status_code == 401
    assert [r.status for r in fake.requests] == [401]
    assert fake.remaining == 1


def test_bad_request_is_not_retried(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"status": 400, "message": "bad"}, {"content": "no"})
    with pytest.raises(openai.BadRequestError):
        invoke_with_retry(
            agent(compatible(url)),
            [HumanMessage("hola")],
            attempts=4,
            initial_wait_s=QUICK,
            max_wait_s=CAP,
        )
    assert len(fake.requests) == 1


def test_timeout_is_retried(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"delay_s": 3}, {"content": "a tiempo"})
    model = agent(compatible(url, timeout_seconds=0.3))
    started = time.monotonic()
    reply = invoke_with_retry(
        model, [HumanMessage("hola")], attempts=2, initial_wait_s=QUICK, max_wait_s=CAP
    )
    assert reply.content == "a tiempo"
    assert time.monotonic() - started < 2.0
    deadline = time.monotonic() + 1
    while fake.requests[0].status != 499 and time.monotonic() < deadline:
        time.sleep(0.02)  # the fake notices the hang-up and drops the slow answer
    assert [r.status for r in fake.requests] == [499, 200]


def test_unreachable_server_gives_up_with_external_service_error() -> None:
    settings = LlmSettings(
        provider="openai_compatible", base_url=f"http://127.0.0.1:{free_port()}/v1"
    )
    with pytest.raises(ExternalServiceError) as err:
        invoke_with_retry(
            agent(settings),
            [HumanMessage("hola")],
            attempts=2,
            initial_wait_s=QUICK,
            max_wait_s=CAP,
        )
    assert isinstance(err.value.__cause__, openai.APIConnectionError)


def test_script_running_out_is_loud(fake: ScriptedOpenAI, url: str) -> None:
    with pytest.raises(openai.InternalServerError) as err:
        agent(compatible(url)).invoke([HumanMessage("¿hay alguien?")])
    assert "script ran out" in err.value.message


async def test_async_retry(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"status": 503}, {"content": "async listo"})
    reply = await ainvoke_with_retry(
        agent(compatible(url)),
        [HumanMessage("hola")],
        attempts=2,
        initial_wait_s=QUICK,
        max_wait_s=CAP,
    )
    assert reply.content == "async listo"
    assert [r.status for r in fake.requests] == [503, 200]
    fake.add(*[{"status": 429, "retry_after": 0}] * 2)
    with pytest.raises(ExternalServiceError):
        await ainvoke_with_retry(
            agent(compatible(url)),
            [HumanMessage("x")],
            attempts=2,
            initial_wait_s=QUICK,
            max_wait_s=CAP,
        )


def test_retry_works_with_the_offline_model_too() -> None:
    offline = FakeListChatModel(responses=["Hola, soy el modelo offline."])
    settings = LlmSettings(provider="offline")
    model = build_chat_model(settings, "supervisor", offline=lambda: offline)
    assert model is offline
    assert invoke_with_retry(model, [HumanMessage("hola")], attempts=1).text.startswith("Hola")


def test_respond_hook_scripts_by_content(fake: ScriptedOpenAI, url: str) -> None:
    def by_content(body: dict[str, Any]) -> dict[str, Any] | None:
        text = body["messages"][-1]["content"]
        return {"content": f"eco: {text}"} if "eco" in text else None

    fake.respond(by_content).add({"content": "del guion"})
    model = agent(compatible(url))
    assert model.invoke([HumanMessage("eco ñandú")]).content == "eco: eco ñandú"
    assert model.invoke([HumanMessage("otra cosa")]).content == "del guion"


# ---- providers and the factory ------------------------------------------------------------


def test_azure_route_with_api_key_header_and_api_version() -> None:
    fake = ScriptedOpenAI(api_key=KEY, azure_deployment="llantas-gpt4o")
    fake.add(
        {"content": "Hola desde Azure."},
        {"tool_calls": [{"name": "precio_llanta", "arguments": {"medida": "225/45R17"}}]},
    )
    with live_server(fake.app) as url:
        settings = LlmSettings(
            provider="azure",
            model="gpt-4o",
            azure_endpoint=url,
            azure_deployment="llantas-gpt4o",
            api_version="2024-10-21",
            api_key=SecretStr(KEY),
            timeout_seconds=5,
        )
        model = build_chat_model(settings, "agent", offline=no_offline)
        assert model.invoke([HumanMessage("hola")]).content == "Hola desde Azure."
        reply = model.bind_tools([precio_llanta]).invoke([HumanMessage("precio 225/45R17")])
        assert reply.tool_calls[0]["args"] == {"medida": "225/45R17"}

        wrong = settings.model_copy(update={"api_key": SecretStr("otra-llave")})
        with pytest.raises(openai.AuthenticationError):
            build_chat_model(wrong, "agent", offline=no_offline).invoke([HumanMessage("x")])

    first = fake.requests[0]
    assert first.path == "/openai/deployments/llantas-gpt4o/chat/completions"
    assert first.query["api-version"] == "2024-10-21"
    assert first.headers["api-key"] == KEY
    assert "authorization" not in first.headers
    assert [r.status for r in fake.requests] == [200, 200, 401]


def test_openai_provider_accepts_a_proxy_base_url(fake: ScriptedOpenAI, url: str) -> None:
    fake.add({"content": "ok"})
    settings = LlmSettings(provider="openai", api_key=SecretStr(KEY), base_url=f"{url}/v1")
    assert agent(settings).invoke([HumanMessage("hola")]).content == "ok"
    assert fake.last_body["model"] == "gpt-4o-mini"


def test_model_name_per_role(fake: ScriptedOpenAI, url: str) -> None:
    plain = LlmSettings(model="gpt-4o-mini")
    assert model_name(plain, "supervisor") == model_name(plain, "agent") == "gpt-4o-mini"
    split = LlmSettings(model="base", supervisor_model="qwen2.5:14b", agent_model="llama3.1:8b")
    assert model_name(split, "supervisor") == "qwen2.5:14b"
    assert model_name(split, "agent") == "llama3.1:8b"
    only_sup = LlmSettings(model="base", supervisor_model="grande")
    assert (model_name(only_sup, "supervisor"), model_name(only_sup, "agent")) == (
        "grande",
        "base",
    )

    fake.add({"content": "s"}, {"content": "a"})
    settings = compatible(url, supervisor_model="qwen2.5:14b", agent_model="llama3.1:8b")
    build_chat_model(settings, "supervisor", offline=no_offline).invoke([HumanMessage("1")])
    build_chat_model(settings, "agent", offline=no_offline).invoke([HumanMessage("2")])
    assert [r.body["model"] for r in fake.requests] == ["qwen2.5:14b", "llama3.1:8b"]


def test_local_server_needs_no_key() -> None:
    fake = ScriptedOpenAI([{"content": "sin llave"}], api_key=LOCAL_API_KEY)
    with live_server(fake.app) as url:
        settings = LlmSettings(provider="openai_compatible", base_url=f"{url}/v1")
        assert agent(settings).invoke([HumanMessage("hola")]).content == "sin llave"
    assert fake.requests[0].headers["authorization"] == f"Bearer {LOCAL_API_KEY}"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"provider": "openai_compatible"}, "TOPLLANTAS_LLM__BASE_URL"),
        ({"provider": "openai"}, "TOPLLANTAS_LLM__API_KEY"),
        ({"provider": "openai", "api_key": SecretStr("  ")}, "TOPLLANTAS_LLM__API_KEY"),
        (
            {"provider": "azure", "azure_endpoint": "https://x.openai.azure.com"},
            "TOPLLANTAS_LLM__API_KEY",
        ),
        (
            {"provider": "azure", "api_key": SecretStr(KEY), "azure_deployment": "d"},
            "TOPLLANTAS_LLM__AZURE_ENDPOINT",
        ),
        (
            {"provider": "azure", "api_key": SecretStr(KEY), "azure_endpoint": "https://x"},
            "TOPLLANTAS_LLM__AZURE_DEPLOYMENT",
        ),
    ],
)
def test_factory_names_the_missing_setting(values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        build_chat_model(LlmSettings(**values), "agent", offline=no_offline)
    assert err.value.field == field


def test_construction_needs_no_network() -> None:
    # No server anywhere: building every hosted flavour must not try to connect.
    for values in (
        {"provider": "openai", "api_key": SecretStr(KEY)},
        {"provider": "openai_compatible", "base_url": "http://127.0.0.1:9/v1"},
        {
            "provider": "azure",
            "api_key": SecretStr(KEY),
            "azure_endpoint": "https://x.openai.azure.com",
            "azure_deployment": "d",
        },
    ):
        model = build_chat_model(LlmSettings(**values), "agent", offline=no_offline)
        assert isinstance(model, BaseChatModel)


# ---- the fake itself speaks OpenAI's dialect ----------------------------------------------


def test_fake_validates_like_openai(fake: ScriptedOpenAI, url: str) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    ok_messages = [{"role": "user", "content": "hola"}]

    def post(body: dict[str, Any], auth: dict[str, str] | None = None) -> httpx.Response:
        return httpx.post(
            f"{url}/v1/chat/completions", json=body, headers=headers if auth is None else auth
        )

    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"messages": ok_messages}, 400, "model"),
        ({"model": "m"}, 400, "messages"),
        ({"model": "m", "messages": []}, 400, "empty array"),
        ({"model": "m", "messages": [{"role": "bot", "content": "x"}]}, 400, "'bot'"),
        ({"model": "m", "messages": [{"role": "user"}]}, 400, "content"),
        ({"model": "m", "messages": ok_messages, "foo": 1}, 400, "Unrecognized"),
        ({"model": "m", "messages": ok_messages, "tools": [{"type": "x"}]}, 400, "tools[0].type"),
        (
            {
                "model": "m",
                "messages": ok_messages,
                "tools": [{"type": "function", "function": {}}],
            },
            400,
            "function.name",
        ),
        ({"model": "m", "messages": ok_messages, "tool_choice": "auto"}, 400, "tool_choice"),
        (
            {"model": "m", "messages": [{"role": "tool", "content": "1", "tool_call_id": "c"}]},
            400,
            "preceeding",
        ),
    ]
    for body, status, needle in cases:
        response = post(body)
        assert response.status_code == status, body
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert error["type"] == "invalid_request_error"
        assert needle in error["message"] or needle in (error["param"] or ""), (needle, error)

    unauthorised = post({"model": "m", "messages": ok_messages}, auth={})
    assert unauthorised.status_code == 401 and "API key" in unauthorised.json()["error"]["message"]
    assert httpx.get(f"{url}/v1/models", headers=headers).json()["object"] == "list"
    assert fake.remaining == 0 and all(r.status in (200, 400, 401) for r in fake.requests)

    fake.add({"content": "¿Algo más?"})
    raw = post({"model": "m", "messages": ok_messages, "stream": True})
    assert raw.headers["content-type"].startswith("text/event-stream")
    lines = [line for line in raw.text.splitlines() if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "¿Algo más?"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
