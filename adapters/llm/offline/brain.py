"""The offline brain: reads the conversation, understands the last message, picks the next move."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from adapters.llm.offline.nlu import NLU, Analysis, Entities, VehicleMention

MEXICO = ZoneInfo("America/Mexico_City")
_ROLE = re.compile(r"\[rol: (\w+)\]")
_ACTIVE = re.compile(r"\[agente activo: (\w+)\]")


def say(text: str) -> AIMessage:
    """A text reply."""
    return AIMessage(content=text)


def call(name: str, **args: Any) -> AIMessage:
    """A single tool call."""
    clean = {k: v for k, v in args.items() if v is not None}
    return AIMessage(
        content="",
        tool_calls=[
            {
                "name": name,
                "args": clean,
                "id": f"call_{uuid.uuid4().hex[:16]}",
                "type": "tool_call",
            }
        ],
    )


@dataclass
class Turn:
    """What a policy sees: the last customer message understood, and the conversation so far."""

    analysis: Analysis
    history: list[BaseMessage]
    this_turn: list[BaseMessage]  # messages after the last customer message
    role: str
    active_agent: str | None
    tool_names: frozenset[str]
    earlier: list[Analysis] = field(
        default_factory=list
    )  # previous customer messages, oldest first

    @property
    def intent(self) -> str:
        """The intent of the last customer message."""
        return str(self.analysis.intent)

    @property
    def entities(self) -> Entities:
        """The entities of the last customer message."""
        return self.analysis.entities

    def can(self, tool: str) -> bool:
        """Whether this role was given the tool."""
        return tool in self.tool_names

    def pending_result(self) -> tuple[str, str] | None:
        """(tool name, content) when this turn's last message is a tool result to answer from."""
        if self.this_turn and isinstance(self.this_turn[-1], ToolMessage):
            message = self.this_turn[-1]
            if message.name and message.name in self.tool_names:
                return message.name, str(message.content)
        return None

    def last_result(self, *names: str) -> dict[str, Any] | None:
        """The latest successful result of one of these tools in the whole conversation."""
        for message in reversed(self.history):
            if isinstance(message, ToolMessage) and message.name in names:
                data = parse_result(str(message.content))
                if data is not None:
                    return data
        return None

    def last_reply(self) -> str:
        """Our latest text reply before this customer message."""
        before = self.history[: len(self.history) - len(self.this_turn) - 1]
        for message in reversed(before):
            if isinstance(message, AIMessage) and message.content and not message.tool_calls:
                return str(message.content)
        return ""

    def vehicle(self) -> VehicleMention | None:
        """Vehicle slots merged over the recent customer messages (latest wins)."""
        make = model = None
        year = None
        for analysis in [*self.earlier[-3:], self.analysis]:
            v = analysis.entities.vehicle
            if v is not None:
                if v.model and v.model != model:
                    make, year = None, None
                make, model, year = v.make or make, v.model or model, v.year or year
            elif analysis.entities.sizes:
                make = model = None
                year = None
        if model is None:
            return None
        if year is None:
            year = _bare_year(self.analysis.text)
        return VehicleMention(make=make, model=model, year=year)

    def recent(self, name: str) -> Any:
        """An entity from this message or, failing that, the latest earlier message that had it.

        Lets "mañana paso" or "a domicilio" said before the customer chose a tire still apply.
        """
        for analysis in [self.analysis, *reversed(self.earlier[-3:])]:
            value = getattr(analysis.entities, name)
            if value:
                return value
        return None

    def quantity(self, default: int = 4) -> int:
        """The quantity asked for in the recent messages."""
        for analysis in [self.analysis, *reversed(self.earlier[-3:])]:
            if analysis.entities.quantity:
                return int(analysis.entities.quantity)
        return default

    def size(self) -> str | None:
        """The tire size mentioned most recently."""
        for analysis in [self.analysis, *reversed(self.earlier[-3:])]:
            if analysis.entities.sizes:
                return str(analysis.entities.sizes[0])
            if analysis.entities.vehicle is not None:
                return None
        return None


def _bare_year(text: str) -> int | None:
    """A year given on its own, as the answer to "¿de qué año es?" ("2019", "es del 2019")."""
    match = re.fullmatch(
        r"\s*(?:(?:es|era|seria|sería)\s+)?(?:(?:un|una|el|del|de|modelo|año)\s+)*((?:19|20)\d\d)\s*[.!]?\s*",
        text.lower(),
    )
    return int(match[1]) if match else None


def parse_result(content: str) -> dict[str, Any] | None:
    """A tool's JSON result, or None for an ``Error: ...`` answer."""
    if content.startswith("Error:"):
        return None
    try:
        data = json.loads(content)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


Policy = Callable[[Turn], AIMessage]


class OfflineBrain:
    """Shared by every offline role: one NLU, one set of policies."""

    def __init__(
        self, nlu: NLU, policies: dict[str, Policy], *, clock: Callable[[], datetime] | None = None
    ):
        self.nlu = nlu
        self.policies = policies
        self.clock = clock or (lambda: datetime.now(MEXICO))
        self._analyze = lru_cache(maxsize=512)(self._analyze_uncached)

    def _analyze_uncached(self, text: str, day: str) -> Analysis:
        return self.nlu.analyze(text, now=self.clock())

    def analyze(self, text: str) -> Analysis:
        """NLU of a message (memoised per day: relative dates depend on it)."""
        return self._analyze(text, self.clock().date().isoformat())

    def respond(
        self, agent: str, messages: Sequence[BaseMessage], tool_names: frozenset[str]
    ) -> AIMessage:
        """The next message of ``agent`` for this conversation."""
        turn = self.turn(messages, tool_names)
        return self.policies[agent](turn)

    def turn(self, messages: Sequence[BaseMessage], tool_names: frozenset[str]) -> Turn:
        """Understand the conversation for a policy."""
        system = " ".join(str(m.content) for m in messages if isinstance(m, SystemMessage))
        history = [m for m in messages if not isinstance(m, SystemMessage)]
        humans = [i for i, m in enumerate(history) if isinstance(m, HumanMessage)]
        last = humans[-1] if humans else -1
        text = str(history[last].content) if humans else ""
        role = _ROLE.search(system)
        active = _ACTIVE.search(system)
        return Turn(
            analysis=self.analyze(text),
            history=history,
            this_turn=history[last + 1 :] if humans else [],
            role=role[1] if role else "customer",
            active_agent=active[1] if active and active[1] != "ninguno" else None,
            tool_names=tool_names,
            earlier=[self.analyze(str(history[i].content)) for i in humans[:-1][-4:]],
        )
