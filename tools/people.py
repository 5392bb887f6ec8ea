"""Hand-offs to a person: the customer asks for one, or a refund needs one (CRM leads)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from db.repositories import crm
from domain.case_results import OpenedCase
from domain.diagnosis import diagnose
from domain.dialogue import HandoffReason
from domain.sales import OrderPublic
from domain.tool_results import HandoffResult
from tools.base import CUSTOMER_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.cases import OpenCaseArgs, open_case_in
from tools.identity import order_by_folio, speaker

SUMMARY_LINES = 12


class HandoffArgs(BaseModel):
    """Arguments of handoff_to_human."""

    reason: str = Field(min_length=2, max_length=200, description="Por qué, en pocas palabras")
    kind: HandoffReason = Field(
        HandoffReason.OTHER,
        description="customer_asked, home_installation, warranty, technical, delivery_issue, "
        "volume_sale, refund u other",
    )


def _summary(ctx: ToolContext) -> str:
    return "\n".join(ctx.transcript[-SUMMARY_LINES:]) or "(sin mensajes)"


def _local_customer_id(tx: ToolTx, ctx: ToolContext) -> int | None:
    who = speaker(tx, ctx)
    if who is not None and who.local is not None:
        return who.local.id
    return ctx.effective_customer_id


def refund_lead(tx: ToolTx, ctx: ToolContext, order: OrderPublic) -> int:
    """A case for a person to refund what a cancelled order had paid."""
    lead = crm.create_lead(
        tx.session,
        session_id=ctx.session_id,
        customer_id=_local_customer_id(tx, ctx),
        channel=ctx.channel,
        reason=f"Reembolso de {order.paid_cents / 100:,.2f} MXN del pedido cancelado {order.folio}",
        summary=_summary(ctx),
        kind=HandoffReason.REFUND,
        # The lead points at our order row only when the store of record is our database.
        order_id=order.id if tx.erp.shares_database else None,
        actor=ctx.actor,
    )
    return lead.id or 0


def handoff_to_human(ctx: ToolContext, args: HandoffArgs) -> HandoffResult:
    """Pasa la conversación a una persona (asesor o técnico): abre un caso con el resumen de
    la plática y el motivo (kind). Si ya lo pidió en esta plática y sigue pendiente, devuelve
    ese mismo caso. Solo para clientes."""
    with ctx.transaction(write=True) as tx:
        # A technical or warranty problem is also a technician's case (one per problem: a
        # later "en la tarde me pueden marcar" is added to it), with what is known so far.
        case = _technician_case(tx, ctx, args) if args.kind in FOR_TECHNICIANS else None
        lead = crm.create_lead(
            tx.session,
            session_id=ctx.session_id,
            # The case's customer (a guest made for an anonymous chat), or the speaker.
            customer_id=tx.bound_customer_id or _local_customer_id(tx, ctx),
            channel=ctx.channel,
            reason=args.reason,
            summary=_summary(ctx),
            kind=args.kind,
            actor=ctx.actor,
        )
        return HandoffResult(
            lead_id=lead.id or 0,
            status=lead.status,
            reason=lead.reason,
            kind=lead.kind,
            case_number=case.number if case is not None else None,
        )


FOR_TECHNICIANS = frozenset({HandoffReason.TECHNICAL, HandoffReason.WARRANTY})
_FOLIO = re.compile(r"\bTL-\d{6}\b", re.IGNORECASE)


def _technician_case(tx: ToolTx, ctx: ToolContext, args: HandoffArgs) -> OpenedCase:
    slots = ctx.dialogue.slots
    said = " ".join(
        line.split(":", 1)[1].strip() for line in ctx.transcript if line.startswith("Cliente:")
    )
    symptoms = slots.symptoms or said[-600:] or args.reason
    named = _FOLIO.search(args.reason)
    folio: str | None = named[0].upper() if named else None
    if folio is not None:
        try:
            order_by_folio(tx, ctx, folio)  # only the customer's own order goes on the case
        except ToolRefused:
            folio = None
    vehicle = slots.vehicle
    return open_case_in(
        tx,
        ctx,
        OpenCaseArgs(
            symptoms=symptoms[:600] if len(symptoms) >= 3 else args.reason,
            problem_codes=[p.code for p in diagnose(symptoms)],
            vehicle=" ".join(str(v) for v in (vehicle.make, vehicle.model, vehicle.year) if v)
            or None,
            folio=folio,
        ),
    )


HANDOFF_TO_HUMAN = tool(handoff_to_human, HandoffArgs, roles=CUSTOMER_ONLY, writes=True)
