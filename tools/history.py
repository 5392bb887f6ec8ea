"""A customer's technical history for support: what they bought from us, their support cases
and their upcoming shop appointments (the customer of this conversation only)."""

from __future__ import annotations

from pydantic import BaseModel

from db.repositories.appointments import upcoming_for_customer
from db.repositories.cases import CaseFilter, list_cases
from domain.clock import as_utc
from domain.tool_results import Result
from tools.appointments import public_view as appointment_public
from tools.base import CUSTOMER_ONLY, ToolContext, tool
from tools.identity import speaker
from tools.order_views import describe

HISTORY_ORDERS = 10
HISTORY_CASES = 10


class PastPurchase(Result):
    """An order of the customer, as support needs it (what and when)."""

    folio: str
    status: str
    bought_on: str  # ISO date (UTC)
    items: str  # "4 x Michelin Primacy 4+ 205/55R16"


class PastCase(Result):
    """A support case of the customer."""

    number: str
    status: str
    opened_on: str
    symptoms: str


class UpcomingVisit(Result):
    """A booked shop appointment."""

    number: str
    service: str
    when: str  # "martes 1 de diciembre a las 10:30"
    branch: str


class TechnicalHistory(Result):
    """get_technical_history."""

    identified: bool  # False: an anonymous chat with no purchases yet
    purchases: list[PastPurchase]
    cases: list[PastCase]
    appointments: list[UpcomingVisit]


class NoArgs(BaseModel):
    """No arguments: the customer is the one in this conversation."""


def get_technical_history(ctx: ToolContext, _: NoArgs) -> TechnicalHistory:
    """Historial técnico del cliente de esta plática: sus compras (folio, fecha, llantas), sus
    casos de soporte (número, estado, síntomas) y sus citas próximas. Úsalo antes de
    diagnosticar o de hablar de garantía, para no preguntar lo que ya sabemos. Solo del propio
    cliente."""
    with ctx.transaction() as tx:
        who = speaker(tx, ctx)
        if who is None:
            return TechnicalHistory(identified=False, purchases=[], cases=[], appointments=[])
        orders = tx.erp.list_orders(customer_id=who.erp_id, limit=HISTORY_ORDERS)
        purchases = [
            PastPurchase(
                folio=o.folio,
                status=o.status.value,
                bought_on=as_utc(o.created_at).date().isoformat(),
                items=describe(o),
            )
            for o in orders
        ]
        cases: list[PastCase] = []
        visits: list[UpcomingVisit] = []
        if who.local is not None and who.local.id is not None:
            page = list_cases(tx.session, CaseFilter(customer_id=who.local.id), limit=HISTORY_CASES)
            cases = [
                PastCase(
                    number=c.number,
                    status=c.status.value,
                    opened_on=as_utc(c.created_at).date().isoformat(),
                    symptoms=c.symptoms,
                )
                for c in page.items
            ]
            for row in upcoming_for_customer(tx.session, who.local.id):
                shown = appointment_public(tx, row)
                visits.append(
                    UpcomingVisit(
                        number=shown.number,
                        service=shown.service_name,
                        when=shown.label,
                        branch=shown.branch.name,
                    )
                )
        return TechnicalHistory(
            identified=True, purchases=purchases, cases=cases, appointments=visits
        )


GET_TECHNICAL_HISTORY = tool(get_technical_history, NoArgs, roles=CUSTOMER_ONLY)
