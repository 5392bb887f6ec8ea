"""Sales tools: quotes, reservations with a deposit link, order status, hand-off to a person."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from core.errors import Conflict, InvalidRequest, NotFound
from db.engine import session_scope
from db.repositories import catalog
from db.repositories.audit import record
from db.repositories.idempotency import create_order_once
from db.repositories.orders import order_public
from db.tables import Branch, ChatSession, Customer, Delivery, Lead, Order, Product
from domain.clock import utcnow
from domain.enums import Channel, CustomerKind
from domain.orders import parse_folio
from domain.pricing import format_mxn, price_line, with_iva
from domain.sales import OrderCreate, OrderLineCreate
from domain.services import QUOTE_VALID_DAYS, SERVICES, msi_terms
from tools.base import ToolContext, ToolRefused, ToolSpec

CUSTOMER = frozenset({"customer"})
MAIN_BRANCH = "CDMX"


class QuoteArgs(BaseModel):
    """Arguments of quote_tires."""

    sku: str = Field(min_length=1, max_length=40)
    quantity: int = Field(4, ge=1, le=40)


class ReservationArgs(BaseModel):
    """Arguments of create_reservation."""

    sku: str = Field(min_length=1, max_length=40)
    quantity: int = Field(4, ge=1, le=40)
    branch_code: str | None = Field(None, max_length=8, description="CDMX, GDL o MTY")
    pickup_date: date | None = Field(None, description="Fecha en que pasa por ellas (AAAA-MM-DD)")
    fulfillment: Literal["pickup", "delivery"] = "pickup"


class OrderStatusArgs(BaseModel):
    """Arguments of get_order_status."""

    folio: str | None = Field(
        None, max_length=20, description="Folio como TL-000123; vacío = el último"
    )


class NoArgs(BaseModel):
    """No arguments."""


class HandoffArgs(BaseModel):
    """Arguments of handoff_to_human."""

    reason: str = Field(min_length=2, max_length=200)


def _product(session: Session, sku: str) -> Product:
    product = session.exec(select(Product).where(Product.sku == sku.strip().upper())).first()
    if product is None or not product.active:
        raise NotFound(f"no encontré el producto {sku}")
    return product


def _discount_bp(session: Session, customer_id: int | None) -> int:
    customer = session.get(Customer, customer_id) if customer_id else None
    return customer.discount_bp if customer else 0


def quote_tires(ctx: ToolContext, args: QuoteArgs) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        product = _product(session, args.sku)
        discount_bp = _discount_bp(session, ctx.effective_customer_id)
    line = price_line(product.price_cents, args.quantity, discount_bp)
    return {
        "sku": product.sku,
        "description": f"{product.brand} {product.line} {product.size}",
        "quantity": args.quantity,
        "unit_price_cents": with_iva(product.price_cents),
        "discount_cents": with_iva(line.discount_cents),
        "total_cents": line.total_cents,
        "iva_included_cents": line.iva_cents,
        "installation": "gratis",
        "complements": [
            {"name": s.name, "unit": s.unit, "price_cents": with_iva(s.price_cents)}
            for s in SERVICES
            if s.price_cents
        ],
        "msi": [{"months": m, "monthly_cents": c} for m, c in msi_terms(line.total_cents)],
        "warranty_km": product.warranty_km,
        "warranty_months": product.warranty_months,
        "valid_until": (utcnow().date() + timedelta(days=QUOTE_VALID_DAYS)).isoformat(),
        "deposit_cents": ctx.settings.payments.deposit_cents,
    }


def _customer_for(ctx: ToolContext, session: Session) -> int:
    """The customer of this conversation; an anonymous web chat gets a guest record bound to it."""
    if ctx.effective_customer_id is not None:
        return ctx.effective_customer_id
    chat = session.get(ChatSession, ctx.session_id)
    if chat is not None and chat.customer_id is not None:
        return chat.customer_id
    guest = Customer(kind=CustomerKind.RETAIL.value, name="Cliente web (invitado)")
    session.add(guest)
    session.flush()
    if chat is not None:
        chat.customer_id = guest.id
        session.add(chat)
    record(
        session,
        actor=f"chat:{ctx.session_id}",
        action="create",
        entity="customer",
        entity_id=guest.id,
        reason="guest for web reservation",
    )
    return guest.id or 0


def _branch_for(
    session: Session, product: Product, quantity: int, wanted: str | None, near: str | None
) -> Branch:
    """The branch the customer asked for; else the nearest one that has the units (their
    phone's city), then the main branch, then the one with the most units."""
    stock = catalog.stock_by_product(session, [product.id or 0]).get(product.id or 0, [])
    if wanted:
        return catalog.branch_by_code(session, wanted, field="branch_code")
    ok = sorted(
        (s for s in stock if s["available"] >= quantity),
        key=lambda s: (
            s["branch_code"] != near,
            s["branch_code"] != MAIN_BRANCH,
            -int(s["available"]),
        ),
    )
    if not ok:
        most = max((int(s["available"]) for s in stock), default=0)
        raise ToolRefused(
            f"ya no tengo {quantity} piezas de {product.brand} {product.line} {product.size} juntas "
            f"en una sucursal (máximo {most})"
        )
    return catalog.branch_by_code(session, str(ok[0]["branch_code"]))


def create_reservation(ctx: ToolContext, args: ReservationArgs) -> dict[str, Any]:
    from adapters.payments.local import build_payment_provider
    from db.repositories.payments import create_payment_link

    settings = ctx.settings
    with session_scope(ctx.engine, write=True) as session:
        product = _product(session, args.sku)
        branch = _branch_for(session, product, args.quantity, args.branch_code, ctx.branch_code)
        branch_code = branch.code
        customer_id = _customer_for(ctx, session)
    # Only once committed does the conversation speak for that customer (a failed
    # reservation rolls the guest back, and nothing may point at it).
    if ctx.customer_id is None:
        ctx.bound_customer_id = customer_id
    notes = f"Recoge: {args.pickup_date.isoformat()}" if args.pickup_date else ""
    payload = OrderCreate(
        customer_id=customer_id,
        branch_code=branch_code,
        lines=[OrderLineCreate(sku=product.sku, quantity=args.quantity)],
        status="reserved",
        channel=Channel.WHATSAPP if ctx.channel == "whatsapp" else Channel.WEB,
        fulfillment=args.fulfillment,
        deposit_cents=settings.payments.deposit_cents,
        notes=notes,
    )
    actor = f"chat:{ctx.session_id}"
    # One reservation per conversation, product and quantity: a repeated "sí" never doubles it.
    key = f"{ctx.session_id}:{product.sku}:{args.quantity}"
    try:
        order, _ = create_order_once(
            ctx.engine,
            payload,
            actor=actor,
            principal=actor,
            key=key,
            hold_hours=settings.reservation_hold_hours,
        )
    except Conflict as exc:  # someone took the last units between the search and now
        raise ToolRefused(
            f"ya no me alcanzan {args.quantity} piezas de {product.brand} {product.line} en {branch_code}"
        ) from exc
    with session_scope(ctx.engine, write=True) as session:
        # The repository hands back the still-payable link when this is a repeated "sí".
        link = create_payment_link(
            session,
            order_id=order.id,
            amount_cents=min(
                order.deposit_cents or settings.payments.deposit_cents, order.total_cents
            ),
            ttl_hours=settings.payments.link_ttl_hours,
            provider=build_payment_provider(settings),
            actor=actor,
        )
        url = link.url or f"{settings.public_base_url.rstrip('/')}/pay/{link.token}"
        branch_row = session.exec(select(Branch).where(Branch.code == order.branch_code)).one()
    return {
        "folio": order.folio,
        "status": order.status.value,
        "sku": product.sku,
        "description": f"{product.brand} {product.line} {product.size}",
        "quantity": args.quantity,
        "total_cents": order.total_cents,
        "deposit_cents": order.deposit_cents,
        "branch": {"code": branch_row.code, "name": branch_row.name, "address": branch_row.address},
        "held_until": order.reservations[0].expires_at.isoformat() if order.reservations else None,
        "pickup_date": args.pickup_date.isoformat() if args.pickup_date else None,
        "payment_url": url,
    }


def get_order_status(ctx: ToolContext, args: OrderStatusArgs) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        customer_id = ctx.effective_customer_id
        if ctx.role == "customer" and customer_id is None:
            raise ToolRefused(
                "para ver un pedido escríbenos desde el WhatsApp con el que compraste"
            )
        query = select(Order)
        if args.folio:
            try:
                query = query.where(Order.id == parse_folio(args.folio))
            except InvalidRequest as exc:
                raise NotFound(f"'{args.folio}' no parece un folio (ej. TL-000123)") from exc
        if ctx.role == "customer":
            query = query.where(Order.customer_id == customer_id)
        order = session.exec(query.order_by(col(Order.id).desc())).first()
        if order is None:
            # Same answer for "does not exist" and "not yours": no one learns others' folios.
            raise NotFound(
                "no encontré ese pedido a tu nombre" if args.folio else "no tienes pedidos"
            )
        public = order_public(session, order)
        delivery = session.exec(select(Delivery).where(Delivery.order_id == order.id)).first()
    return {
        "folio": public.folio,
        "status": public.status.value,
        "branch": public.branch_code,
        "fulfillment": public.fulfillment,
        "items": [f"{line.quantity} x {line.description}" for line in public.lines],
        "total_cents": public.total_cents,
        "total": format_mxn(public.total_cents),
        "delivery": None
        if delivery is None
        else {
            "status": delivery.status,
            "window_start": delivery.window_start.isoformat(),
            "window_end": delivery.window_end.isoformat(),
        },
    }


KIND_ES = {"retail": "cliente", "dealer": "distribuidor", "fleet": "flotilla"}


def get_customer_terms(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        customer = (
            session.get(Customer, ctx.effective_customer_id) if ctx.effective_customer_id else None
        )
    if customer is None:
        return {"identified": False}
    return {
        "identified": True,
        "kind": customer.kind,
        "kind_es": KIND_ES.get(customer.kind, "cliente"),
        "discount_bp": customer.discount_bp,
        "credit_limit_cents": customer.credit_limit_cents,
    }


def handoff_to_human(ctx: ToolContext, args: HandoffArgs) -> dict[str, Any]:
    summary = "\n".join(ctx.transcript[-12:]) or "(sin mensajes)"
    with session_scope(ctx.engine, write=True) as session:
        lead = Lead(
            session_id=ctx.session_id,
            customer_id=ctx.effective_customer_id,
            channel=ctx.channel,
            reason=args.reason[:200],
            summary=summary,
        )
        session.add(lead)
        session.flush()
        record(
            session,
            actor=f"chat:{ctx.session_id}",
            action="create",
            entity="lead",
            entity_id=lead.id,
            reason=args.reason[:200],
        )
    return {"lead_id": lead.id, "status": "new", "reason": args.reason[:200]}


QUOTE_TIRES = ToolSpec(
    "quote_tires",
    "Cotiza un SKU para la cantidad pedida: precio c/u con IVA, descuento del cliente, total, "
    "instalación gratis, complementos (balanceo, alineación, válvulas), meses sin intereses y "
    "vigencia. Úsala cuando el cliente eligió una llanta o pregunta por pagos.",
    QuoteArgs,
    quote_tires,
)
CREATE_RESERVATION = ToolSpec(
    "create_reservation",
    "Aparta llantas en una sucursal hasta que expire el apartado y genera el link de pago del "
    "anticipo. SOLO después de que el cliente dijo que sí las quiere. Devuelve folio, sucursal, "
    "vigencia y link de pago.",
    ReservationArgs,
    create_reservation,
    roles=CUSTOMER,
    writes=True,
)
GET_ORDER_STATUS = ToolSpec(
    "get_order_status",
    "Estado de un pedido del cliente que escribe (por folio TL-000123, o el último). Un cliente "
    "solo puede ver sus propios pedidos.",
    OrderStatusArgs,
    get_order_status,
)
GET_CUSTOMER_TERMS = ToolSpec(
    "get_customer_terms",
    "Descuento y línea de crédito del cliente que escribe (distribuidores y flotillas).",
    NoArgs,
    get_customer_terms,
    roles=CUSTOMER,
)
HANDOFF_TO_HUMAN = ToolSpec(
    "handoff_to_human",
    "Pasa la conversación a un asesor humano: crea un prospecto con el resumen de la plática.",
    HandoffArgs,
    handoff_to_human,
    writes=True,
)
