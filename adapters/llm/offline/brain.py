"""The offline brain: reads the typed turn context, understands the message as commands, and
lets the agent's flow pick the next move on the dialogue state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from adapters.llm.offline.nlu import NLU, Analysis
from adapters.llm.offline.turn import Outcome, Turn, parse_outcome
from adapters.llm.offline.understand import understand
from domain.clock import mexico_now
from domain.dialogue import (
    COMMANDS_METADATA_KEY,
    DIALOGUE_METADATA_KEY,
    TURN_CONTEXT_KEY,
    AgentName,
    Command,
    PersonaRole,
    TurnContext,
)

Flow = Callable[[Turn], AIMessage]


def turn_context(messages: Sequence[BaseMessage], agent: str) -> TurnContext:
    """The typed context the graph put on the system message (a customer when absent)."""
    for message in messages:
        if isinstance(message, SystemMessage):
            data = message.additional_kwargs.get(TURN_CONTEXT_KEY)
            if isinstance(data, dict):
                return TurnContext.model_validate(data)
    return TurnContext(role=PersonaRole.CUSTOMER, agent=AgentName(agent))


def _outcomes(this_turn: Sequence[BaseMessage]) -> list[Outcome]:
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    outcomes: list[Outcome] = []
    for message in this_turn:
        if isinstance(message, AIMessage):
            for c in message.tool_calls:
                calls[c["id"] or ""] = (c["name"], dict(c["args"]))
        elif isinstance(message, ToolMessage) and message.tool_call_id in calls:
            name, args = calls[message.tool_call_id]
            if not name.startswith("transfer_to_"):
                outcomes.append(parse_outcome(name, args, str(message.content)))
    return outcomes


def _earlier_commands(this_turn: Sequence[BaseMessage]) -> list[Command] | None:
    """The commands this turn's first offline reply read (a turn is understood once)."""
    for message in this_turn:
        if isinstance(message, AIMessage):
            data = message.response_metadata.get(COMMANDS_METADATA_KEY)
            if isinstance(data, list):
                return [Command.model_validate(c) for c in data]
    return None


class OfflineBrain:
    """Shared by every offline role: one NLU, one flow per role."""

    def __init__(
        self,
        nlu: NLU,
        flows: Mapping[str, Flow],
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.nlu = nlu
        self.flows = dict(flows)
        self.clock = clock or mexico_now
        self._analyze = lru_cache(maxsize=1024)(self._analyze_uncached)

    def _analyze_uncached(self, text: str, day: str) -> Analysis:
        return self.nlu.analyze(text, now=self.clock())

    def analyze(self, text: str) -> Analysis:
        """NLU of a message (memoised per day: relative dates depend on it)."""
        return self._analyze(text, self.clock().date().isoformat())

    def respond(
        self, agent: str, messages: Sequence[BaseMessage], tool_names: frozenset[str]
    ) -> AIMessage:
        """The next message of ``agent``, with the dialogue state it leaves behind."""
        turn = self.turn(agent, messages, tool_names)
        reply = self.flows[agent](turn)
        reply.response_metadata = {
            DIALOGUE_METADATA_KEY: turn.state.dump(),
            COMMANDS_METADATA_KEY: [c.model_dump(mode="json") for c in turn.commands],
        }
        return reply

    def turn(self, agent: str, messages: Sequence[BaseMessage], tool_names: frozenset[str]) -> Turn:
        """Understand the last message against the dialogue state."""
        context = turn_context(messages, agent)
        history = [m for m in messages if not isinstance(m, SystemMessage)]
        humans = [i for i, m in enumerate(history) if isinstance(m, HumanMessage)]
        last = humans[-1] if humans else -1
        text = str(history[last].content) if humans else ""
        this_turn = history[last + 1 :] if humans else []
        analysis = self.analyze(text)
        earlier = [self.analyze(str(history[i].content)) for i in humans[:-1][-3:]]
        commands = _earlier_commands(this_turn)
        if commands is None:
            model = context.dialogue.slots.vehicle.model
            known = self.nlu.trims_of(model) if model else ()
            commands = understand(analysis, context.dialogue, context.role, earlier, trims=known)
        return Turn(
            analysis=analysis,
            context=context,
            commands=commands,
            outcomes=_outcomes(this_turn),
            tool_names=tool_names,
            now=self.clock(),
            earlier=earlier,
        )
