"""How tools are declared and run: arguments validated, identity from the context, one
transaction per call, a typed result out (or a Spanish refusal the customer can read)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from adapters.erp.base import ErpClient
from core.errors import DomainError, ExternalServiceError
from core.settings import Settings
from db.engine import joined_or_own, session_scope
from db.tables import ChatSession
from domain.dialogue import DialogueState, PersonaRole
from domain.tool_results import Result
from knowledge_base.documents import Hit
from tools import messages

Role = str  # a PersonaRole value: "customer", "staff", "technician"
CUSTOMER_ONLY = frozenset({PersonaRole.CUSTOMER.value})
STAFF_ONLY = frozenset({PersonaRole.STAFF.value})
TECHNICIAN_ONLY = frozenset({PersonaRole.TECHNICIAN.value})
EVERYONE = frozenset(r.value for r in PersonaRole)


class KnowledgeSearch(Protocol):
    """What the support tools need of the knowledge base."""

    def search(self, text: str, k: int = 5) -> list[Hit]: ...


@dataclass
class ToolContext:
    """Who is speaking and what the tools may reach. Built by the server, never by the model."""

    engine: Engine
    settings: Settings
    session_id: str
    channel: str
    role: Role
    customer_id: int | None = None
    branch_code: str | None = None
    # Filled when a tool creates a guest customer for an anonymous web chat.
    bound_customer_id: int | None = None
    trace: list[dict[str, Any]] = field(default_factory=list)
    # The conversation so far as "Cliente: ..." / "TopLlantas: ..." lines (for lead summaries).
    transcript: list[str] = field(default_factory=list)
    # Streams agent and tool events to an SSE client while the turn runs.
    on_event: Callable[[dict[str, Any]], None] | None = None
    current_agent: str = "supervisor"
    # The conversation's typed dialogue state for this turn (from the checkpoint). Tools record
    # what they establish (offers, the open reservation's folio, fulfilment, invoice data) and
    # read the open reservation from it, never from model-written arguments.
    dialogue: DialogueState = field(default_factory=DialogueState)
    # The store of record the tools reach, only through this Protocol. None: the one the
    # settings choose (TOPLLANTAS_ERP__STORE), built on first use. A server builds it once and
    # passes it to every turn's context.
    erp: ErpClient | None = None
    # The knowledge base (e5 + TF-IDF fusion) once the server has built it; None: the bundled
    # content by TF-IDF alone (knowledge_base.quick), ready in a fraction of a second.
    kb: KnowledgeSearch | None = None
    # On PostgreSQL, the connection whose transaction holds this conversation's lock for the
    # turn: the turn's own bookkeeping (resuming the dialogue, logging the turn) rides on it.
    # Never the tools' transactions, which must commit on their own.
    lock_connection: Connection | None = None

    def emit(self, event: dict[str, Any]) -> None:
        """Record a trace step and pass it to the live listener, if any."""
        event = {"agent": self.current_agent, **event}
        self.trace.append(event)
        if self.on_event is not None:
            handoff = str(event.get("tool", "")).startswith("transfer_to_")
            self.on_event({"event": "agent" if handoff else "tool", **event})

    @property
    def effective_customer_id(self) -> int | None:
        """The customer this conversation speaks for (the channel's, or the guest made for it)."""
        return self.customer_id or self.bound_customer_id

    @property
    def actor(self) -> str:
        """How the audit log names what tools do in this conversation."""
        return f"chat:{self.session_id}"

    def resume_dialogue(self, checkpointed: DialogueState) -> DialogueState:
        """This turn's starting state: the checkpoint's, one turn on; or, when an earlier run
        committed a write but never finished its turn (a crash before the checkpoint, a
        failure after the write), the state that write committed, so a message run again sees
        the reservation it made instead of making a twin."""
        with joined_or_own(self.engine, self.lock_connection) as db:
            pending = db.execute(
                select(ChatSession.dialogue).where(ChatSession.id == self.session_id)
            ).scalar()
        state = DialogueState.load(dict(pending)) if pending is not None else checkpointed
        state.turns = checkpointed.turns + 1
        return state

    def store(self) -> ErpClient:
        """The store of record (built from the settings the first time)."""
        if self.erp is None:
            from adapters.erp.factory import build_erp

            self.erp = build_erp(self.settings, self.engine, actor=self.actor)
        return self.erp

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[ToolTx]:
        """One transaction for one tool call: our rows, the SQL store's rows and the dialogue
        state's changes commit together, or none of them does.

        The tool changes ``tx.dialogue`` (a copy); it becomes ``self.dialogue`` only after the
        commit, and so does a guest customer bound to the conversation.
        """
        staged = self.dialogue.model_copy(deep=True)
        with session_scope(self.engine, write=write) as session:
            tx = ToolTx(
                session=session,
                erp=self.store().bind(session, actor=self.actor),
                dialogue=staged,
            )
            yield tx
            if write:  # with the tool's rows; log_turn clears it when the turn ends
                session.execute(
                    sa.update(ChatSession)
                    .where(col(ChatSession.id) == self.session_id)
                    .values(dialogue=staged.dump())
                )
        self.dialogue = staged
        if tx.bound_customer_id is not None and self.customer_id is None:
            self.bound_customer_id = tx.bound_customer_id


@dataclass
class ToolTx:
    """What a tool works with inside its one transaction."""

    session: Session
    erp: ErpClient
    dialogue: DialogueState
    bound_customer_id: int | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # read once per call (branches, speaker)

    def once(self, key: str, load: Callable[[], Any]) -> Any:
        """A value read once per tool call."""
        if key not in self.memo:
            self.memo[key] = load()
        return self.memo[key]


class ToolRefused(Exception):
    """The tool will not do this for this caller; the message (Spanish) is shown as it is."""


def require_staff(ctx: ToolContext) -> None:
    """Refuse anyone but staff, inside the tool itself (``run_tool`` checks the spec's roles
    first; a tool called some other way must not leak stock, sales or cost data)."""
    if ctx.role not in STAFF_ONLY:
        raise ToolRefused(messages.not_for_role(ctx.role, staff_tool=True))


@dataclass(frozen=True)
class ToolSpec:
    """A tool: name, the model-facing docstring, an arguments model and the implementation."""

    name: str
    description: str
    args: type[BaseModel]
    run: Callable[[ToolContext, Any], Result]
    roles: frozenset[str] = EVERYONE
    writes: bool = False

    def as_langchain_tool(self) -> BaseTool:
        """The schema the model binds to (execution goes through run_tool, never through this)."""

        def unused(**_: Any) -> str:
            raise RuntimeError("tools run through tools.base.run_tool")

        return StructuredTool.from_function(
            func=unused, name=self.name, description=self.description, args_schema=self.args
        )


def tool(
    run: Callable[[ToolContext, Any], Result],
    args: type[BaseModel],
    *,
    roles: frozenset[str] = EVERYONE,
    writes: bool = False,
) -> ToolSpec:
    """A ToolSpec named after the function, described by its docstring (what the model reads)."""
    description = " ".join((run.__doc__ or "").split())
    if not description:
        raise ValueError(f"tool {run.__name__} needs a docstring: it is what the model reads")
    return ToolSpec(run.__name__, description, args, run, roles=roles, writes=writes)


def run_tool(spec: ToolSpec, raw_args: dict[str, Any], ctx: ToolContext) -> tuple[str, bool]:
    """Run a tool for the model: the result's JSON on success, ``Error: ...`` text otherwise."""
    ok = False
    try:
        if ctx.role not in spec.roles:
            raise ToolRefused(messages.not_for_role(ctx.role, staff_tool=spec.roles == STAFF_ONLY))
        args = spec.args.model_validate(raw_args or {})
        result = spec.run(ctx, args)
        content = result.model_dump_json()
        ok = True
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "argumentos"
        content = f"Error: argumento inválido {where}: {first.get('msg')}"
    except ToolRefused as exc:
        content = f"Error: {exc}"
    except ExternalServiceError:
        content = f"Error: {messages.STORE_UNAVAILABLE}"
    except DomainError as exc:
        content = f"Error: {exc.message}"
    ctx.emit({"tool": spec.name, "args": raw_args, "ok": ok})
    return content, ok
