"""How tools are declared and run: arguments validated, identity from the context, errors as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine

from core.errors import DomainError
from core.settings import Settings
from domain.dialogue import DialogueState

Role = str  # "customer", "staff", "technician"


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


class ToolRefused(Exception):
    """The tool will not do this for this caller (role or ownership); the message is shown."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool: name, the model-facing docstring, an arguments model and the implementation."""

    name: str
    description: str
    args: type[BaseModel]
    run: Callable[[ToolContext, Any], dict[str, Any]]
    roles: frozenset[str] = frozenset({"customer", "staff", "technician"})
    writes: bool = False

    def as_langchain_tool(self) -> BaseTool:
        """The schema the model binds to (execution goes through run_tool, never through this)."""

        def unused(**_: Any) -> str:
            raise RuntimeError("tools run through tools.base.run_tool")

        return StructuredTool.from_function(
            func=unused, name=self.name, description=self.description, args_schema=self.args
        )


def run_tool(spec: ToolSpec, raw_args: dict[str, Any], ctx: ToolContext) -> tuple[str, bool]:
    """Run a tool for the model: JSON out on success, ``Error: ...`` text the model can act on."""
    ok = False
    try:
        if ctx.role not in spec.roles:
            raise ToolRefused(f"{spec.name} no está disponible para el rol {ctx.role}")
        args = spec.args.model_validate(raw_args or {})
        result = spec.run(ctx, args)
        content = json.dumps(result, ensure_ascii=False, default=str)
        ok = True
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "argumentos"
        content = f"Error: argumento inválido {where}: {first.get('msg')}"
    except (DomainError, ToolRefused) as exc:
        content = f"Error: {getattr(exc, 'message', str(exc))}"
    ctx.emit({"tool": spec.name, "args": raw_args, "ok": ok})
    return content, ok
