"""Support cases from chat: a customer escalates a problem (one open case per problem) and rates
it; a technician lists, reads, claims, comments, answers, resolves and closes cases.

Who speaks comes from the context: the customer bound to the conversation, or the technician's
API key (the conversation's owner). Never from arguments.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import select

from core.errors import Conflict, InvalidRequest, NotFound
from db.repositories import cases as repo
from db.repositories import crm
from db.repositories.cases import CaseFilter, CaseOpening, Staffer
from db.tables import ApiKey, ChatSession, Customer, SupportCase
from domain.case_results import CaseDetail, CaseList, CaseRating, CaseUpdate, OpenedCase
from domain.cases import OPEN_STATUSES, CasePriority, CaseStatus, ResolutionCode
from domain.clock import as_utc
from domain.diagnosis import BY_CODE
from tools.base import CUSTOMER_ONLY, TECHNICIAN_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.identity import order_by_folio

STATUS_ES = {
    "new": "nuevo",
    "assigned": "asignado",
    "waiting_customer": "esperando al cliente",
    "resolved": "resuelto",
    "closed": "cerrado",
}
NOT_YOURS = "No encontré ese caso a tu nombre. ¿Me confirmas el número? (p. ej. CS-000123)"
NO_TECHNICIAN = "No sé qué técnico eres: entra con tu llave de técnico para trabajar casos."


def _refusal(exc: NotFound | Conflict | InvalidRequest, number: str) -> ToolRefused:
    """The repository's refusal in Spanish."""
    if isinstance(exc, InvalidRequest) and exc.field == "number":
        return ToolRefused(f"'{number}' no es un número de caso; se escribe como CS-000123.")
    if isinstance(exc, NotFound):
        return ToolRefused(f"No encontré el caso {number}.")
    if isinstance(exc, Conflict) and exc.field == "assignee":
        return ToolRefused(f"El caso {number} ya lo tiene otro técnico.")
    return ToolRefused(f"No se puede con el caso {number}: {exc.message}")


# --- customers ---------------------------------------------------------------------------------


class OpenCaseArgs(BaseModel):
    """Arguments of open_support_case."""

    symptoms: str = Field(
        min_length=3, max_length=600, description="El problema con las palabras del cliente"
    )
    problem_codes: list[str] = Field(
        default_factory=list,
        max_length=6,
        description="Códigos de diagnose_problem (vibration, bulge, puncture...), si los hay",
    )
    vehicle: str | None = Field(None, max_length=120, description="Vehículo, p. ej. Jetta 2020")
    folio: str | None = Field(None, max_length=16, description="Folio de su pedido, TL-000123")
    sku: str | None = Field(None, max_length=40, description="SKU de la llanta, si se sabe")
    dot: str | None = Field(None, max_length=20, description="Código DOT de la llanta")
    kb_ids: list[str] = Field(
        default_factory=list, max_length=20, description="Ids de los artículos ya mostrados"
    )
    priority_hint: CasePriority | None = Field(
        None, description="urgent/high/normal/low si el cliente lo pide; solo sube la prioridad"
    )


def _customer(tx: ToolTx, ctx: ToolContext) -> Customer:
    customer_id = ctx.effective_customer_id
    if customer_id is None:
        chat = tx.session.get(ChatSession, ctx.session_id)
        customer_id = chat.customer_id if chat is not None else None
    found = tx.session.get(Customer, customer_id) if customer_id is not None else None
    if found is None:  # an anonymous web chat: a guest, so the case has someone to answer
        found = crm.guest_for_session(tx.session, ctx.session_id, actor=ctx.actor)
        tx.bound_customer_id = found.id
    return found


