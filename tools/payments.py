"""Payment tools: the link to pay now (deposit, then balance) and the ways a customer can pay."""

from __future__ import annotations

from pydantic import BaseModel

from adapters.payments.base import PaymentMethod
from adapters.payments.local import build_payment_provider
from core.errors import Conflict, NotFound
from domain.clock import as_utc, utcnow
from domain.enums import OrderStatus
from domain.sales import LinkPurpose, OrderPublic
from domain.services import MSI_MINIMUM_CENTS
from domain.tool_results import MsiTerm, PaymentLinkInfo, PaymentLinkResult, PaymentOptions
from tools import messages
from tools.base import CUSTOMER_ONLY, ToolContext, ToolRefused, tool
from tools.guest_holds import guest_rules
from tools.orders import FolioArgs, order_to_act_on

ONLINE_ES = {
    PaymentMethod.CREDIT_CARD: "tarjeta de crédito",
    PaymentMethod.DEBIT_CARD: "tarjeta de débito",
    PaymentMethod.OXXO: "efectivo en OXXO",
    PaymentMethod.SPEI: "transferencia SPEI",
}
COUNTER_ES = {"cash": "efectivo", "card": "tarjeta", "transfer": "transferencia"}


NEEDS_PAYMENT = frozenset(
    {
        OrderStatus.RESERVED,
        OrderStatus.PAID,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERED,
    }
)


class NoArgs(BaseModel):
    """A tool without arguments."""


def _pending_token(order: OrderPublic, purpose: LinkPurpose) -> str | None:
    now = utcnow()
    return next(
        (
            link.token
            for link in order.payment_links
            if link.purpose == purpose
            and link.status == "pending"
            and as_utc(link.expires_at) > now
        ),
        None,
    )


def resend_payment_link(ctx: ToolContext, args: FolioArgs) -> PaymentLinkResult:
    """Vuelve a dar el link de pago: el del anticipo mientras el apartado no está pagado (el
    mismo si sigue vigente, uno nuevo si venció y el apartado sigue en pie); ya pagado el
    anticipo, un link por el saldo. Si no se debe nada, lo dice. Úsala para "¿me pasas otra vez
    el link?", "¿cómo pago lo que falta?"."""
    with ctx.transaction(write=True) as tx:
        order = order_to_act_on(tx, ctx, args.folio, NEEDS_PAYMENT)
        if order.status not in NEEDS_PAYMENT:
            raise ToolRefused(messages.nothing_to_pay(order.folio, order.status.value))
        if order.balance_cents <= 0:
            raise ToolRefused(messages.fully_paid(order.folio))
        purpose: LinkPurpose = "deposit" if order.status == OrderStatus.RESERVED else "balance"
        if purpose == "deposit" and (
            order.held_until is None or as_utc(order.held_until) <= utcnow()
        ):
            raise ToolRefused(messages.hold_expired(order.folio))
        before = _pending_token(order, purpose)
        try:
            link = tx.erp.payment_link(order.id, purpose)
        except (Conflict, NotFound) as exc:
            raise ToolRefused(messages.nothing_to_pay(order.folio, order.status.value)) from exc
        tx.dialogue.slots.order_folio = order.folio
        return PaymentLinkResult(
            folio=order.folio,
            link=PaymentLinkInfo(
                url=link.url,
                amount_cents=link.amount_cents,
                status=link.status,
                expires_at=link.expires_at,
            ),
            purpose=purpose,
            new=link.token != before,
            balance_cents=order.balance_cents,
        )


def get_payment_options(ctx: ToolContext, _: NoArgs) -> PaymentOptions:
    """Cómo se puede pagar, de verdad: con el link de pago (lo que acepta el proveedor, p. ej.
    tarjeta de crédito o débito), en la sucursal (p. ej. efectivo o tarjeta), si hay fichas
    OXXO o transferencia SPEI, los meses sin intereses con su compra mínima y el anticipo para
    apartar. Úsala para "¿puedo pagar en efectivo / en OXXO / con transferencia?"."""
    methods = build_payment_provider(ctx.settings).methods
    payments = ctx.settings.payments
    with ctx.transaction() as tx:  # an anonymous chat's holds are short: say so
        guest = guest_rules(tx, ctx)
    return PaymentOptions(
        online_methods=[ONLINE_ES[m] for m in methods],
        in_store_methods=[COUNTER_ES[m] for m in payments.counter_methods],
        cash_voucher=payments.oxxo_vouchers or PaymentMethod.OXXO in methods,
        bank_transfer=payments.spei_transfers or PaymentMethod.SPEI in methods,
        msi_minimums=[
            MsiTerm(months=m, monthly_cents=c) for m, c in sorted(MSI_MINIMUM_CENTS.items())
        ],
        deposit_cents=payments.deposit_cents,
        hold_hours=guest.hold_hours if guest is not None else None,
    )


RESEND_PAYMENT_LINK = tool(resend_payment_link, FolioArgs, roles=CUSTOMER_ONLY, writes=True)
GET_PAYMENT_OPTIONS = tool(get_payment_options, NoArgs)
