"""OfflineChatModel: our deterministic Spanish brain behind LangChain's chat-model protocol."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from adapters.llm.offline.brain import OfflineBrain


class OfflineChatModel(BaseChatModel):
    """Messages in, an ``AIMessage`` with ``tool_calls`` or Spanish text out; no network.

    One instance per role (the supervisor or an agent) shares one brain (NLU and policies).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    agent: str
    brain: OfflineBrain

    @property
    def _llm_type(self) -> str:
        return "topllantas-offline"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Remember which tools this role may call (the policy only emits those)."""
        # Only the names matter here; converting every schema cost more than the whole policy.
        names = [
            t.name if isinstance(t, BaseTool) else convert_to_openai_tool(t)["function"]["name"]
            for t in tools
        ]
        return self.bind(tool_names=names, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        tool_names = frozenset(kwargs.get("tool_names", ()))
        message = self.brain.respond(self.agent, messages, tool_names)
        return ChatResult(generations=[ChatGeneration(message=message)])
