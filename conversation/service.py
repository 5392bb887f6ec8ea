"""ChatService: one customer or staff turn through the graph, with identity, CRM and trace."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from adapters.erp.factory import build_erp
from adapters.llm.factory import build_chat_model
from adapters.llm.offline.brain import OfflineBrain
from adapters.llm.offline.flows import FLOWS
from adapters.llm.offline.model import OfflineChatModel
from adapters.llm.offline.nlu import NLU, Vocabulary
from conversation.locks import ConversationLocks, machine_lock
from conversation.screening import screen_message
from conversation.transcript import last_text, outcome
from core.settings import Settings
from db.engine import joined_or_own
from db.repositories.chat import log_turn
from db.tables import Branch, ChatSession, Fitment, Product
from domain.messages import TROUBLE_REPLY
from graphs.checkpointer import open_checkpointer
from graphs.supervisor import SUPERVISOR, build_graph
from knowledge_base import KnowledgeBase, open_knowledge_base
from knowledge_base.quick import bundled_search
from knowledge_base.sheets import catalog_from_erp
from tools.base import ToolContext

log = logging.getLogger(__name__)
WARM_UP_MESSAGE = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"


@dataclass
class TurnResult:
    """What a turn produced."""

    reply: str
    agent: str
    trace: list[dict[str, Any]] = field(default_factory=list)
    intent: str = ""


def vocabulary_from_db(engine: Engine) -> Vocabulary:
    """Makes, models, trims, brands, lines and branches as the store of record has them."""
    with Session(engine) as session:
        # Columns, not rows as objects: thousands of fitment rows load in milliseconds.
        fitment = session.exec(select(Fitment.make, Fitment.model, Fitment.trim)).all()
        lines = session.exec(select(Product.brand, Product.line).distinct()).all()
        branches = session.exec(select(Branch.code, Branch.city, Branch.name, Branch.state)).all()
    trims: dict[str, list[str]] = {}
    for _, model, trim in fitment:
        trims.setdefault(model, []).append(trim)
    return _vocabulary(
        tuple(sorted({(make, model) for make, model, _ in fitment})),
        tuple(sorted({(brand, line) for brand, line in lines})),
        tuple((code, (city, name, state)) for code, city, name, state in branches),
        tuple((model, tuple(names)) for model, names in trims.items()),
    )


@lru_cache(maxsize=4)
def _vocabulary(
    vehicles: tuple[tuple[str, str], ...],
    lines: tuple[tuple[str, str], ...],
    branches: tuple[tuple[str, tuple[str, str, str]], ...],
    trims: tuple[tuple[str, tuple[str, ...]], ...],
) -> Vocabulary:
    # Every app of a test run (and every CLI session) reads the same rows: build them once.
    return Vocabulary.from_rows(
        vehicles=vehicles,
        brand_lines=lines,
        branches={code: list(names) for code, names in branches},
        trims={model: list(names) for model, names in trims},
    )


def model_factory(settings: Settings, brain: OfflineBrain) -> Callable[[str], BaseChatModel]:
    """The chat model of each role: the offline brain, or the configured LLM."""

    def model_for(role: str) -> BaseChatModel:
        def offline() -> BaseChatModel:
            return OfflineChatModel(agent=role, brain=brain)

        if role == SUPERVISOR:
            return build_chat_model(settings.llm, "supervisor", offline=offline)
        return build_chat_model(settings.llm, "agent", offline=offline)

    return model_for


class ChatService:
    """Runs turns; conversations live in the checkpointer, one turn at a time per conversation."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        checkpointer: Any,
        nlu: NLU,
        model_for: Callable[[str], BaseChatModel] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        # One brain: its memoised NLU reads each message once, for the policies and the CRM.
        self.brain = OfflineBrain(nlu, FLOWS)
        self.graph = build_graph(
            model_for or model_factory(settings, self.brain),
            checkpointer=checkpointer,
            attempts=settings.llm.max_retries,
        )
        # On PostgreSQL an advisory lock: turns of a conversation in order on every worker.
        self.locks = ConversationLocks(settings.data_dir / "locks", engine)
        # One store client for every turn (a REST ERP keeps its connections and tokens).
        self.erp = build_erp(settings, engine, actor="chat")
        # The fused knowledge base once built (start_knowledge_base); until then the support
        # tools search the bundled content by TF-IDF alone.
        self.kb: KnowledgeBase | None = None

    def run_turn(
        self,
        chat: ChatSession,
        text: str,
        *,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> TurnResult:
        """One customer message in, one reply out (messages of a conversation in order).

        ``on_event`` sees the hand-offs and tool calls as they happen and always ends with one
        ``message`` event, whatever the outcome: a screened message, a failed turn, a reply.
        """
        screened = screen_message(text)
        if screened is not None:
            result = TurnResult(reply=screened, agent=SUPERVISOR, intent="invalid")
        else:
            with self.locks.hold(f"chat:{chat.id}") as lock_connection:
                result = self._turn(chat, text, on_event, lock_connection)
        if on_event is not None:
            on_event({"event": "message", "agent": result.agent, "reply": result.reply})
        return result

    def _turn(
        self,
        chat: ChatSession,
        text: str,
        on_event: Callable[[dict[str, Any]], None] | None,
        lock_connection: Connection | None = None,
    ) -> TurnResult:
        ctx = ToolContext(
            engine=self.engine,
            settings=self.settings,
            session_id=chat.id,
            channel=chat.channel,
            role=chat.role,
            customer_id=chat.customer_id,
            branch_code=chat.branch_code,
            erp=self.erp,
            kb=self.kb,
            lock_connection=lock_connection,
        )
        ctx.on_event = on_event
        config: RunnableConfig = {"configurable": {"thread_id": chat.id}}
        try:
            # One checkpoint per turn, written when the turn ends: a turn is all or nothing.
            state = self.graph.invoke(
                {"messages": [HumanMessage(content=text)]},
                config,
                context=ctx,
                durability="exit",
            )
        except Exception:  # the customer gets a calm answer; we get the traceback
            log.exception("chat turn failed in session %s", chat.id)
            return TurnResult(
                reply=TROUBLE_REPLY, agent=SUPERVISOR, trace=ctx.trace, intent="error"
            )
        reply = last_text(state["messages"])
        agent = state.get("last_agent", SUPERVISOR)
        intent = ""
        try:
            intent = self.brain.analyze(text).intent
            with joined_or_own(self.engine, lock_connection, write=True) as db:
                log_turn(
                    db,
                    chat.id,
                    chat.channel,
                    agent=agent,
                    intent=intent,
                    outcome=outcome(ctx.trace, intent),
                    customer_id=ctx.effective_customer_id,
                )
        except Exception:  # the turn happened (a reservation, say): its reply must still go out
            log.exception("CRM log of a turn failed in session %s", chat.id)
        return TurnResult(reply=reply, agent=agent, trace=ctx.trace, intent=intent)

    def warm_up(self) -> None:
        """Read a typical message once at startup (the classifier's and the extractors' first
        use is slower than the rest), so the first customer does not pay for it; the same for
        the bundled guides' TF-IDF index the support tools search until the full one is built."""
        self.brain.analyze(WARM_UP_MESSAGE)
        bundled_search(self.settings).search("presión de las llantas", k=1)

    def start_knowledge_base(self) -> threading.Thread:
        """Build (or check) the knowledge base's index in the background: on a fresh clone the
        bundled guides and the catalogue's sheets are embedded (about a minute on 2 cores),
        afterwards only a fingerprint is compared. Turns go on meanwhile."""

        def build() -> None:
            try:
                # One process of `serve --workers N` builds the local index at a time; the
                # others wait, then find it built and only compare its fingerprint.
                with machine_lock(self.settings.data_dir / "locks" / "kb-index.lock"):
                    kb = open_knowledge_base(self.settings, catalog=catalog_from_erp(self.erp))
                    kb.search("presión de las llantas", k=1)  # ingests if needed, loads e5
                self.kb = kb
                log.info("knowledge base ready (%d chunks)", kb.count())
            except Exception:  # support keeps answering from the bundled content
                log.exception("knowledge base build failed; searching the bundled content only")

        thread = threading.Thread(target=build, name="kb-index", daemon=True)
        thread.start()
        return thread

    def messages(self, session_id: str) -> list[BaseMessage]:
        """The stored conversation."""
        state = self.graph.get_state({"configurable": {"thread_id": session_id}})
        return list(state.values.get("messages", []))


@contextmanager
def open_chat_service(settings: Settings, engine: Engine) -> Iterator[ChatService]:
    """A chat service with its checkpointer, for the server's lifespan or a CLI session."""
    nlu = load_nlu(settings, engine)
    with open_checkpointer(settings) as checkpointer:
        service = ChatService(settings, engine, checkpointer, nlu)
        try:
            yield service
        finally:
            service.locks.close()


def load_nlu(settings: Settings, engine: Engine) -> NLU:
    """The offline NLU for this database: trained on a fresh clone (seconds), then loaded from
    ``cache_dir`` (milliseconds) while the corpus and the vocabulary stay the same."""
    return NLU(vocabulary_from_db(engine), cache_dir=settings.resolved_cache_dir)
