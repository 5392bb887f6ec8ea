"""Order status: the order the customer means (or the ones to choose from), told honestly."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.orders import choose_order
from domain.tool_results import OrderStatus
from tools import messages
from tools.base import ToolContext, ToolRefused, tool
from tools.identity import customer_orders, order_by_folio, speaker
from tools.order_views import details, summary

LOOKBACK = 50  # orders considered when the customer gives no folio


class OrderStatusArgs(BaseModel):
    """Arguments of get_order_status."""

    folio: str | None = Field(
        None,
        max_length=20,
        description="Folio como TL-000123; vacío = el pedido al que se refiere el cliente",
    )
    other_than: str | None = Field(
        None,
        max_length=20,
        description="Folio ya comentado: sin folio, busca el otro pedido activo del cliente",
    )


def get_order_status(ctx: ToolContext, args: OrderStatusArgs) -> OrderStatus:
    """Estado de un pedido: con folio, ese; sin folio, el que el cliente quiere decir (el que
    va en camino antes que uno pagado o listo, y ese antes que un apartado; si hay varios
    igual de probables, vienen en candidates para preguntarle cuál). Dice lo pagado y el saldo,
    hasta cuándo dura el apartado, el link de pago, la entrega (late=true y days_late si ya
    pasó la ventana sin entregarse) y la factura. Con other_than ("¿y el otro pedido?") deja
    fuera ese folio. Un cliente solo ve sus pedidos; el personal
    ve cualquiera por folio."""
    with ctx.transaction() as tx:
        if args.folio:
            order = order_by_folio(tx, ctx, args.folio)
        elif ctx.role != "customer":
            raise ToolRefused(messages.STAFF_NEEDS_FOLIO)
        else:
            if speaker(tx, ctx) is None:
                raise ToolRefused(messages.NO_ORDERS)
            orders = customer_orders(tx, ctx, limit=LOOKBACK)
            if args.other_than:
                skip = args.other_than.strip().upper()
                orders = [o for o in orders if (o.folio or "").upper() != skip]
            chosen, candidates = choose_order(orders)
            if candidates:
                return OrderStatus(candidates=[summary(o) for o in candidates])
            if chosen is None:
                raise ToolRefused(messages.NO_ORDERS)
            order = chosen
        tx.dialogue.slots.order_folio = order.folio
        return OrderStatus(order=details(tx, order))


GET_ORDER_STATUS = tool(get_order_status, OrderStatusArgs)
