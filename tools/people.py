"""Hand-offs to a person: the customer asks for one, or a refund needs one (CRM leads)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from db.repositories import crm
from domain.dialogue import HandoffReason
from domain.sales import OrderPublic
from domain.tool_results import HandoffResult
from tools.base import CUSTOMER_ONLY, ToolContext, ToolTx, tool
from tools.identity import speaker

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
        lead = crm.create_lead(
            tx.session,
            session_id=ctx.session_id,
            customer_id=_local_customer_id(tx, ctx),
            channel=ctx.channel,
            reason=args.reason,
            summary=_summary(ctx),
            kind=args.kind,
            actor=ctx.actor,
        )
        return HandoffResult(
            lead_id=lead.id or 0, status=lead.status, reason=lead.reason, kind=lead.kind
        )


HANDOFF_TO_HUMAN = tool(handoff_to_human, HandoffArgs, roles=CUSTOMER_ONLY, writes=True)