def open_support_case(ctx: ToolContext, args: OpenCaseArgs) -> OpenedCase:
    """Abre un caso para un técnico cuando el problema necesita a una persona (garantía,
    revisión, una falla que el diagnóstico no resuelve) con lo que ya se sabe: síntomas,
    códigos de diagnose_problem, vehículo, folio, DOT y artículos mostrados; la plática se
    guarda en el caso. Si el cliente ya tiene un caso abierto del mismo problema (o pregunta
    "¿ya me van a hablar?"), agrega el mensaje a ese caso y no abre otro. Devuelve número,
    estado, prioridad y hora límite de respuesta. Solo para clientes."""
    with ctx.transaction(write=True) as tx:
        return open_case_in(tx, ctx, args)


def open_case_in(tx: ToolTx, ctx: ToolContext, args: OpenCaseArgs) -> OpenedCase:
    """open_support_case inside a caller's transaction (a hand-off to a technician opens the
    case in the same commit as its lead)."""
    customer = _customer(tx, ctx)
    folio = order_by_folio(tx, ctx, args.folio).folio if args.folio else None
    codes = [c for c in dict.fromkeys(args.problem_codes) if c in BY_CODE]
    opening = CaseOpening(
        session_id=ctx.session_id,
        channel=ctx.channel,
        customer_id=customer.id,
        customer_phone=customer.phone,
        symptoms=args.symptoms,
        problem_codes=codes,
        diagnosis_summary="; ".join(BY_CODE[c].title for c in codes),
        vehicle=args.vehicle,
        order_folio=folio,
        sku=args.sku,
        dot=args.dot,
        kb_chunk_ids=args.kb_ids,
        transcript=list(ctx.transcript),
        priority_hint=args.priority_hint,
    )
    case, created = repo.open_case(tx.session, opening, actor=ctx.actor)
    assert case.number is not None
    return OpenedCase(
        number=case.number,
        status=CaseStatus(case.status),
        priority=CasePriority(case.priority),
        sla_due_at=as_utc(case.sla_due_at),
        attached=not created,
        technicians_notified=repo.technicians_notified(tx.session, case) if created else 0,
    )


class RateArgs(BaseModel):
    """Arguments of rate_case."""

    rating: int = Field(ge=1, le=5, description="Calificación del 1 al 5")
    comment: str | None = Field(None, max_length=500, description="Comentario, si lo dio")
    number: str | None = Field(None, max_length=16, description="CS-000123; vacío: su último caso")


def rate_case(ctx: ToolContext, args: RateArgs) -> CaseRating:
    """Guarda la calificación (1 a 5) y el comentario del cliente sobre la atención de su caso
    resuelto (responde a la encuesta que le mandamos). Sin número, su caso más reciente. Solo
    casos del propio cliente; un caso aún abierto no se califica."""
    with ctx.transaction(write=True) as tx:
        chat = tx.session.get(ChatSession, ctx.session_id)
        customer_id = ctx.effective_customer_id or (chat.customer_id if chat else None)
        try:
            case = repo.customer_case(tx.session, args.number, customer_id)
            repo.rate(tx.session, case, args.rating, args.comment, actor=ctx.actor)
        except NotFound as exc:
            raise ToolRefused(NOT_YOURS) from exc
        except Conflict as exc:
            raise ToolRefused(
                f"Tu caso {case.number} sigue abierto; un técnico te contesta pronto."
            ) from exc
        except InvalidRequest as exc:
            raise ToolRefused(NOT_YOURS) from exc
        assert case.number is not None and case.satisfaction is not None
        return CaseRating(
            number=case.number, satisfaction=case.satisfaction, comment=case.satisfaction_comment
        )


# --- technicians -------------------------------------------------------------------------------


