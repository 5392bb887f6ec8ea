"""Simulated customers: a fixed script, a rule-based user with a goal, or an LLM playing one."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from core.settings import LlmSettings
from evals.models import Goal, Slot

STOP = "###STOP###"
PROMPT = Path(__file__).resolve().parent / "prompts" / "simulated_user.md"
# What a customer says when they do not have the answer, or have nothing more to ask.
DONT_KNOW = "ni idea, no me acuerdo"
YES_RESERVE = "simon, apartalas porfa"
NO_RESERVE = "ahorita no, nomas queria saber el precio"
NO_HANDOFF = "nel, asi esta bien"
SECOND_CHOICE = "pues la recomendada, esa mero"
CANNED = (DONT_KNOW, YES_RESERVE, NO_RESERVE, NO_HANDOFF, SECOND_CHOICE)
FOLIO = re.compile(r"\bTL-\d{6}\b")


class SimulatedUser(Protocol):
    """A customer: says the first message, then answers each reply (None ends the chat)."""

    def first(self) -> str: ...

    def next(self, reply: str) -> str | None: ...


def fold(text: str) -> str:
    """Lower-case, without accents or ¿¡, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", plain.replace("¿", "").replace("¡", "")).strip()


@dataclass
class ScriptedUser:
    """Says the script, one line per turn, whatever the agent answers."""

    lines: list[str]
    _next: int = 1

    def first(self) -> str:
        return self.lines[0]

    def next(self, reply: str) -> str | None:
        if self._next >= len(self.lines):
            return None
        self._next += 1
        return self.lines[self._next - 1]


# (slot, words that show the agent asks for it); checked on the folded reply, in order.
QUESTIONS: tuple[tuple[Slot, tuple[str, ...]], ...] = (
    ("choice", ("te interesa alguna", "cual te late", "cual prefieres", "cual te aparto",
                "cual te gustaria", "cual quieres", "cual eliges")),
    ("reserve", ("te las aparto", "quieres que te las aparte", "las apartamos", "te las reservo",
                 "quieres apartarlas", "quieres reservarlas")),
    ("handoff", ("te paso con", "quieres que te pase", "te comunico con", "te canalizo")),
    ("year", ("que ano", "de que ano", "el ano", "ano es", "modelo es")),
    ("size", ("medida", "costado")),
    ("vehicle", ("que auto", "que carro", "que coche", "que vehiculo", "marca, modelo")),
    ("quantity", ("cuantas llantas", "cuantas necesitas", "cuantas piezas")),
    ("folio", ("folio", "numero de pedido")),
    ("branch", ("que sucursal", "cual sucursal")),
    ("pickup", ("que dia", "cuando pasas", "cuando las recoges")),
)  # fmt: skip
HANDED_OFF = ("ya le pase tu caso", "te contacta en cuanto")
# When the agent asks nothing the user recognises, they push their goal with what they know.
VOLUNTEER: tuple[Slot, ...] = (
    "vehicle", "size", "year", "quantity", "brand", "branch", "pickup", "folio", "choice",
)  # fmt: skip
UNCLEAR = ("no te entendi", "otras palabras")


