"""Case tools through run_tool, as the agents call them: customers open and rate their own
cases, technicians (identified by their API key, the conversation's owner) work them."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from db.engine import session_scope
from db.repositories.api_keys import create_key
from db.repositories.chat import start_session
from db.tables import ChatSession, Customer, Order, Outbox, SupportCase
from domain.case_results import CaseDetail, CaseList, CaseRating, CaseUpdate, OpenedCase
from tests.tools.conftest import MakeCtx, call, customer_of, refusal
from tools.base import ToolContext
from tools.cases import (
    CLAIM_CASE,
    CLOSE_CASE,
    COMMENT_CASE,
    GET_CASE,
    LIST_MY_CASES,
    OPEN_SUPPORT_CASE,
    RATE_CASE,
    REPLY_TO_CASE_CUSTOMER,
    RESOLVE_CASE,
)

BULGE = {"symptoms": "le salió un chipote a la llanta", "problem_codes": ["bulge"]}


def technician(engine: Engine, settings: Settings, name: str = "Tere") -> ToolContext:
    """A technician's staff-console conversation, owned by their API key."""
    with session_scope(engine, write=True) as session:
        _, key = create_key(session, role="technician", name=name, actor="test")
        chat = start_session(
            session, owner=f"key:{key.prefix}", role="technician", channel="web", customer_id=None
        )
    return ToolContext(
        engine=engine, settings=settings, session_id=chat.id, channel="web", role="technician"
    )


def customer_ctx(make_ctx: MakeCtx, customer: Customer) -> ToolContext:
    ctx = make_ctx(customer_id=customer.id, channel="whatsapp")
    ctx.transcript = ["Cliente: le salió un chipote a la llanta", "TopLlantas: no la uses"]
    return ctx


def test_a_customer_opens_one_case_and_a_follow_up_joins_it(make_ctx: MakeCtx) -> None:
    ctx = customer_ctx(make_ctx, customer_of(make_ctx().engine))
    opened = call(
        OPEN_SUPPORT_CASE, ctx, OpenedCase, vehicle="Jetta 2020", kb_ids=["kb-7"], **BULGE
    )
    assert opened.number.startswith("CS-") and not opened.attached
    assert (opened.status, opened.priority) == ("new", "urgent")
    ctx.transcript.append("Cliente: ya me van a hablar?")
    again = call(OPEN_SUPPORT_CASE, ctx, OpenedCase, symptoms="ya me van a hablar?")
    assert again.number == opened.number and again.attached
    with Session(ctx.engine) as s:
        (case,) = s.exec(select(SupportCase)).all()
    assert case.transcript[-1] == "Cliente: ya me van a hablar?"
    assert case.kb_chunk_ids == ["kb-7"] and case.diagnosis_summary
    assert case.customer_id == ctx.customer_id and case.channel == "whatsapp"


