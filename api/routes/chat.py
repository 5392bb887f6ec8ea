"""POST /v1/chat, POST /v1/chat/stream (SSE) and GET /v1/conversations/{id}."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from api.abuse import AbuseLimiters, client_ip, first_wait
from api.deps import ChatServiceDep, ContainerDep, EngineDep, bearer, get_principal
from api.ratelimit import RateLimiter
from conversation.case_replies import append_case_messages
from conversation.service import ChatService, TurnResult
from conversation.sessions import Speaker, web_session
from core.errors import NotFound, PermissionDenied
from core.security import Principal
from db.engine import session_scope
from db.repositories.cases import session_has_case
from db.repositories.chat import ANONYMOUS_OWNER
from db.tables import ChatSession
from domain.enums import Role
from domain.messages import EMPTY_REPLY, TROUBLE_REPLY, too_fast
from domain.phone import Phone
from graphs.supervisor import SUPERVISOR

router = APIRouter(tags=["chat"])
log = logging.getLogger("topllantas.chat")
PERSONA_ROLES = {
    Role.STAFF: "staff",
    Role.TECHNICIAN: "technician",
    Role.ADMIN: "staff",
    Role.EVALUATOR: "staff",
}
MAY_IMPERSONATE = frozenset({Role.ADMIN, Role.EVALUATOR})


class Persona(BaseModel):
    """Who an evaluator or admin key speaks as."""

    role: Literal["customer", "staff", "technician"]
    phone: Phone | None = Field(None, description="E.164, customers only")


class ChatRequest(BaseModel):
    """A message in a conversation; ``session_id`` null starts a new one."""

    model_config = ConfigDict(populate_by_name=True)

    session_id: str | None = Field(None, max_length=64)
    message: str = Field(max_length=100_000)
    as_: Persona | None = Field(None, alias="as")


class ChatResponse(BaseModel):
    """The agent's reply; ``trace`` only for evaluator and admin keys."""

    session_id: str | None
    reply: str
    agent: str
    trace: list[dict[str, Any]] | None = None


async def optional_principal(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    """No Authorization header: an anonymous web customer. A header must be valid."""
    if credentials is None:
        return None
    return await get_principal(container, credentials)


def _speaker(principal: Principal | None, wanted: Persona | None, request: Request) -> Speaker:
    """Who writes, from the key, never from the message. Evaluator keys speak only as test
    customers (checked with the phone in ``web_session``); admin keys as anyone."""
    if principal is None:
        if wanted is not None:
            raise PermissionDenied(
                "only evaluator and admin keys may speak as another persona", field="as"
            )
        return Speaker(ANONYMOUS_OWNER, "customer", client_ip=client_ip(request))
    if wanted is not None:
        if principal.role not in MAY_IMPERSONATE:
            raise PermissionDenied(
                "only evaluator and admin keys may speak as another persona", field="as"
            )
        if wanted.role != "customer" and wanted.phone:
            raise PermissionDenied("phone applies to the customer persona only", field="as.phone")
        return Speaker(
            f"key:{principal.key_prefix}",
            wanted.role,
            wanted.phone,
            test_personas_only=principal.role == Role.EVALUATOR,
        )
    if principal.role not in PERSONA_ROLES:
        raise PermissionDenied("integration keys are for the ERP API, not the chat")
    return Speaker(f"key:{principal.key_prefix}", PERSONA_ROLES[principal.role])


def _keyless_wait(
    abuse: AbuseLimiters, principal: Principal | None, body: ChatRequest, ip: str
) -> float:
    """A keyless message spends from its IP's budget and its conversation's; keys have
    their own per-key budget (``get_principal``). 0 = go ahead, else seconds to wait."""
    if principal is not None:
        return 0.0
    checks = [(abuse.chat_ip, f"ip:{ip}")]
    if body.session_id:
        checks.append((abuse.chat_session, f"session:{body.session_id}"))
    return first_wait(*checks)


TOO_FAST = {"error": "rate_limited", "message": "too many messages; retry later", "field": None}


def _too_fast(body: ChatRequest, wait: float) -> JSONResponse:
    """429 with Retry-After, shaped like a reply too: the chat window shows the Spanish text."""
    reply = ChatResponse(session_id=body.session_id, reply=too_fast(wait), agent=SUPERVISOR)
    return JSONResponse(
        {**reply.model_dump(), **TOO_FAST},
        status_code=429,
        headers={"Retry-After": RateLimiter.retry_after_header(wait)},
    )


def _too_fast_stream(body: ChatRequest, wait: float) -> StreamingResponse:
    """The stream's 429: its one ``message`` (the Spanish text), then ``done``."""
    message = {"agent": SUPERVISOR, "reply": too_fast(wait)}
    text = (
        f"event: message\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
        f"event: done\ndata: {json.dumps({'session_id': body.session_id})}\n\n"
    )
    return StreamingResponse(
        iter([text]),
        status_code=429,
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-store",
            "Retry-After": RateLimiter.retry_after_header(wait),
        },
    )


