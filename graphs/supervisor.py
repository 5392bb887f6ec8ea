"""build_graph(): a supervisor that hands the conversation to one of four agents (plain LangGraph)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel

from adapters.llm.retry import invoke_with_retry
from agents import AGENTS, AgentSpec
from agents.base import (
    absorb_report,
    bind_agent_tools,
    context_message,
    recent,
    run_agent,
    transcript,
)
from domain.dialogue import AgentName, DialogueState
from graphs.state import State
from tools.base import ToolContext

ModelFor = Callable[[str], BaseChatModel]  # "supervisor" or an agent name -> its chat model
SUPERVISOR = "supervisor"


class _NoArgs(BaseModel):
    """No arguments."""


def handoff_tool(agent: AgentSpec) -> BaseTool:
    """``transfer_to_<agent>``: the supervisor's way to give the conversation to an agent."""

    def unused() -> str:
        raise RuntimeError("handled by the supervisor node")

    return StructuredTool.from_function(
        func=unused,
        name=f"transfer_to_{agent.name}",
        description=agent.description,
        args_schema=_NoArgs,
    )


def build_graph(
    model_for: ModelFor,
    *,
    checkpointer: BaseCheckpointSaver[Any] | None,
    attempts: int = 3,
    agents: tuple[AgentSpec, ...] = AGENTS,
) -> CompiledStateGraph[State, ToolContext, State, State]:
    """Compile the supervisor graph; nothing is built or connected at import time."""
    names = [a.name for a in agents]
    if len(set(names)) != len(names) or SUPERVISOR in names:
        raise ValueError(f"agent names must be unique and not '{SUPERVISOR}': {names}")
    by_handoff = {f"transfer_to_{a.name}": a.name for a in agents}
    handoffs = [handoff_tool(a) for a in agents]
    supervisor_model = model_for(SUPERVISOR).bind_tools(handoffs)

    def supervisor(state: State, runtime: Runtime[ToolContext]) -> Command[str]:
        ctx = runtime.context
        ctx.dialogue = ctx.resume_dialogue(DialogueState.load(state.get("dialogue")))
        # The conversation so far, for a hand-off's summary (read from the state the graph
        # already loaded, not from a second checkpoint read).
        ctx.transcript = transcript(state["messages"])
        ctx.current_agent = SUPERVISOR
        system = context_message(
            "supervisor", ctx, SUPERVISOR, active_agent=state.get("active_agent") or "ninguno"
        )
        reply = invoke_with_retry(
            supervisor_model, [system, *recent(state["messages"])], attempts=attempts
        )
        reply.name = SUPERVISOR
        absorb_report(reply, ctx)
        call = next((c for c in reply.tool_calls if c["name"] in by_handoff), None)
        if call is None:
            text = AIMessage(
                content=reply.content or "¿En qué te puedo ayudar con tus llantas?", name=SUPERVISOR
            )
            return Command(
                goto=END,
                update={
                    "messages": [text],
                    "last_agent": SUPERVISOR,
                    "dialogue": ctx.dialogue.dump(),
                },
            )
        target = by_handoff[call["name"]]
        ctx.dialogue.agent = AgentName(target)
        ctx.emit({"tool": call["name"], "args": {}, "ok": True, "to": target})
        note = ToolMessage(
            content=f"Conversación transferida a {target}.",
            tool_call_id=call["id"] or "",
            name=call["name"],
        )
        handoff = AIMessage(content="", tool_calls=[call], name=SUPERVISOR)
        return Command(
            goto=target,
            update={
                "messages": [handoff, note],
                "active_agent": target,
                "dialogue": ctx.dialogue.dump(),
            },
        )

    builder: StateGraph[State, ToolContext, State, State] = StateGraph(
        State, context_schema=ToolContext
    )
    builder.add_node(SUPERVISOR, supervisor, destinations=(*names, END))
    for agent in agents:
        builder.add_node(agent.name, _agent_node(agent, model_for(agent.name), attempts))  # type: ignore[call-overload]
        builder.add_edge(agent.name, END)
    builder.add_edge(START, SUPERVISOR)
    return builder.compile(checkpointer=checkpointer)


def _agent_node(
    spec: AgentSpec, model: BaseChatModel, attempts: int
) -> Callable[[State, Runtime[ToolContext]], dict[str, Any]]:
    bound = bind_agent_tools(spec, model)

    def node(state: State, runtime: Runtime[ToolContext]) -> dict[str, Any]:
        ctx = runtime.context
        ctx.dialogue = DialogueState.load(state.get("dialogue"))
        new = run_agent(spec, bound, state["messages"], ctx, attempts=attempts)
        return {
            "messages": new,
            "last_agent": spec.name,
            "active_agent": spec.name,
            "dialogue": ctx.dialogue.dump(),
        }

    node.__name__ = spec.name
    return node