@dataclass
class RuleUser:
    """Answers what the agent asks from the goal's known information; stops when it is done."""

    goal: Goal
    max_turns: int = 8
    turns: int = 1
    asked: Counter[str] = field(default_factory=Counter)
    said: set[str] = field(default_factory=set)

    def first(self) -> str:
        return self.goal.opening

    def _asks(self, reply: str) -> Slot | None:
        """What the agent asks for; of several ("auto y año, o la medida"), one the user knows."""
        asked = [slot for slot, words in QUESTIONS if any(w in reply for w in words)]
        known = [slot for slot in asked if slot in self.goal.known]
        if known:
            return known[0]
        return asked[0] if asked else None

    def _answer(self, slot: Slot) -> str | None:
        known = self.goal.known
        if slot == "choice":
            if "choice" in known and "choice" not in self.said:
                return known["choice"]
            if self.goal.reserve and "choice" in self.said:
                # Asked again which one: the customer repeats what they want, or takes the suggestion.
                return known.get("choice_again", SECOND_CHOICE)
            return self._answer("reserve") if self.goal.reserve else None
        if slot == "reserve":
            if self.goal.reserve:
                return known.get("reserve", YES_RESERVE)
            return None if "decline" in self.said else known.get("decline", NO_RESERVE)
        if slot == "handoff":
            return known.get("handoff") or (None if "handoff" in self.said else NO_HANDOFF)
        return known.get(slot, DONT_KNOW)

    def _volunteer(self) -> tuple[Slot, str | None]:
        for slot in VOLUNTEER:
            if slot in self.goal.known and slot not in self.said:
                return slot, self.goal.known[slot]
        if self.goal.reserve and "reserve" not in self.said:
            return "reserve", self.goal.known.get("reserve", YES_RESERVE)
        return "unclear", None

    def next(self, reply: str) -> str | None:
        if self.turns >= self.max_turns:
            return None
        text = fold(reply)
        reserved = FOLIO.search(reply) is not None and "te aparte" in text
        if reserved or any(d in text for d in HANDED_OFF):
            return None  # reserved, or handed to a person: the goal is reached (or missed)
        slot = self._asks(text)
        answer: str | None
        if slot is None:
            unclear = any(u in text for u in UNCLEAR) and "unclear" not in self.said
            if unclear and "unclear" in self.goal.known:
                slot, answer = "unclear", self.goal.known["unclear"]
            else:
                slot, answer = self._volunteer()
        else:
            self.asked[slot] += 1
            answer = None if self.asked[slot] > 2 else self._answer(slot)
            if slot == "reserve" and not self.goal.reserve:
                slot = "decline"
        if answer is None:
            return None
        self.said.add(slot)
        self.turns += 1
        return answer


@dataclass
class LLMUser:
    """An LLM plays the customer from the goal (tau-bench style); it writes ###STOP### when done."""

    goal: Goal
    model: BaseChatModel
    max_turns: int = 8
    history: list[BaseMessage] = field(default_factory=list)

    @classmethod
    def from_settings(cls, goal: Goal, llm: LlmSettings, *, max_turns: int = 8) -> LLMUser:
        """Use the project's chat-model factory (any configured provider except offline)."""
        from adapters.llm.factory import build_chat_model

        def no_offline() -> BaseChatModel:
            raise ValueError("the LLM-simulated user needs an LLM provider (TOPLLANTAS_LLM__*)")

        return cls(goal, build_chat_model(llm, "agent", offline=no_offline), max_turns)

    def system(self) -> str:
        """The brief the LLM plays from."""
        known = "\n".join(f"- {k}: {v}" for k, v in self.goal.known.items()) or "- (nada más)"
        unknown = ", ".join(self.goal.unknown) or "(nada)"
        reserve = (
            "Si te ofrecen apartar las llantas, acepta."
            if self.goal.reserve
            else "No apartes ni compres nada: solo quieres información."
        )
        return PROMPT.read_text(encoding="utf-8").format(
            opening=self.goal.opening, known=known, unknown=unknown, reserve=reserve,
            instructions=self.goal.instructions or "(ninguna)", stop=STOP,
        )  # fmt: skip

    def first(self) -> str:
        self.history = [AIMessage(self.goal.opening)]
        return self.goal.opening

    def next(self, reply: str) -> str | None:
        if len([m for m in self.history if isinstance(m, AIMessage)]) >= self.max_turns:
            return None
        # Roles are swapped: to the simulator, the agent's replies are the "user".
        self.history.append(HumanMessage(reply))
        answer = self.model.invoke([SystemMessage(self.system()), *self.history])
        text = str(answer.content).strip()
        if not text or STOP in text:
            return None
        self.history.append(AIMessage(text))
        return text


def make_user(
    script: list[str] | None,
    goal: Goal | None,
    *,
    max_turns: int,
    kind: str = "rule",
    llm: LlmSettings | None = None,
) -> SimulatedUser:
    """The simulated user a task asks for."""
    if script is not None:
        return ScriptedUser(script)
    assert goal is not None
    if kind == "llm":
        if llm is None:
            raise ValueError("an LLM-simulated user needs LLM settings")
        return LLMUser.from_settings(goal, llm, max_turns=max_turns)
    return RuleUser(goal, max_turns=max_turns)