CHAT_429: dict[int | str, dict[str, Any]] = {
    429: {"description": "Keyless chat over its IP or conversation budget: Retry-After"}
}


def _turn(
    service: ChatService,
    chat: ChatSession,
    text: str,
    on_event: Callable[[dict[str, Any]], None] | None,
) -> TurnResult:
    """The service's turn; should it raise anyway (a stand-in service, a bug), the customer
    still gets the calm Spanish reply and a stream still gets its final ``message``."""
    try:
        result = service.run_turn(chat, text, on_event=on_event)
    except Exception:
        log.exception("chat turn failed in session %s", chat.id)
        result = TurnResult(reply=TROUBLE_REPLY, agent=SUPERVISOR, intent="error")
        if on_event is not None:
            on_event({"event": "message", "agent": result.agent, "reply": result.reply})
        return result
    if chat.role == "technician":  # a case reply or survey made in this turn: into its chat
        try:
            append_case_messages(service)
        except Exception:  # sent already; appended on the next technician turn or reply
            log.exception("case messages not appended after session %s", chat.id)
    return result


def _session_and_turn(
    engine: Engine, service: ChatService, speaker: Speaker, body: ChatRequest
) -> tuple[ChatSession | None, TurnResult]:
    """One trip to a worker thread for the whole request (each trip costs a GIL hand-off)."""
    chat = web_session(engine, speaker, body.session_id, body.message)
    if chat is None:
        return None, TurnResult(reply=EMPTY_REPLY, agent=SUPERVISOR, intent="invalid")
    return chat, _turn(service, chat, body.message, None)


def _response(
    chat: ChatSession | None, result: TurnResult, principal: Principal | None
) -> ChatResponse:
    show = principal is not None and principal.role in MAY_IMPERSONATE
    return ChatResponse(
        session_id=chat.id if chat else None,
        reply=result.reply,
        agent=result.agent,
        trace=result.trace if show else None,
    )


