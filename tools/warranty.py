"""check_warranty: the written warranty policy applied to the customer's own purchase (by folio)
or to a tire bought elsewhere (DOT + ticket date: manufacturer terms only)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from domain.catalog import ProductFilter, ProductPublic
from domain.clock import mexico_today, to_mexico
from domain.enums import OrderStatus
from domain.sales import OrderPublic
from domain.text import fold
from domain.warranty import (
    AGE_LIMIT_YEARS,
    MIN_TREAD_MM,
    WORKMANSHIP_DAYS,
    Assessment,
    Basis,
    Claim,
    Terms,
    Verdict,
    assess,
    dot_week,
    proration_rule,
    spanish_date,
)
from domain.warranty_causes import Cause, ProblemCode, problem_codes
from domain.warranty_results import TireVerdict, WarrantyCheck, WarrantyTerms
from tools.base import ToolContext, ToolRefused, ToolTx, tool
from tools.identity import order_by_folio

BOUGHT = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERED,
    }
)
NEED_FOLIO_OR_DOT = (
    "Para revisar la garantía necesito el folio de tu compra con nosotros (p. ej. TL-000123) o, "
    "si la compraste en otro lugar, el código DOT del costado (los últimos 4 números: semana y "
    "año, p. ej. 2318), la marca y la fecha de compra de tu ticket."
)
NEED_BRAND = (
    "¿De qué marca es la llanta (y la línea, si la ves en el costado)? Con la marca sé qué plazo "
    "da el fabricante."
)
BAD_DOT = (
    "No pude leer la fecha en ese DOT: son los últimos 4 números del código en el costado, "
    "semana y año (p. ej. 2318 = semana 23 de 2018)."
)
FUTURE_PURCHASE = "La fecha de compra no puede ser posterior a hoy: ¿me la confirmas (AAAA-MM-DD)?"
NOT_BOUGHT = (
    "El pedido {folio} todavía no es una compra pagada ({status}): la garantía corre desde que "
    "la compras."
)
RETURNED = "El pedido {folio} se devolvió: esas llantas ya no tienen garantía a tu nombre."
NO_SUCH_LINE = "El pedido {folio} no tiene la llanta {sku}; tiene: {skus}."
NOT_OUR_BRAND = (
    "No vendemos {brand}, así que no podemos iniciar la reclamación con el fabricante: hazla en "
    "la tienda donde la compraste o directo con la marca."
)
BRING_TIRE = "La llanta (montada en el carro o desmontada, nunca tirada)"
BRING_ID = "Una identificación oficial"
BRING_MILEAGE = (
    "Las notas de rotación (cada 10,000 km) y de alineación, y el kilometraje al instalarla"
)
NEXT_INSPECTION = (
    "Agenda la inspección de garantía en sucursal por este chat. Si el defecto es evidente, el "
    "técnico lo dictamina ese mismo día; si es dudoso, la llanta va al fabricante, que dictamina "
    "en 10 a 15 días hábiles (mientras tanto puedes comprar otra y se te bonifica lo que proceda)."
)
NEXT_NONE = (
    "La garantía no aplica a lo que describes. Si quieres, el técnico revisa la llanta o te "
    "cotizamos una nueva."
)
WORKMANSHIP = (
    " Nuestro trabajo (montaje, balanceo, reparaciones) tiene garantía hasta el {until}: una "
    "vibración por balanceo o una fuga por la válvula o el talón la corregimos sin costo."
)


class WarrantyArgs(BaseModel):
    """Arguments of check_warranty."""

    folio: str | None = Field(
        None, max_length=20, description="Folio de la compra con nosotros (p. ej. TL-000123)"
    )
    sku: str | None = Field(
        None, max_length=40, description="Sólo esta llanta del pedido (SKU), si tiene varias"
    )
    dot: str | None = Field(
        None,
        max_length=40,
        description="Código DOT del costado o sus últimos 4 números (semana y año, p. ej. 2318)",
    )
    purchase_date: date | None = Field(
        None, description="Fecha del ticket (AAAA-MM-DD) de una llanta comprada en otro lugar"
    )
    brand: str | None = Field(
        None, max_length=40, description="Marca de una llanta comprada en otro lugar"
    )
    line: str | None = Field(
        None, max_length=60, description="Línea o modelo de una llanta comprada en otro lugar"
    )
    problem: str | None = Field(
        None, max_length=600, description="La falla, con las palabras del cliente"
    )
    problem_codes: list[ProblemCode] = Field(
        default_factory=list,
        max_length=6,
        description="Códigos de la falla (p. ej. los de diagnose_problem: bulge, separation, "
        "puncture, uneven_wear; o even_wear, impact, low_pressure)",
    )
    km_driven: int | None = Field(
        None, ge=0, le=400_000, description="Kilómetros que lleva la llanta desde que se instaló"
    )
    tread_mm: float | None = Field(
        None, ge=0, le=30, description="Piso que le queda, en mm (si el cliente lo midió)"
    )


def _terms(
    terms: Terms, claim_start: date, basis: Basis, *, ours: bool, expires: date
) -> WarrantyTerms:
    return WarrantyTerms(
        brand=terms.brand,
        line=terms.line,
        months=terms.months,
        km=terms.km,
        counted_from=claim_start,
        basis=basis.value,
        expires_on=expires,
        min_tread_mm=MIN_TREAD_MM,
        age_limit_years=AGE_LIMIT_YEARS,
        proration=proration_rule(terms),
        store_terms=ours,
    )


def _verdict(
    claim: Claim,
    found: Assessment,
    *,
    sku: str | None,
    description: str,
    quantity: int,
    ours: bool,
) -> TireVerdict:
    return TireVerdict(
        sku=sku,
        description=description,
        quantity=quantity,
        verdict=found.verdict.value,
        cause=found.cause.value if found.cause is not None else None,
        reason=found.reason,
        inspection_required=found.inspection,
        covered_pct=found.covered_pct,
        terms=_terms(claim.terms, claim.start, claim.basis, ours=ours, expires=found.expires),
        made_on=claim.made,
    )


def _product_terms(product: ProductPublic) -> Terms:
    return Terms(
        brand=product.brand,
        line=product.line,
        months=product.warranty_months,
        km=product.warranty_km,
        vehicle_type=product.vehicle_type.value,
    )


def _bought(order: OrderPublic) -> None:
    if order.status == OrderStatus.RETURNED:
        raise ToolRefused(RETURNED.format(folio=order.folio))
    if order.status not in BOUGHT:
        raise ToolRefused(NOT_BOUGHT.format(folio=order.folio, status=order.status.value))


def _by_folio(
    tx: ToolTx,
    ctx: ToolContext,
    args: WarrantyArgs,
    codes: tuple[str, ...],
    made: date | None,
    today: date,
) -> WarrantyCheck:
    order = order_by_folio(tx, ctx, args.folio or "")
    _bought(order)
    lines = order.lines
    if args.sku:
        lines = [line for line in order.lines if fold(line.sku) == fold(args.sku)]
        if not lines:
            skus = ", ".join(line.sku for line in order.lines)
            raise ToolRefused(NO_SUCH_LINE.format(folio=order.folio, sku=args.sku, skus=skus))
    purchased = to_mexico(order.created_at).date()
    tires = []
    for line in lines:
        claim = Claim(
            terms=_product_terms(tx.erp.get_product(line.product_id)),
            start=purchased,
            basis=Basis.FOLIO,
            made=made,
            codes=codes,
            km_driven=args.km_driven,
            tread_mm=args.tread_mm,
        )
        found = assess(claim, today)
        tires.append(
            _verdict(
                claim,
                found,
                sku=line.sku,
                description=line.description,
                quantity=line.quantity,
                ours=True,
            )
        )
    until = purchased + timedelta(days=WORKMANSHIP_DAYS)
    workmanship = until if today <= until else None
    bring = [f"El folio de tu compra ({order.folio}) o el ticket o la factura"]
    return _check(
        tires, bring, codes, folio=order.folio, purchased=purchased, workmanship=workmanship
    )


def _catalogue_terms(tx: ToolTx, brand: str, line: str | None) -> Terms | None:
    """The manufacturer terms of a brand we sell (and of its line, when it is known)."""
    for wanted in [line, None] if line else [None]:
        found = tx.erp.search_products(
            ProductFilter(brand=brand, line=wanted, include_inactive=True), limit=50
        ).items
        if not found:
            continue
        lines = {p.line for p in found}
        one = found[0]
        known = wanted is not None and len(lines) == 1
        return Terms(
            brand=one.brand,
            line=one.line if known else None,
            months=min(p.warranty_months for p in found),
            km=one.warranty_km if known else None,
            vehicle_type=one.vehicle_type.value if known else None,
        )
    return None


def _elsewhere(
    tx: ToolTx, args: WarrantyArgs, codes: tuple[str, ...], made: date, today: date
) -> WarrantyCheck:
    if not args.brand or not args.brand.strip():
        raise ToolRefused(NEED_BRAND)
    terms = _catalogue_terms(tx, args.brand.strip(), args.line)
    label = " ".join(x for x in (args.brand.strip(), (args.line or "").strip()) if x)
    description = f"{label} (DOT semana {made.isocalendar().week} de {made.year})"
    bring = [
        "El ticket o la factura de compra, si lo tienes (sin él, el plazo cuenta desde la fecha "
        "DOT)"
    ]
    if terms is None:
        tire = TireVerdict(
            sku=None,
            description=description,
            quantity=1,
            verdict=Verdict.NOT_COVERED.value,
            cause=None,
            reason=NOT_OUR_BRAND.format(brand=args.brand.strip()),
            inspection_required=False,
            covered_pct=None,
            terms=None,
            made_on=made,
        )
        return _check([tire], bring, codes, purchased=args.purchase_date)
    claim = Claim(
        terms=terms,
        start=args.purchase_date or made,
        basis=Basis.TICKET if args.purchase_date else Basis.DOT,
        made=made,
        codes=codes,
        km_driven=args.km_driven,
        tread_mm=args.tread_mm,
    )
    tire = _verdict(
        claim,
        assess(claim, today),
        sku=None,
        description=description,
        quantity=1,
        ours=False,
    )
    return _check([tire], bring, codes, purchased=args.purchase_date)


def _check(
    tires: list[TireVerdict],
    bring: list[str],
    codes: tuple[str, ...],
    *,
    folio: str | None = None,
    purchased: date | None = None,
    workmanship: date | None = None,
) -> WarrantyCheck:
    bring = [*bring, BRING_TIRE, BRING_ID]
    if any(t.cause == Cause.EVEN_WEAR.value for t in tires):
        bring.append(BRING_MILEAGE)
    claimable = any(t.verdict != Verdict.NOT_COVERED.value for t in tires)
    next_step = NEXT_INSPECTION if claimable else NEXT_NONE
    if workmanship is not None:
        next_step += WORKMANSHIP.format(until=spanish_date(workmanship))
    return WarrantyCheck(
        folio=folio,
        purchased_on=purchased,
        bought_elsewhere=folio is None,
        problem_codes=list(codes),
        tires=tires,
        bring=bring,
        workmanship_until=workmanship,
        next_step=next_step,
    )


def check_warranty(ctx: ToolContext, args: WarrantyArgs) -> WarrantyCheck:
    """Dice si la garantía cubre una llanta: covered (cubierta; el técnico la confirma en
    sucursal), not_covered (con la razón: venció por meses o por km, riesgo de camino como
    ponchadura o golpe, mal uso, desgaste disparejo, más de 10 años por DOT) o needs_inspection
    (sólo el técnico distingue defecto de daño). Úsala cuando el cliente pregunta por garantía.
    Compra con nosotros: folio (TL-000123), sólo del propio cliente; opcional sku si el pedido
    tiene varias llantas y dot. Llanta comprada en otro lugar: dot (últimos 4 números, semana y
    año), brand, line si la sabe y purchase_date del ticket (sin ticket cuenta desde el DOT):
    sólo aplican los términos del fabricante. Pasa la falla en problem (palabras del cliente)
    y/o problem_codes, y km_driven y tread_mm si los dijo. Devuelve por llanta el veredicto, la
    razón, los términos (meses, km, prorrateo), qué traer y el siguiente paso. Rechaza sin folio
    ni DOT, un folio ajeno o inexistente y un pedido no pagado."""
    if not args.folio and not args.dot:
        raise ToolRefused(NEED_FOLIO_OR_DOT)
    today = mexico_today()
    made = None
    if args.dot:
        made = dot_week(args.dot, today=today)
        if made is None:
            raise ToolRefused(BAD_DOT)
    if args.purchase_date is not None and args.purchase_date > today:
        raise ToolRefused(FUTURE_PURCHASE)
    codes = tuple(dict.fromkeys([*args.problem_codes, *problem_codes(args.problem or "")]))
    with ctx.transaction() as tx:
        if args.folio:
            return _by_folio(tx, ctx, args, codes, made, today)
        assert made is not None  # no folio: the DOT was required above
        return _elsewhere(tx, args, codes, made, today)


CHECK_WARRANTY = tool(check_warranty, WarrantyArgs)
