"""Build the chat model the agents talk to, from ``Settings.llm``.

Two brains behind one interface (a LangChain ``BaseChatModel`` with tool calling):

* ``offline``: our own Spanish model, handed in as a zero-argument factory;
* ``openai`` / ``azure`` / ``openai_compatible``: hosted or local LLMs through
  ``langchain-openai`` (OpenAI, Azure OpenAI, or any server speaking OpenAI's Chat
  Completions wire format: Ollama, vLLM, llama.cpp, LM Studio...).

Construction never touches the network. The SDK's own retries are switched off
(``max_retries=0``): ``adapters.llm.retry`` retries with our policy and error mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from pydantic import SecretStr

from core.errors import InvalidRequest
from core.settings import LlmSettings

Role = Literal["supervisor", "agent"]

#: Local OpenAI-compatible servers ignore the key, but the SDK insists on one.
LOCAL_API_KEY = "not-needed"

_ENV = "TOPLLANTAS_LLM__"


def model_name(settings: LlmSettings, role: Role) -> str:
    """The model for ``role``: ``supervisor_model``/``agent_model`` override ``model``."""
    override = settings.supervisor_model if role == "supervisor" else settings.agent_model
    return override or settings.model


def build_chat_model(
    settings: LlmSettings, role: Role, *, offline: Callable[[], BaseChatModel]
) -> BaseChatModel:
    """The chat model ``role`` uses under ``settings.provider``.

    Raises ``InvalidRequest`` (``field`` names the environment variable to set) when the
    provider's required settings are missing.
    """
    if settings.provider == "offline":
        return offline()
    name = model_name(settings, role)
    if settings.provider == "openai":
        return ChatOpenAI(
            model=name,
            api_key=_required_key(settings),
            base_url=settings.base_url or None,  # optional proxy or gateway in front of OpenAI
            timeout=settings.timeout_seconds,
            max_retries=0,
            temperature=settings.temperature,
        )
    if settings.provider == "openai_compatible":
        if not settings.base_url:
            raise InvalidRequest(
                "provider 'openai_compatible' needs the server's base URL, "
                "e.g. http://localhost:11434/v1",
                field=f"{_ENV}BASE_URL",
            )
        return ChatOpenAI(
            model=name,
            api_key=settings.api_key or SecretStr(LOCAL_API_KEY),
            base_url=settings.base_url,
            timeout=settings.timeout_seconds,
            max_retries=0,
            temperature=settings.temperature,
            # Local servers implement Chat Completions, not OpenAI's Responses API.
            use_responses_api=False,
        )
    if settings.provider == "azure":
        api_key = _required_key(settings)
        if not settings.azure_endpoint:
            raise InvalidRequest(
                "provider 'azure' needs the resource endpoint, "
                "e.g. https://my-resource.openai.azure.com",
                field=f"{_ENV}AZURE_ENDPOINT",
            )
        if not settings.azure_deployment:
            raise InvalidRequest(
                "provider 'azure' needs the name of the model deployment",
                field=f"{_ENV}AZURE_DEPLOYMENT",
            )
        return AzureChatOpenAI(
            model=name,  # Azure routes by deployment; the name is kept for tracing
            azure_endpoint=settings.azure_endpoint,
            azure_deployment=settings.azure_deployment,
            api_version=settings.api_version,
            api_key=api_key,
            timeout=settings.timeout_seconds,
            max_retries=0,
            temperature=settings.temperature,
        )
    raise InvalidRequest(  # pragma: no cover - the settings type admits no other value
        f"unknown LLM provider '{settings.provider}'", field=f"{_ENV}PROVIDER"
    )


def _required_key(settings: LlmSettings) -> SecretStr:
    key = settings.api_key
    if key is None or not key.get_secret_value().strip():
        raise InvalidRequest(
            f"provider '{settings.provider}' needs an API key", field=f"{_ENV}API_KEY"
        )
    return key