@router.post(
    "/v1/chat", summary="Chat with the agents", response_model=ChatResponse, responses=CHAT_429
)
async def chat(
    request: Request,
    body: ChatRequest,
    container: ContainerDep,
    engine: EngineDep,
    service: ChatServiceDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> ChatResponse | JSONResponse:
    """Send a message. Without a key you are an anonymous web customer (per-IP and
    per-conversation budgets: 429 with Retry-After and a Spanish ``reply``); a key's role
    decides the persona; evaluator keys may speak ``as`` a test customer (by phone), staff or
    technician, admin keys as any customer."""
    speaker = _speaker(principal, body.as_, request)
    if (wait := _keyless_wait(container.abuse, principal, body, client_ip(request))) > 0:
        return _too_fast(body, wait)
    chat_session, result = await anyio.to_thread.run_sync(
        _session_and_turn, engine, service, speaker, body
    )
    return _response(chat_session, result, principal)


@router.post("/v1/chat/stream", summary="Chat over Server-Sent Events", responses=CHAT_429)
async def chat_stream(
    request: Request,
    body: ChatRequest,
    container: ContainerDep,
    engine: EngineDep,
    service: ChatServiceDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> StreamingResponse:
    """The same turn as /v1/chat, as events: ``agent`` (hand-offs), ``tool``, ``message``, ``done``."""
    speaker = _speaker(principal, body.as_, request)
    if (wait := _keyless_wait(container.abuse, principal, body, client_ip(request))) > 0:
        return _too_fast_stream(body, wait)
    chat_session = await anyio.to_thread.run_sync(
        web_session, engine, speaker, body.session_id, body.message
    )
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    show_args = principal is not None and principal.role in MAY_IMPERSONATE

    def push(event: dict[str, Any]) -> None:
        if not show_args:
            event = {k: v for k, v in event.items() if k != "args"}
        loop.call_soon_threadsafe(queue.put_nowait, event)

    async def run() -> None:
        # Every outcome ends with one ``message`` (the service sends it; _turn when it failed).
        try:
            if chat_session is None:
                push({"event": "message", "agent": SUPERVISOR, "reply": EMPTY_REPLY})
            else:
                await anyio.to_thread.run_sync(_turn, service, chat_session, body.message, push)
        finally:
            loop.call_soon_threadsafe(
                queue.put_nowait,
                {"event": "done", "session_id": chat_session.id if chat_session else None},
            )
            loop.call_soon_threadsafe(queue.put_nowait, None)

    async def events() -> AsyncIterator[str]:
        task = asyncio.create_task(run())
        while (event := await queue.get()) is not None:
            name = event.pop("event")
            yield f"event: {name}\ndata: {json.dumps(event, ensure_ascii=False, default=str)}\n\n"
        await task

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


class ConversationMessage(BaseModel):
    """One stored message."""

    role: Literal["customer", "assistant", "tool"]
    agent: str | None
    content: str
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)


class Conversation(BaseModel):
    """A conversation as staff review it."""

    session_id: str
    channel: str
    role: str
    customer_id: int | None
    active_agent: str | None
    turns: int
    messages: list[ConversationMessage]


@router.get(
    "/v1/conversations/{session_id}",
    summary="A stored conversation (staff, admin; technicians for a case)",
)
async def conversation(
    session_id: str,
    engine: EngineDep,
    service: ChatServiceDep,
    principal: Annotated[Principal, Depends(get_principal)],
) -> Conversation:
    """The whole conversation with agents and tool calls, for staff and admin keys; technicians
    read the conversations that led to a support case."""
    if principal.role not in (Role.ADMIN, Role.STAFF, Role.TECHNICIAN):
        raise PermissionDenied(f"role '{principal.role.value}' may not read conversations")
    with session_scope(engine) as session:
        if principal.role == Role.TECHNICIAN and not session_has_case(session, session_id):
            raise PermissionDenied(
                "technicians read only conversations with a support case", field="session_id"
            )
        chat_session = session.get(ChatSession, session_id)
        if chat_session is None:
            raise NotFound(f"no conversation {session_id}", field="session_id")
    stored = await anyio.to_thread.run_sync(service.messages, session_id)
    messages = []
    for m in stored:
        if isinstance(m, HumanMessage):
            messages.append(
                ConversationMessage(role="customer", agent=None, content=str(m.content))
            )
        elif isinstance(m, AIMessage):
            calls = [{"name": c["name"], "args": c["args"]} for c in m.tool_calls]
            messages.append(
                ConversationMessage(
                    role="assistant", agent=m.name, content=str(m.content), tool_calls=calls
                )
            )
        elif isinstance(m, ToolMessage):
            messages.append(ConversationMessage(role="tool", agent=m.name, content=str(m.content)))
    return Conversation(
        session_id=chat_session.id,
        channel=chat_session.channel,
        role=chat_session.role,
        customer_id=chat_session.customer_id,
        active_agent=chat_session.active_agent,
        turns=chat_session.turns,
        messages=messages,
    )
