"""Tool tests: a conversation's ToolContext on the seeded demo database, tools run as the
model runs them (run_tool: arguments in, JSON out), results read back as the typed models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from db.engine import session_scope
from db.repositories.chat import start_session
from db.tables import Customer
from domain.tool_results import Result
from tools.base import ToolContext, ToolSpec, run_tool

R = TypeVar("R", bound=Result)


class Refused(Exception):
    """What run_tool answered instead of a result."""


def call(spec: ToolSpec, ctx: ToolContext, result: type[R], **args: Any) -> R:
    """Run a tool as the agent loop does and read its JSON back as the typed result."""
    content, ok = run_tool(spec, args, ctx)
    if not ok:
        raise Refused(content)
    return result.model_validate_json(content)


def refusal(spec: ToolSpec, ctx: ToolContext, **args: Any) -> str:
    """The Spanish text a tool answered with instead of a result."""
    content, ok = run_tool(spec, args, ctx)
    assert not ok, content
    assert content.startswith("Error: ")
    return content.removeprefix("Error: ")


MakeCtx = Callable[..., ToolContext]


@pytest.fixture
def make_ctx(engine: Engine, settings: Settings) -> MakeCtx:
    """A new conversation: anonymous web chat by default, or a customer, staff or technician."""

    def make(
        role: str = "customer",
        *,
        customer_id: int | None = None,
        channel: str = "web",
    ) -> ToolContext:
        with session_scope(engine, write=True) as session:
            chat = start_session(
                session,
                owner="anonymous" if customer_id is None else f"test:{customer_id}",
                role=role,
                channel=channel,
                customer_id=customer_id,
            )
            branch = chat.branch_code
        return ToolContext(
            engine=engine,
            settings=settings,
            session_id=chat.id,
            channel=channel,
            role=role,
            customer_id=customer_id,
            branch_code=branch,
        )

    return make


def customer_of(engine: Engine, kind: str = "retail", *, area: str | None = None) -> Customer:
    """A seeded customer of a kind (with a phone in an area code, when given)."""
    with Session(engine) as session:
        query = select(Customer).where(Customer.kind == kind).order_by(col(Customer.id))
        if area is not None:
            query = query.where(col(Customer.phone).startswith(f"+52{area}"))
        found = session.exec(query).first()
    assert found is not None
    return found
