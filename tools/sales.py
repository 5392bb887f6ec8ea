"""Sales tools: a quote for the chosen tire and the customer's terms (discount and credit)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from domain.catalog import ProductFilter, ProductPublic
from domain.clock import mexico_today
from domain.logistics import FEE_BANDS
from domain.pricing import price_line, with_iva
from domain.services import QUOTE_VALID_DAYS, SERVICES, msi_terms
from domain.tool_results import (
    CreditInfo,
    CustomerTerms,
    DeliveryBand,
    MsiTerm,
    Quote,
    ServicePrice,
)
from tools import messages
from tools.base import CUSTOMER_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.catalog import MAX_QUANTITY
from tools.identity import Speaker, speaker
from tools.offers import quantity_or_default


class QuoteArgs(BaseModel):
    """Arguments of quote_tires."""

    sku: str = Field(min_length=1, max_length=40, description="SKU de la llanta elegida")
    quantity: int | None = Field(
        None, ge=1, le=MAX_QUANTITY, description="Cuántas (vacío = las de la plática, o 4)"
    )


class NoArgs(BaseModel):
    """A tool without arguments."""


def product_by_sku(tx: ToolTx, sku: str) -> ProductPublic:
    """An active product with its stock per branch.

    Raises:
        ToolRefused: we do not sell that SKU.
    """
    found = tx.erp.search_products(ProductFilter(sku=[sku]), limit=1, offset=0).items
    if not found:
        raise ToolRefused(messages.unknown_product(sku.strip().upper()))
    return found[0]


def credit_info(tx: ToolTx, who: Speaker | None) -> CreditInfo | None:
    """A dealer's or fleet's credit line, when they have one."""
    if who is None or who.kind.value == "retail" or who.info.credit_limit_cents <= 0:
        return None
    credit = tx.erp.customer_credit(who.erp_id)
    return CreditInfo(
        limit_cents=credit.limit_cents,
        used_cents=credit.used_cents,
        available_cents=credit.available_cents,
    )


def quote_tires(ctx: ToolContext, args: QuoteArgs) -> Quote:
    """Cotiza la llanta elegida (SKU) para la cantidad: precio c/u con IVA y con el descuento
    del cliente, total, IVA incluido, instalación gratis, complementos (balanceo, alineación,
    válvulas), meses sin intereses, garantía, vigencia y anticipo para apartar; a distribuidores
    y flotillas, su crédito disponible. Úsala cuando el cliente eligió una llanta o pregunta por
    el total o los pagos."""
    with ctx.transaction() as tx:
        product = product_by_sku(tx, args.sku)
        quantity = quantity_or_default(tx, args.quantity)
        who = speaker(tx, ctx) if ctx.role == "customer" else None
        discount_bp = who.discount_bp if who else 0
        line = price_line(product.price.net_cents, quantity, discount_bp)
        quote = Quote(
            sku=product.sku,
            description=f"{product.brand} {product.line} {product.size}",
            brand=product.brand,
            line=product.line,
            size=product.size,
            quantity=quantity,
            unit_price_cents=line.total_cents // quantity,
            list_unit_price_cents=product.price.total_cents,
            discount_bp=discount_bp,
            discount_cents=product.price.total_cents * quantity - line.total_cents,
            total_cents=line.total_cents,
            iva_included_cents=line.iva_cents,
            complements=[
                ServicePrice(
                    code=s.code, name=s.name, unit=s.unit, price_cents=with_iva(s.price_cents)
                )
                for s in SERVICES
                if s.price_cents
            ],
            msi=[MsiTerm(months=m, monthly_cents=c) for m, c in msi_terms(line.total_cents)],
            warranty_km=product.warranty_km,
            warranty_months=product.warranty_months,
            valid_until=mexico_today() + timedelta(days=QUOTE_VALID_DAYS),
            deposit_cents=min(ctx.settings.payments.deposit_cents, line.total_cents),
            credit=credit_info(tx, who),
            delivery=[
                DeliveryBand(up_to_km=km, price_cents=with_iva(cents)) for km, cents in FEE_BANDS
            ],
        )
        tx.dialogue.slots.chosen_sku = product.sku
        tx.dialogue.slots.quantity = quantity
    return quote


def get_customer_terms(ctx: ToolContext, _: NoArgs) -> CustomerTerms:
    """Descuento y línea de crédito (límite, usado y disponible) del cliente que escribe
    (distribuidores y flotillas). identified=false: no sabemos quién es."""
    with ctx.transaction() as tx:
        who = speaker(tx, ctx)
        if who is None:
            return CustomerTerms(identified=False)
        return CustomerTerms(
            identified=True,
            kind=who.kind.value,
            discount_bp=who.discount_bp,
            credit=credit_info(tx, who),
        )


QUOTE_TIRES = tool(quote_tires, QuoteArgs)
GET_CUSTOMER_TERMS = tool(get_customer_terms, NoArgs, roles=CUSTOMER_ONLY)
