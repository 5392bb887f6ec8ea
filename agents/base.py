"""What an agent is (name, description, tools, prompt) and the tool loop every agent runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable

from adapters.llm.retry import invoke_with_retry
from prompts import load_prompt
from tools.base import ToolContext, ToolSpec, run_tool

MAX_STEPS = 5
HISTORY_MESSAGES = 40
FALLBACK = "Perdón, se me complicó esa consulta. ¿Me la repites con otras palabras?"


@dataclass(frozen=True)
class AgentSpec:
    """An agent of the supervisor graph."""

    name: str
    description: str
    tools: tuple[ToolSpec, ...]
    prompt: str

    def tool(self, name: str) -> ToolSpec | None:
        """The agent's tool with this name, if it has one."""
        return next((t for t in self.tools if t.name == name), None)


def recent(history: Sequence[BaseMessage], limit: int = HISTORY_MESSAGES) -> list[BaseMessage]:
    """The last messages, cut at a customer message so tool calls keep their results."""
    if len(history) <= limit:
        return list(history)
    tail = list(history[-limit:])
    for index, message in enumerate(tail):
        if isinstance(message, HumanMessage):
            return tail[index:]
    return tail


def bind_agent_tools(
    spec: AgentSpec, model: BaseChatModel
) -> Runnable[LanguageModelInput, AIMessage]:
    """The model with the agent's tools bound (done once per graph: binding builds schemas)."""
    return model.bind_tools([t.as_langchain_tool() for t in spec.tools])


def run_agent(
    spec: AgentSpec,
    bound: Runnable[LanguageModelInput, AIMessage],
    history: Sequence[BaseMessage],
    ctx: ToolContext,
    *,
    attempts: int,
) -> list[BaseMessage]:
    """Run the bound model until it answers in text; returns the new messages."""
    ctx.current_agent = spec.name
    system = SystemMessage(load_prompt(spec.prompt, role=ctx.role))
    context = recent(history)
    new: list[BaseMessage] = []
    for _ in range(MAX_STEPS):
        reply = invoke_with_retry(bound, [system, *context, *new], attempts=attempts)
        reply.name = spec.name
        new.append(reply)
        if not reply.tool_calls:
            return new
        for call in reply.tool_calls:
            tool = spec.tool(call["name"])
            if tool is None:
                content = f"Error: no existe la herramienta {call['name']}"
                ctx.emit({"tool": call["name"], "args": call["args"], "ok": False})
            else:
                content, _ = run_tool(tool, call["args"], ctx)
            new.append(
                ToolMessage(content=content, tool_call_id=call["id"] or "", name=call["name"])
            )
    new.append(AIMessage(content=FALLBACK, name=spec.name))
    return new