def test_an_anonymous_web_customer_gets_a_guest_to_answer(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    opened = call(OPEN_SUPPORT_CASE, ctx, OpenedCase, **BULGE)
    with Session(ctx.engine) as s:
        case = s.exec(select(SupportCase)).one()
        chat = s.get(ChatSession, ctx.session_id)
    assert case.number == opened.number and case.customer_id is not None
    assert chat is not None and chat.customer_id == case.customer_id


def test_a_folio_must_be_the_customers_own(make_ctx: MakeCtx) -> None:
    customer = customer_of(make_ctx().engine)
    with Session(make_ctx().engine) as s:
        foreign = s.exec(
            select(Order).where(Order.customer_id != customer.id).order_by(col(Order.id))
        ).first()
    assert foreign is not None and foreign.folio
    ctx = customer_ctx(make_ctx, customer)
    assert "No encontré ese pedido" in refusal(OPEN_SUPPORT_CASE, ctx, folio=foreign.folio, **BULGE)
    with Session(ctx.engine) as s:
        assert s.exec(select(SupportCase)).all() == []


def test_roles_customers_cannot_work_cases_and_technicians_cannot_open_them(
    make_ctx: MakeCtx, engine: Engine, settings: Settings
) -> None:
    ctx = customer_ctx(make_ctx, customer_of(engine))
    number = call(OPEN_SUPPORT_CASE, ctx, OpenedCase, **BULGE).number
    for spec, args in (
        (LIST_MY_CASES, {}),
        (GET_CASE, {"number": number}),
        (CLAIM_CASE, {"number": number}),
        (REPLY_TO_CASE_CUSTOMER, {"number": number, "text": "hola"}),
        (RESOLVE_CASE, {"number": number, "resolution_code": "other"}),
    ):
        assert "no lo puedo hacer" in refusal(spec, ctx, **args)
    tech = technician(engine, settings)
    assert refusal(OPEN_SUPPORT_CASE, tech, **BULGE)
    assert refusal(RATE_CASE, tech, rating=5)
    # A technician chat not owned by a technician key (an anonymous owner) is not a technician.
    anonymous = make_ctx(role="technician")
    assert "llave de técnico" in refusal(LIST_MY_CASES, anonymous)


def test_a_technician_works_a_case_from_chat_and_the_customer_rates_it(
    make_ctx: MakeCtx, engine: Engine, settings: Settings
) -> None:
    customer = customer_of(engine)
    cust = customer_ctx(make_ctx, customer)
    number = call(OPEN_SUPPORT_CASE, cust, OpenedCase, **BULGE).number
    tere, memo = technician(engine, settings), technician(engine, settings, "Memo")
    queue = call(LIST_MY_CASES, tere, CaseList, scope="unassigned")
    assert [c.number for c in queue.cases] == [number]
    assert call(LIST_MY_CASES, tere, CaseList).cases == []  # nothing of mine yet
    claimed = call(CLAIM_CASE, tere, CaseUpdate, number=number.lower().replace("-", " "))
    assert claimed.status == "assigned" and claimed.assignee
    assert "ya lo tiene otro técnico" in refusal(CLAIM_CASE, memo, number=number)
    assert [c.number for c in call(LIST_MY_CASES, tere, CaseList).cases] == [number]
    opened = call(GET_CASE, tere, CaseDetail, number=number)
    assert opened.transcript[0] == "Cliente: le salió un chipote a la llanta"
    assert opened.customer_phone == customer.phone and opened.customer_name == customer.name
    call(COMMENT_CASE, tere, CaseUpdate, number=number, text="llamar después de las 5")
    replied = call(
        REPLY_TO_CASE_CUSTOMER, tere, CaseUpdate, number=number, text="¿Nos mandas una foto?"
    )
    assert replied.status == "waiting_customer" and replied.sent_to == customer.phone
    assert "primero se resuelve" in refusal(CLOSE_CASE, tere, number=number)
    assert f"Tu caso {number} sigue abierto" in refusal(RATE_CASE, cust, rating=5)
    resolved = call(
        RESOLVE_CASE, tere, CaseUpdate, number=number, resolution_code="repaired", note="válvula"
    )
    assert resolved.status == "resolved" and resolved.sent_to == customer.phone
    # Another customer cannot rate it, by number or otherwise.
    stranger = make_ctx(customer_id=customer_of(engine, "dealer").id)
    assert "No encontré ese caso" in refusal(RATE_CASE, stranger, rating=1, number=number)
    assert "No encontré ese caso" in refusal(RATE_CASE, stranger, rating=1)
    rated = call(RATE_CASE, cust, CaseRating, rating=5, comment="muy rápido")
    assert (rated.number, rated.satisfaction, rated.comment) == (number, 5, "muy rápido")
    closed = call(CLOSE_CASE, tere, CaseUpdate, number=number)
    assert closed.status == "closed"
    assert "ya está cerrado" in refusal(RESOLVE_CASE, tere, number=number, resolution_code="other")
    assert "no es un número de caso" in refusal(GET_CASE, tere, number="TL-000001")
    assert "No encontré el caso" in refusal(GET_CASE, tere, number="CS-999999")
    with Session(engine) as s:
        kinds = [o.kind for o in s.exec(select(Outbox).order_by(col(Outbox.id))).all()]
    assert kinds.count("case_reply") == 1 and kinds.count("case_survey") == 1
