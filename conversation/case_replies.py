"""A technician's reply and the satisfaction survey, appended to the customer's conversation.

The message already went out through the outbox; appending it to the conversation's checkpoint
lets the customer's transcript (and the bot, on their next message) see what the technician
said. Each case event is appended once: it is marked in the same step.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig

from conversation.service import ChatService
from db.engine import session_scope
from db.repositories.cases import mark_in_conversation, pending_for_conversation
from domain.cases import CaseEventKind
from domain.dialogue import AgentName, Awaiting, DialogueState, Task

log = logging.getLogger("topllantas.cases")
TECHNICIAN = "technician"  # the message's name: who said it in the conversation
SUPPORT_AGENT = "support"  # the node the message is written as; the customer's next words
# go back to support


def append_case_messages(service: ChatService) -> int:
    """Append every reply and survey not yet in its conversation. Returns how many were."""
    engine = service.engine
    with session_scope(engine) as session:
        pending = pending_for_conversation(session)
    done = 0
    for event_id, session_id, text, kind in pending:
        config: RunnableConfig = {"configurable": {"thread_id": session_id}}
        try:
            # The conversation's own lock: never between a customer's message and its reply.
            with service.locks.hold(f"chat:{session_id}"):
                update: dict[str, Any] = {
                    "messages": [AIMessage(content=text, name=TECHNICIAN)],
                    "active_agent": SUPPORT_AGENT,
                }
                if kind == CaseEventKind.SURVEY:
                    # The customer's next "5, muy bien" answers the survey.
                    values = service.graph.get_state(config).values
                    dialogue = DialogueState.load(values.get("dialogue"))
                    dialogue.agent = AgentName.SUPPORT
                    dialogue.expect(Awaiting.RATING, Task.SUPPORT)
                    update["dialogue"] = dialogue.dump()
                service.graph.update_state(config, update, as_node=SUPPORT_AGENT)
                with session_scope(engine, write=True) as session:
                    mark_in_conversation(session, event_id)
            done += 1
        except Exception:  # the message was sent; the next call tries the append again
            log.exception("case event %s not appended to conversation %s", event_id, session_id)
    return done