def _staffer(tx: ToolTx, ctx: ToolContext) -> Staffer:
    """The technician of this conversation: its owner is their API key (``key:<prefix>``)."""
    chat = tx.session.get(ChatSession, ctx.session_id)
    parts = chat.owner.split(":") if chat is not None else []
    if len(parts) < 2 or parts[0] != "key":
        raise ToolRefused(NO_TECHNICIAN)
    key = tx.session.exec(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if key is None:
        raise ToolRefused(NO_TECHNICIAN)
    return Staffer(key_prefix=key.prefix, name=key.name, actor=f"key:{key.prefix}:{key.name}")


def _case(tx: ToolTx, number: str) -> SupportCase:
    try:
        return repo.get_case(tx.session, number)
    except (NotFound, InvalidRequest) as exc:
        raise _refusal(exc, number) from exc


def _update(case: SupportCase, sent_to: str | None = None) -> CaseUpdate:
    assert case.number is not None
    return CaseUpdate(
        number=case.number, status=CaseStatus(case.status), assignee=case.assignee, sent_to=sent_to
    )


class ListCasesArgs(BaseModel):
    """Arguments of list_my_cases."""

    status: CaseStatus | None = Field(
        None, description="new, assigned, waiting_customer, resolved o closed; vacío: abiertos"
    )
    scope: Literal["mine", "unassigned", "all"] = Field(
        "mine",
        description="mine (mis casos), unassigned (sin técnico) o all",
    )


def list_my_cases(ctx: ToolContext, args: ListCasesArgs) -> CaseList:
    """Casos de soporte del técnico ("¿qué casos tengo pendientes?"): los suyos (mine), los
    que nadie ha tomado (unassigned) o todos (all); por estado, o los abiertos si no se dice.
    Los más urgentes primero, con prioridad y hora límite. Solo para técnicos."""
    with ctx.transaction() as tx:
        me = _staffer(tx, ctx)
        statuses = [args.status] if args.status else sorted(OPEN_STATUSES)
        where = CaseFilter(
            statuses=statuses,
            assignee=me.key_prefix if args.scope == "mine" else None,
            unassigned=args.scope == "unassigned",
        )
        page = repo.list_cases(tx.session, where, limit=20)
        return CaseList(cases=page.items, total=page.total)


class CaseArgs(BaseModel):
    """A case by its number."""

    number: str = Field(min_length=2, max_length=16, description="Número de caso, CS-000123")


def get_case(ctx: ToolContext, args: CaseArgs) -> CaseDetail:
    """Abre un caso ("abre el CS-000123"): cliente, vehículo, folio, DOT, síntomas,
    diagnóstico, artículos mostrados, la plática completa con sus fotos, y su historial.
    Solo para técnicos."""
    with ctx.transaction() as tx:
        _staffer(tx, ctx)
        return repo.detail(tx.session, _case(tx, args.number))


def claim_case(ctx: ToolContext, args: CaseArgs) -> CaseUpdate:
    """Toma un caso nuevo (queda asignado a este técnico); uno resuelto se reabre. Si ya lo
    tiene otro técnico, lo dice. Solo para técnicos."""
    with ctx.transaction(write=True) as tx:
        me = _staffer(tx, ctx)
        case = _case(tx, args.number)
        try:
            return _update(repo.claim(tx.session, case, me))
        except Conflict as exc:
            raise _refusal(exc, args.number) from exc


class CommentArgs(CaseArgs):
    """Arguments of comment_case."""

    text: str = Field(min_length=1, max_length=2000, description="Nota interna")


def comment_case(ctx: ToolContext, args: CommentArgs) -> CaseUpdate:
    """Agrega una nota interna al caso (el cliente no la ve). Solo para técnicos."""
    with ctx.transaction(write=True) as tx:
        me = _staffer(tx, ctx)
        return _update(repo.comment(tx.session, _case(tx, args.number), args.text, me))


class ReplyArgs(CaseArgs):
    """Arguments of reply_to_case_customer."""

    text: str = Field(
        min_length=1, max_length=1000, description="Lo que se le dice al cliente, tal cual"
    )
    wait_for_customer: bool = Field(
        True, description="true si se le pregunta algo y el caso espera su respuesta"
    )


def reply_to_case_customer(ctx: ToolContext, args: ReplyArgs) -> CaseUpdate:
    """Le responde al cliente del caso ("respóndele que ..."): el mensaje sale por su WhatsApp
    (o correo) y aparece en su conversación. Un caso nuevo queda asignado a quien responde.
    Devuelve a dónde se mandó. No para casos resueltos o cerrados. Solo para técnicos."""
    with ctx.transaction(write=True) as tx:
        me = _staffer(tx, ctx)
        case = _case(tx, args.number)
        try:
            case, sent = repo.reply(tx.session, case, args.text, me, wait=args.wait_for_customer)
        except Conflict as exc:
            raise ToolRefused(
                f"El caso {args.number} está {STATUS_ES.get(case.status, case.status)}; "
                "tómalo de nuevo (claim_case) para responder."
            ) from exc
        return _update(case, sent.to)


class ResolveArgs(CaseArgs):
    """Arguments of resolve_case."""

    resolution_code: ResolutionCode = Field(
        description="repaired, replaced, warranty_approved, warranty_denied, service_booked, "
        "advice_given, no_fault_found, duplicate, no_response u other"
    )
    note: str = Field("", max_length=2000, description="Qué se encontró y qué se hizo")


def resolve_case(ctx: ToolContext, args: ResolveArgs) -> CaseUpdate:
    """Da por resuelto un caso con un código de resolución y una nota ("ciérralo, era la
    válvula" → repaired, nota "válvula"). Al cliente le llega un mensaje de seguimiento con
    la encuesta de satisfacción (1 a 5). Solo para técnicos."""
    with ctx.transaction(write=True) as tx:
        me = _staffer(tx, ctx)
        case = _case(tx, args.number)
        try:
            case, sent = repo.resolve(tx.session, case, args.resolution_code, args.note, me)
        except Conflict as exc:
            raise ToolRefused(
                f"El caso {args.number} ya está {STATUS_ES.get(case.status, case.status)}."
            ) from exc
        return _update(case, sent.to)


def close_case(ctx: ToolContext, args: CaseArgs) -> CaseUpdate:
    """Cierra un caso ya resuelto (después de la encuesta). Un caso abierto primero se
    resuelve con resolve_case. Solo para técnicos."""
    with ctx.transaction(write=True) as tx:
        me = _staffer(tx, ctx)
        case = _case(tx, args.number)
        try:
            return _update(repo.close(tx.session, case, me))
        except Conflict as exc:
            raise ToolRefused(
                f"El caso {args.number} está {STATUS_ES.get(case.status, case.status)}; "
                "primero se resuelve (resolve_case) y luego se cierra."
            ) from exc


OPEN_SUPPORT_CASE = tool(open_support_case, OpenCaseArgs, roles=CUSTOMER_ONLY, writes=True)
RATE_CASE = tool(rate_case, RateArgs, roles=CUSTOMER_ONLY, writes=True)
LIST_MY_CASES = tool(list_my_cases, ListCasesArgs, roles=TECHNICIAN_ONLY)
GET_CASE = tool(get_case, CaseArgs, roles=TECHNICIAN_ONLY)
CLAIM_CASE = tool(claim_case, CaseArgs, roles=TECHNICIAN_ONLY, writes=True)
COMMENT_CASE = tool(comment_case, CommentArgs, roles=TECHNICIAN_ONLY, writes=True)
REPLY_TO_CASE_CUSTOMER = tool(reply_to_case_customer, ReplyArgs, roles=TECHNICIAN_ONLY, writes=True)
RESOLVE_CASE = tool(resolve_case, ResolveArgs, roles=TECHNICIAN_ONLY, writes=True)
CLOSE_CASE = tool(close_case, CaseArgs, roles=TECHNICIAN_ONLY, writes=True)
CASE_TOOLS = (
    OPEN_SUPPORT_CASE,
    RATE_CASE,
    LIST_MY_CASES,
    GET_CASE,
    CLAIM_CASE,
    COMMENT_CASE,
    REPLY_TO_CASE_CUSTOMER,
    RESOLVE_CASE,
    CLOSE_CASE,
)
