"""The graph's state: the conversation, which agent holds it, and its typed dialogue state."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class State(TypedDict, total=False):
    """Checkpointed per conversation (thread id = chat session id)."""

    messages: Annotated[list[AnyMessage], add_messages]
    active_agent: str | None  # the agent that answered last; follow-ups like "sí" go back to it
    last_agent: str  # who answered this turn (the supervisor itself for small talk)
    # domain.dialogue.DialogueState as JSON: what the bot waits for and the slots. Stored as
    # plain JSON so every checkpointer (SQLite, PostgreSQL) keeps it without custom types.
    dialogue: dict[str, Any]
