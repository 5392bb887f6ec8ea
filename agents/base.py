"""What an agent is (name, description, tools, prompt) and the tool loop every agent runs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable

from adapters.llm.retry import invoke_with_retry
from domain.dialogue import (
    COMMANDS_METADATA_KEY,
    DIALOGUE_METADATA_KEY,
    TURN_CONTEXT_KEY,
    AgentName,
    DialogueState,
    PersonaRole,
    TurnContext,
)
from prompts import load_prompt
from tools.base import ToolContext, ToolSpec, run_tool

log = logging.getLogger(__name__)
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


def transcript(messages: Sequence[BaseMessage]) -> list[str]:
    """Customer and assistant lines of a conversation (for hand-off summaries)."""
    lines = []
    for m in messages:
        if isinstance(m, HumanMessage):
            lines.append(f"Cliente: {m.content}")
        elif isinstance(m, AIMessage) and m.content and not m.tool_calls:
            lines.append(f"TopLlantas: {m.content}")
    return lines


def describe_state(dialogue: DialogueState) -> str:
    """The dialogue state in a few Spanish lines, for hosted LLMs (the offline model reads the
    typed object instead)."""
    s = dialogue.slots
    facts = [f"tarea: {dialogue.task.value}", f"esperando: {dialogue.awaiting.value}"]
    v = s.vehicle
    if v.model:
        vehicle = " ".join(str(x) for x in (v.make, v.model, v.year, v.trim) if x)
        facts.append(f"vehículo: {vehicle}")
    for label, value in (
        ("medida", s.size),
        ("marca preferida", s.brand),
        ("terreno", s.terrain.value if s.terrain else None),
        ("cantidad", s.quantity),
        ("llanta elegida (SKU)", s.chosen_sku),
        ("apartado abierto (folio)", s.folio),
        ("pedido consultado", s.order_folio),
        ("entrega", s.fulfillment.mode.value if s.fulfillment.mode else None),
    ):
        if value:
            facts.append(f"{label}: {value}")
    if s.offers:
        offered = "; ".join(f"{o.key.value}={o.brand} {o.line} ({o.sku})" for o in s.offers)
        facts.append(f"opciones mostradas: {offered}")
    if s.delivery.offers:
        facts.append(f"horarios de entrega ofrecidos (día:horario): {', '.join(s.delivery.offers)}")
    if s.delivery.previous:
        facts.append(f"horario de entrega antes de moverla: {s.delivery.previous}")
    return "\n".join(f"- {f}" for f in facts)


def context_message(prompt: str, ctx: ToolContext, agent: str, **variables: str) -> SystemMessage:
    """The system message of one model call: the prompt for LLMs, and the typed turn context
    (role, agent, dialogue state) for any model that reads it. Identity comes from ``ctx``."""
    context = TurnContext(
        role=PersonaRole(ctx.role),
        agent=AgentName(agent),
        channel=ctx.channel,
        customer_id=ctx.effective_customer_id,
        dialogue=ctx.dialogue,
    )
    text = load_prompt(prompt, role=ctx.role, estado=describe_state(ctx.dialogue), **variables)
    return SystemMessage(
        content=text, additional_kwargs={TURN_CONTEXT_KEY: context.model_dump(mode="json")}
    )


def absorb_report(reply: AIMessage, ctx: ToolContext) -> None:
    """Take the dialogue state a model reports it acted on (the offline model does; hosted LLMs
    do not, and the tools keep the state for them), and log the commands it read."""
    reported = reply.response_metadata.get(DIALOGUE_METADATA_KEY)
    if isinstance(reported, dict):
        ctx.dialogue = DialogueState.load(reported)
    commands = reply.response_metadata.get(COMMANDS_METADATA_KEY)
    if commands and log.isEnabledFor(logging.DEBUG):
        log.debug("session %s %s commands: %s", ctx.session_id, ctx.current_agent, commands)


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
    """Run the bound model until it answers in text; returns the new messages.

    ``ctx.dialogue`` is the conversation's state: every model call sees it as it is at that
    moment (tools change it as they run), and it holds the final state when this returns.
    """
    ctx.current_agent = spec.name
    context = recent(history)
    new: list[BaseMessage] = []
    for _ in range(MAX_STEPS):
        system = context_message(spec.prompt, ctx, spec.name)
        reply = invoke_with_retry(bound, [system, *context, *new], attempts=attempts)
        reply.name = spec.name
        absorb_report(reply, ctx)
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
