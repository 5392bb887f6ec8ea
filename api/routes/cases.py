"""/api/v1/cases: the technician queue (list and filter, one case with its context), claim,
comment, reply to the customer, resolve, close; /api/v1/technicians: contacts and duty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

import anyio
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adapters.channels.notifier import Notifier
from api.deps import (
    ChatServiceDep,
    EngineDep,
    NotifierDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
    run_write,
)
from conversation.case_replies import append_case_messages
from conversation.service import ChatService
from core.errors import PermissionDenied
from core.security import Principal
from db.engine import session_scope
from db.repositories import cases as repo
from db.repositories import technicians
from db.repositories.cases import CaseFilter, Staffer, ToCustomer
from db.tables import SupportCase
from domain.bounds import Offset
from domain.case_results import CaseDetail, CaseSummary, TechnicianPublic
from domain.cases import CaseStatus, NotifyChannel, ResolutionCode
from domain.catalog import Page
from domain.enums import Role
from domain.phone import E164_PATTERN, Phone
from knowledge_base import open_knowledge_base, resolved_cases

router = APIRouter(prefix="/api/v1", tags=["support cases"])
CASE_ROLES = frozenset({Role.TECHNICIAN, Role.STAFF, Role.ADMIN})
T = TypeVar("T")


async def case_worker(principal: PrincipalDep) -> Principal:
    """Technicians, staff and admins work cases; every other role gets 403."""
    if principal.role not in CASE_ROLES:
        raise PermissionDenied(f"role '{principal.role.value}' may not work support cases")
    return principal


CaseWorker = Annotated[Principal, Depends(case_worker)]


def _staffer(principal: Principal) -> Staffer:
    return Staffer(key_prefix=principal.key_prefix, name=principal.name, actor=principal.actor)


@router.get("/cases", summary="Support cases")
async def list_cases(
    session: SessionDep,
    settings: SettingsDep,
    _: CaseWorker,
    status: Annotated[list[CaseStatus] | None, Query(description="Repeat for several")] = None,
    assignee: Annotated[str | None, Query(max_length=16, description="API key prefix")] = None,
    unassigned: bool = False,
    customer_phone: Annotated[str | None, Query(pattern=E164_PATTERN, description="E.164")] = None,
    created_from: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    created_to: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> Page[CaseSummary]:
    """Cases, most urgent first (priority, then SLA due time), filtered by status, assignee
    (or ``unassigned``), customer phone and creation time."""
    where = CaseFilter(
        statuses=status,
        assignee=assignee,
        unassigned=unassigned,
        customer_phone=customer_phone,
        created_from=created_from,
        created_to=created_to,
    )
    return repo.list_cases(session, where, limit=min(limit, settings.max_page_size), offset=offset)


@router.get("/cases/{number}", summary="One support case")
async def get_case(number: str, session: SessionDep, _: CaseWorker) -> CaseDetail:
    """A case with its context (customer, vehicle, folio, SKU, DOT, symptoms, diagnosis,
    knowledge-base chunks shown), the conversation transcript and its media, and its events."""
    return repo.detail(session, repo.get_case(session, number))


async def _act(
    request: Request, engine: Engine, number: str, work: Callable[[Session, SupportCase], T]
) -> tuple[T, CaseDetail]:
    """Run ``work`` on the case in one write transaction; the case as it is afterwards."""

    def run() -> tuple[T, CaseDetail]:
        with session_scope(engine, write=True) as session:
            case = repo.get_case(session, number)
            out = work(session, case)
            session.flush()
            return out, repo.detail(session, case)

    return await run_write(request, run)


async def _deliver(sent: ToCustomer, notifier: Notifier, service: ChatService) -> None:
    """After the commit: send the outbox row now, append the message to the conversation."""
    if sent.outbox_id is not None:
        await anyio.to_thread.run_sync(notifier.deliver, sent.outbox_id)
    await anyio.to_thread.run_sync(append_case_messages, service)


@router.post("/cases/{number}/claim", summary="Take a case")
async def claim_case(
    number: str, request: Request, engine: EngineDep, principal: CaseWorker
) -> CaseDetail:
    """Assign the case to the caller (a resolved case is reopened); 409 naming ``assignee``
    when another technician has it."""
    _, case = await _act(
        request, engine, number, lambda s, c: repo.claim(s, c, _staffer(principal))
    )
    return case


class CommentIn(BaseModel):
    """An internal note."""

    text: str = Field(min_length=1, max_length=2000)


@router.post("/cases/{number}/comment", summary="Comment on a case")
async def comment_case(
    number: str, body: CommentIn, request: Request, engine: EngineDep, principal: CaseWorker
) -> CaseDetail:
    """An internal note on the case (never sent to the customer)."""
    _, case = await _act(
        request, engine, number, lambda s, c: repo.comment(s, c, body.text, _staffer(principal))
    )
    return case


class ReplyIn(BaseModel):
    """A message for the customer."""

    text: str = Field(min_length=1, max_length=1000)
    wait_for_customer: bool = True


@router.post("/cases/{number}/reply", summary="Reply to the customer")
async def reply_case(
    number: str,
    body: ReplyIn,
    request: Request,
    engine: EngineDep,
    principal: CaseWorker,
    notifier: NotifierDep,
    service: ChatServiceDep,
) -> CaseDetail:
    """Send the customer a message through the outbox (WhatsApp, else e-mail) and append it to
    their conversation. A new case is assigned to the caller; with ``wait_for_customer`` the
    case waits for the customer. 409 on a resolved or closed case."""
    (_, sent), case = await _act(
        request,
        engine,
        number,
        lambda s, c: repo.reply(s, c, body.text, _staffer(principal), wait=body.wait_for_customer),
    )
    await _deliver(sent, notifier, service)
    return case


class ResolveIn(BaseModel):
    """How the case ended."""

    resolution_code: ResolutionCode
    note: str = Field("", max_length=2000)


@router.post("/cases/{number}/resolve", summary="Resolve a case")
async def resolve_case(
    number: str,
    body: ResolveIn,
    request: Request,
    engine: EngineDep,
    principal: CaseWorker,
    notifier: NotifierDep,
    service: ChatServiceDep,
) -> CaseDetail:
    """Resolve with a resolution code; the customer gets a follow-up with the satisfaction
    question (1-5) through the outbox. 409 naming ``status`` when already resolved or closed."""
    (_, sent), case = await _act(
        request,
        engine,
        number,
        lambda s, c: repo.resolve(s, c, body.resolution_code, body.note, _staffer(principal)),
    )
    await _deliver(sent, notifier, service)
    return case


@router.post("/cases/{number}/close", summary="Close a resolved case")
async def close_case(
    number: str, request: Request, engine: EngineDep, principal: CaseWorker
) -> CaseDetail:
    """Close a resolved case; 409 naming ``status`` for a case not resolved yet."""
    _, case = await _act(
        request, engine, number, lambda s, c: repo.close(s, c, _staffer(principal))
    )
    return case


class PublishIn(BaseModel):
    """What the reviewer approves for the guide (defaults: the case's own words)."""

    symptoms: str | None = Field(
        None, min_length=3, max_length=1000, description="The problem, without personal data"
    )
    solution: str | None = Field(None, max_length=2000, description="How it was solved")


class PublishOut(BaseModel):
    """The knowledge base after publishing."""

    doc_id: str
    chunks: int
    added: int
    updated: int


@router.post("/cases/{number}/publish", summary="Publish a resolved case to the knowledge base")
async def publish_case(
    number: str,
    body: PublishIn,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    service: ChatServiceDep,
) -> PublishOut:
    """Staff or admin review a resolved or closed case and publish it as a "casos resueltos"
    guide the support agents can find (the problem, the vehicle, the diagnosis and the
    solution; never the customer's name, phone or folio). 409 naming ``status`` before it is
    resolved; publishing again replaces the guide."""
    if principal.role not in (Role.STAFF, Role.ADMIN):
        raise PermissionDenied(f"role '{principal.role.value}' may not publish cases")
    case = repo.detail(session, repo.get_case(session, number))
    kb = service.kb or open_knowledge_base(settings)
    report = await anyio.to_thread.run_sync(
        lambda: resolved_cases.publish(
            kb, settings, case, symptoms=body.symptoms, solution=body.solution
        )
    )
    return PublishOut(
        doc_id=f"caso-{case.number.lower()}",
        chunks=report.chunks,
        added=report.added,
        updated=report.updated,
    )


# --- technicians ---------------------------------------------------------------------------------


@router.get("/technicians", summary="Technicians told about new cases")
async def list_technicians(session: SessionDep, _: CaseWorker) -> list[TechnicianPublic]:
    """Every technician contact, on duty first."""
    return technicians.list_technicians(session)


class TechnicianIn(BaseModel):
    """A technician's contact and duty."""

    phone: Phone | None = Field(None, description="E.164, for WhatsApp notices")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    notify_channel: NotifyChannel = NotifyChannel.WHATSAPP
    on_duty: bool = False


@router.put("/technicians/{key_prefix}", summary="Save a technician's contact and duty")
async def save_technician(
    key_prefix: str,
    body: TechnicianIn,
    request: Request,
    engine: EngineDep,
    principal: CaseWorker,
) -> TechnicianPublic:
    """Staff and admins for anyone; a technician only for their own key. On-duty technicians
    get a WhatsApp or e-mail for every new case."""
    if principal.role == Role.TECHNICIAN and principal.key_prefix != key_prefix:
        raise PermissionDenied("a technician may only change their own contact", field="key_prefix")

    def run() -> TechnicianPublic:
        with session_scope(engine, write=True) as session:
            return technicians.save_technician(
                session,
                key_prefix=key_prefix,
                phone=body.phone,
                email=body.email,
                notify_channel=body.notify_channel,
                on_duty=body.on_duty,
                actor=principal.actor,
            )

    return await run_write(request, run)
