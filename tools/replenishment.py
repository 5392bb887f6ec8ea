"""Staff tools for replenishment: alerts, reorder suggestions and purchase orders, forecasts,
trends, slow and aged stock, transfers. Only ``confirm_purchase_order`` and ``create_transfer``
write, and the agent calls them only after the staffer said yes.

Exported specs (tool name — arguments — result):
- LIST_INVENTORY_ALERTS  list_inventory_alerts(urgency?, branch_code?, limit=10) -> InventoryAlerts
- SUGGEST_REORDERS       suggest_reorders(branch_code?, supplier?, limit=5) -> ReorderSuggestions
- DRAFT_PURCHASE_ORDER   draft_purchase_order(suggestion_id, quantities?) -> PurchaseOrderDraft
- CONFIRM_PURCHASE_ORDER confirm_purchase_order(suggestion_id, quantities?) -> PurchaseOrderMade
- GET_DEMAND_FORECAST    get_demand_forecast(sku?|size?|brand?|line?|category?, branch_code?,
                         weeks=4, group_by="total") -> DemandForecast
- LIST_TRENDING_PRODUCTS list_trending_products(direction="both", group_by="line",
                         window_weeks=8, branch_code?, limit=10) -> TrendingProducts
- LIST_SLOW_AND_AGED_STOCK list_slow_and_aged_stock(kind="both", branch_code?, limit=10)
                         -> SlowAndAgedStock
- SUGGEST_TRANSFERS      suggest_transfers(sku?, branch_code?, limit=10) -> TransferSuggestions
- CREATE_TRANSFER        create_transfer(sku, from_branch, to_branch, quantity) -> TransferMade
REPLENISHMENT_TOOLS is the tuple of all nine.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import select

from core.errors import DomainError
from db.repositories import forecast_queries as fq
from db.repositories import inventory_alerts as alerts_repo
from db.repositories import reorder as reorder_repo
from db.repositories import transfers as transfers_repo
from db.repositories.forecast_queries import ForecastAnswer, TrendRow
from db.repositories.reorder import SuggestionPublic
from db.repositories.replenishment import current_state, latest_run, price_breaks
from db.repositories.transfers import TransferPublic
from db.tables import Branch, Supplier
from domain.clock import mexico_today
from domain.inventory_text import no_forecast_yet
from domain.purchasing import PurchaseOrderPublic
from domain.tool_results import Result
from engines.replenishment import aged_lots, slow_items, unit_cost_at
from engines.replenishment import transfers as transfer_engine
from tools.base import STAFF_ONLY, ToolContext, ToolRefused, ToolTx, tool
from tools.identity import find_branch
from tools.refusal_text import spanish

Urgency = Literal["crítico", "alto", "medio", "sobreinventario", "antigüedad", "oportunidad"]
BRANCH_HELP = "Sucursal: CDMX, GDL, MTY o el nombre de la ciudad"


def _staff_only(ctx: ToolContext) -> None:
    # run_tool checks the spec's roles first; the tool checks again so no other caller leaks
    # costs and stock
    if ctx.role not in STAFF_ONLY:
        raise ToolRefused(
            "Eso lo consulta el personal de TopLlantas; con gusto te ayudo con llantas y pedidos."
        )


def _branch(tx: ToolTx, text: str | None) -> tuple[str | None, int | None]:
    if not text:
        return None, None
    code = find_branch(tx, text).code
    row = tx.session.exec(select(Branch).where(Branch.code == code)).first()
    return code, (row.id if row else None)


def _refuse(exc: DomainError) -> ToolRefused:
    return ToolRefused(spanish(exc))


# --- results ---------------------------------------------------------------------------------


class AlertRow(Result):
    id: int
    urgency: str
    sku: str
    branch: str | None
    text: str
    action: str
    state: str


class InventoryAlerts(Result):
    alerts: list[AlertRow]
    total: int


class ReorderSuggestions(Result):
    suggestions: list[SuggestionPublic]
    note: str = ""


class DraftLine(Result):
    sku: str
    quantity: int
    unit_cost_cents: int
    total_cents: int


class PurchaseOrderDraft(Result):
    suggestion_id: int
    supplier: str
    branch: str
    lines: list[DraftLine]
    total_cents: int
    arrives_on: date
    written: bool = False  # a draft writes nothing; confirm_purchase_order does


class PurchaseOrderMade(Result):
    suggestion_id: int
    purchase_order: PurchaseOrderPublic


class DemandForecast(Result):
    forecast: ForecastAnswer


class TrendingProducts(Result):
    group_by: str
    window_weeks: int
    growing: list[TrendRow]
    declining: list[TrendRow]
    insufficient_history: bool


class SlowRow(Result):
    sku: str
    label: str
    branch: str
    on_hand: int
    days_of_supply: float | None  # None = no demand forecast at all
    value_cents: int


class AgedRow(Result):
    sku: str
    label: str
    branch: str
    quantity: int
    dot: str
    age_years: float


class SlowAndAgedStock(Result):
    slow: list[SlowRow]
    aged: list[AgedRow]
    slow_days: int
    age_limit_years: float
    forecast_date: date | None


class TransferRow(Result):
    sku: str
    label: str
    from_branch: str
    to_branch: str
    quantity: int
    receiver_position: int
    receiver_reorder_point: int


class TransferSuggestions(Result):
    transfers: list[TransferRow]
    forecast_date: date | None


class TransferMade(Result):
    transfer: TransferPublic


# --- arguments -------------------------------------------------------------------------------


class AlertsArgs(BaseModel):
    """Arguments of list_inventory_alerts."""

    urgency: Urgency | None = Field(None, description="crítico, alto, medio, ... o vacío = todas")
    branch_code: str | None = Field(None, max_length=40, description=BRANCH_HELP)
    limit: int = Field(10, ge=1, le=50)


class ReordersArgs(BaseModel):
    """Arguments of suggest_reorders."""

    branch_code: str | None = Field(None, max_length=40, description=BRANCH_HELP)
    supplier: str | None = Field(None, max_length=80, description="Parte del nombre")
    limit: int = Field(5, ge=1, le=20)


class PurchaseArgs(BaseModel):
    """Arguments of draft_purchase_order and confirm_purchase_order."""

    suggestion_id: int = Field(gt=0, description="id de suggest_reorders")
    quantities: dict[str, int] | None = Field(
        None, description="SKU -> cantidad para cambiar la sugerencia; 0 quita la línea"
    )
    only_listed: bool = Field(
        False,
        description="true: la orden lleva solo las líneas de quantities (lo que se mostró, p. ej. "
        "una medida); las demás de la sugerencia se quitan",
    )

    def changes(self, skus: list[str]) -> dict[str, int]:
        """SKU -> quantity for every line that changes (0 drops it)."""
        given = {k.upper(): v for k, v in (self.quantities or {}).items()}
        if self.only_listed:
            return {sku: given.get(sku, 0) for sku in skus} | given
        return given


class ForecastArgs(BaseModel):
    """Arguments of get_demand_forecast."""

    sku: str | None = Field(None, max_length=40)
    size: str | None = Field(None, max_length=30, description="Medida, p. ej. 205/55R16")
    brand: str | None = Field(None, max_length=40)
    line: str | None = Field(None, max_length=80, description="Línea, p. ej. Primacy 4+")
    category: str | None = Field(
        None, max_length=20, description="auto, suv, camioneta, comercial, all_terrain, premium…"
    )
    branch_code: str | None = Field(None, max_length=40, description=BRANCH_HELP)
    weeks: int = Field(4, ge=1, le=52, description="Semanas hacia adelante (un mes = 4)")
    group_by: Literal["total", "sku", "size", "brand", "line", "category", "branch"] = "total"


class TrendsArgs(BaseModel):
    """Arguments of list_trending_products."""

    direction: Literal["growth", "decline", "both"] = "both"
    group_by: Literal["sku", "size", "brand", "line", "category"] = "line"
    window_weeks: int = Field(8, ge=1, le=26)
    branch_code: str | None = Field(None, max_length=40, description=BRANCH_HELP)
    limit: int = Field(10, ge=1, le=50)


class SlowArgs(BaseModel):
    """Arguments of list_slow_and_aged_stock."""

    kind: Literal["slow", "aged", "both"] = "both"
    branch_code: str | None = Field(None, max_length=40, description=BRANCH_HELP)
    limit: int = Field(10, ge=1, le=50)


class TransfersArgs(BaseModel):
    """Arguments of suggest_transfers."""

    sku: str | None = Field(None, max_length=40)
    branch_code: str | None = Field(None, max_length=40, description="Sucursal que recibe")
    limit: int = Field(10, ge=1, le=50)


class CreateTransferArgs(BaseModel):
    """Arguments of create_transfer."""

    sku: str = Field(min_length=1, max_length=40)
    from_branch: str = Field(min_length=2, max_length=40, description="Sucursal que envía")
    to_branch: str = Field(min_length=2, max_length=40, description="Sucursal que recibe")
    quantity: int = Field(gt=0, le=1000)


# --- tools -----------------------------------------------------------------------------------


def list_inventory_alerts(ctx: ToolContext, args: AlertsArgs) -> InventoryAlerts:
    """Alertas de inventario vigentes (abiertas o vistas), las más urgentes primero: crítico
    (se acaba antes de que llegue un pedido), alto (bajo el punto de reorden), medio (lo cruza
    en dos semanas), sobreinventario, antigüedad (DOT viejo) y oportunidad (descuento por
    volumen que conviene). Filtra por urgencia y sucursal. Cada alerta trae el texto y la
    acción a tomar. Solo personal; no escribe nada."""
    _staff_only(ctx)
    with ctx.transaction() as tx:
        code, branch_id = _branch(tx, args.branch_code)
        rows, total = alerts_repo.list_alerts(
            tx.session, urgency=args.urgency, branch_id=branch_id, state=None, limit=args.limit
        )
        codes = {b.id: b.code for b in tx.session.exec(select(Branch))}
        return InventoryAlerts(
            alerts=[
                AlertRow(
                    id=a.id or 0,
                    urgency=a.urgency,
                    sku=a.sku,
                    branch=codes.get(a.branch_id),
                    text=a.text,
                    action=a.action,
                    state=a.state,
                )  # fmt: skip
                for a in rows
            ],
            total=total,
        )


def suggest_reorders(ctx: ToolContext, args: ReordersArgs) -> ReorderSuggestions:
    """Qué pedir hoy, por proveedor y sucursal: cantidades por SKU elegidas por el optimizador
    (descuentos por volumen, pedido mínimo y presupuesto), costo total, ahorro y fecha de
    llegada. Devuelve el id de cada sugerencia para draft_purchase_order. Solo personal; no
    escribe nada."""
    _staff_only(ctx)
    with ctx.transaction() as tx:
        _, branch_id = _branch(tx, args.branch_code)
        supplier_id = None
        if args.supplier:
            wanted = args.supplier.strip().lower()
            match = [s for s in tx.session.exec(select(Supplier)) if wanted in s.name.lower()]  # fmt: skip
            if not match:
                raise ToolRefused(f"No encontré el proveedor «{args.supplier}».")
            supplier_id = match[0].id
        rows = reorder_repo.list_suggestions(
            tx.session, branch_id=branch_id, supplier_id=supplier_id, limit=args.limit
        )
        note = "" if rows else "No hay sugerencias de compra abiertas (la corrida nocturna no encontró nada que pedir o no ha corrido)."  # fmt: skip
        return ReorderSuggestions(suggestions=rows, note=note)


def _draft(tx: ToolTx, args: PurchaseArgs) -> PurchaseOrderDraft:
    try:
        row = reorder_repo.get_suggestion(tx.session, args.suggestion_id)
    except DomainError as exc:
        raise _refuse(exc) from exc
    if row.status != "open":
        raise ToolRefused(f"La sugerencia {args.suggestion_id} ya está {row.status}.")
    public = reorder_repo.suggestion_public(tx.session, row)
    changes = args.changes([ln.sku for ln in public.lines])
    unknown = sorted(set(changes) - {ln.sku for ln in public.lines})
    if unknown:
        raise ToolRefused(f"El SKU {unknown[0]} no está en la sugerencia {args.suggestion_id}.")
    if any(v < 0 for v in changes.values()):
        raise ToolRefused("Las cantidades no pueden ser negativas.")
    breaks = price_breaks(tx.session)
    lines = []
    for ln in public.lines:
        qty = changes.get(ln.sku, ln.quantity)
        if qty <= 0:
            continue
        unit = unit_cost_at(breaks.get((row.supplier_id, ln.sku), ()), qty, ln.list_cost_cents)
        lines.append(
            DraftLine(sku=ln.sku, quantity=qty, unit_cost_cents=unit, total_cents=qty * unit)
        )
    if not lines:
        raise ToolRefused("Todas las líneas quedaron en 0; no hay nada que pedir.")
    return PurchaseOrderDraft(
        suggestion_id=args.suggestion_id, supplier=public.supplier, branch=public.branch,
        lines=lines, total_cents=sum(x.total_cents for x in lines), arrives_on=public.arrives_on,
    )  # fmt: skip


def draft_purchase_order(ctx: ToolContext, args: PurchaseArgs) -> PurchaseOrderDraft:
    """Borrador de orden de compra a partir de una sugerencia (id de suggest_reorders), con
    cantidades cambiadas si el personal lo pide (SKU -> cantidad; 0 quita la línea), precios
    con el descuento por volumen que alcanzan. No escribe nada: muéstralo y pide confirmación
    antes de confirm_purchase_order. Solo personal."""
    _staff_only(ctx)
    with ctx.transaction() as tx:
        return _draft(tx, args)


def confirm_purchase_order(ctx: ToolContext, args: PurchaseArgs) -> PurchaseOrderMade:
    """Crea la orden de compra (borrador OC-000123) de una sugerencia, con las mismas
    cantidades que el borrador mostrado (only_listed=true si solo mostraste algunas líneas).
    Llámala solo después de que el personal confirmó explícitamente ("sí, pídela"). Solo
    personal."""
    _staff_only(ctx)
    with ctx.transaction(write=True) as tx:
        _draft(tx, args)  # the same checks and refusals as the draft
        try:
            row = reorder_repo.get_suggestion(tx.session, args.suggestion_id)
            po = reorder_repo.confirm_suggestion(
                tx.session, args.suggestion_id, actor=ctx.actor,
                quantities=args.changes([x["sku"] for x in row.lines]),
            )  # fmt: skip
        except DomainError as exc:
            raise _refuse(exc) from exc
        return PurchaseOrderMade(suggestion_id=args.suggestion_id, purchase_order=po)


def get_demand_forecast(ctx: ToolContext, args: ForecastArgs) -> DemandForecast:
    """Demanda pronosticada (unidades) para un SKU, medida, marca, línea o categoría, en una
    sucursal o en todas, para las próximas N semanas (un mes = 4), con intervalo p10-p90 y el
    detalle por semana; group_by reparte el total (por marca, medida, sucursal…). Sale de la
    última corrida nocturna. Solo personal; no escribe nada."""
    _staff_only(ctx)
    with ctx.transaction() as tx:
        code, _ = _branch(tx, args.branch_code)
        if latest_run(tx.session) is None:
            nightly = ctx.settings.inventory_nightly
            raise ToolRefused(
                no_forecast_yet(ctx.settings.inventory.nightly_hour if nightly else None)
            )
        try:
            answer = fq.forecast_answer(
                tx.session, sku=args.sku, size=args.size, brand=args.brand, line=args.line,
                category=args.category, branch=code, weeks=args.weeks, group_by=args.group_by,
            )  # fmt: skip
        except DomainError as exc:
            raise _refuse(exc) from exc
        return DemandForecast(forecast=answer)


def list_trending_products(ctx: ToolContext, args: TrendsArgs) -> TrendingProducts:
    """Productos que crecen o caen: ventas de las últimas N semanas contra las mismas semanas
    del año pasado (no lo engaña la temporada), por línea, marca, medida, SKU o categoría,
    con el cambio en %. Solo personal; no escribe nada."""
    _staff_only(ctx)
    with ctx.transaction() as tx:
        code, _ = _branch(tx, args.branch_code)
        rows = fq.trending(
            tx.session, today=mexico_today(), group_by=args.group_by,
            window_weeks=args.window_weeks, branch=code,
        )  # fmt: skip

    def ranked(kind: str, sign: float) -> list[TrendRow]:
        found = [r for r in rows if r.trend == kind]
        return sorted(found, key=lambda r: (sign * (r.change_pct or math.inf), r.key))[: args.limit]

    return TrendingProducts(
        group_by=args.group_by,
        window_weeks=args.window_weeks,
        growing=ranked("growth", -1.0) if args.direction != "decline" else [],
        declining=ranked("decline", 1.0) if args.direction != "growth" else [],
        insufficient_history=bool(rows) and all(r.trend == "insufficient history" for r in rows),
    )


def list_slow_and_aged_stock(ctx: ToolContext, args: SlowArgs) -> SlowAndAgedStock:
    """Inventario lento u obsoleto (más de 180 días de venta al ritmo pronosticado, o sin
    venta proyectada), el de más capital primero, y lotes con DOT más viejo que la política de
    antigüedad (3 años), los más viejos primero. Solo personal; no escribe nada."""
    _staff_only(ctx)
    cfg = ctx.settings.inventory
    with ctx.transaction() as tx:
        code, _ = _branch(tx, args.branch_code)
        snap, policies, run_date = current_state(
            tx.session, order_cost_cents=cfg.order_cost_cents, weeks=cfg.horizon_weeks
        )
    slow = (
        []
        if args.kind == "aged"
        else slow_items(snap.items, policies, threshold_days=cfg.slow_days)
    )
    aged = (
        []
        if args.kind == "slow"
        else aged_lots(snap.lots, today=mexico_today(), max_age_years=cfg.age_limit_years)
    )
    if code:
        slow = [s for s in slow if s.branch == code]
        aged = [a for a in aged if a.lot.branch == code]
    return SlowAndAgedStock(
        slow=[
            SlowRow(
                sku=s.sku, label=s.label, branch=s.branch, on_hand=s.on_hand,
                days_of_supply=None if math.isinf(s.days_of_supply) else round(s.days_of_supply),
                value_cents=s.value_cents,
            )
            for s in slow[: args.limit]
        ],
        aged=[
            AgedRow(
                sku=a.lot.sku, label=a.lot.label, branch=a.lot.branch, quantity=a.lot.quantity,
                dot=f"{a.lot.week:02d}{a.lot.year % 100:02d}", age_years=round(a.age_days / 365.25, 1),
            )
            for a in aged[: args.limit]
        ],
        slow_days=cfg.slow_days,
        age_limit_years=cfg.age_limit_years,
        forecast_date=run_date,
    )  # fmt: skip


def suggest_transfers(ctx: ToolContext, args: TransfersArgs) -> TransferSuggestions:
    """Traspasos sugeridos entre sucursales antes de comprar: unidades que sobran en una
    sucursal (arriba de su nivel máximo) para otra que está en o bajo su punto de reorden del
    mismo SKU. Filtra por SKU o por la sucursal que recibe. Solo personal; no escribe nada
    (create_transfer lo hace tras confirmar)."""
    _staff_only(ctx)
    cfg = ctx.settings.inventory
    with ctx.transaction() as tx:
        code, _ = _branch(tx, args.branch_code)
        snap, policies, run_date = current_state(
            tx.session, order_cost_cents=cfg.order_cost_cents, weeks=cfg.horizon_weeks
        )
    found = transfer_engine.suggest_transfers(snap.items, policies)
    if args.sku:
        found = [t for t in found if t.sku == args.sku.strip().upper()]
    if code:
        found = [t for t in found if t.to_branch == code]
    found.sort(key=lambda t: (-t.quantity, t.sku, t.to_branch))
    return TransferSuggestions(
        transfers=[
            TransferRow(
                sku=t.sku, label=t.label, from_branch=t.from_branch, to_branch=t.to_branch,
                quantity=t.quantity, receiver_position=t.receiver_position,
                receiver_reorder_point=t.receiver_reorder_point,
            )
            for t in found[: args.limit]
        ],
        forecast_date=run_date,
    )  # fmt: skip


def create_transfer(ctx: ToolContext, args: CreateTransferArgs) -> TransferMade:
    """Crea un traspaso (TR-000123) de un SKU entre sucursales: queda solicitado, sale del
    origen al enviarse y entra al destino al recibirse. La sucursal de origen debe tener las
    unidades disponibles. Llámala solo después de que el personal confirmó. Solo personal."""
    _staff_only(ctx)
    with ctx.transaction(write=True) as tx:
        frm = find_branch(tx, args.from_branch).code
        to = find_branch(tx, args.to_branch).code
        try:
            made = transfers_repo.create_transfer(
                tx.session, sku=args.sku, from_branch=frm, to_branch=to,
                quantity=args.quantity, actor=ctx.actor, reason="chat",
            )  # fmt: skip
        except DomainError as exc:
            raise _refuse(exc) from exc
        return TransferMade(transfer=made)


LIST_INVENTORY_ALERTS = tool(list_inventory_alerts, AlertsArgs, roles=STAFF_ONLY)
SUGGEST_REORDERS = tool(suggest_reorders, ReordersArgs, roles=STAFF_ONLY)
DRAFT_PURCHASE_ORDER = tool(draft_purchase_order, PurchaseArgs, roles=STAFF_ONLY)
CONFIRM_PURCHASE_ORDER = tool(confirm_purchase_order, PurchaseArgs, roles=STAFF_ONLY, writes=True)
GET_DEMAND_FORECAST = tool(get_demand_forecast, ForecastArgs, roles=STAFF_ONLY)
LIST_TRENDING_PRODUCTS = tool(list_trending_products, TrendsArgs, roles=STAFF_ONLY)
LIST_SLOW_AND_AGED_STOCK = tool(list_slow_and_aged_stock, SlowArgs, roles=STAFF_ONLY)
SUGGEST_TRANSFERS = tool(suggest_transfers, TransfersArgs, roles=STAFF_ONLY)
CREATE_TRANSFER = tool(create_transfer, CreateTransferArgs, roles=STAFF_ONLY, writes=True)
REPLENISHMENT_TOOLS = (
    LIST_INVENTORY_ALERTS,
    SUGGEST_REORDERS,
    DRAFT_PURCHASE_ORDER,
    CONFIRM_PURCHASE_ORDER,
    GET_DEMAND_FORECAST,
    LIST_TRENDING_PRODUCTS,
    LIST_SLOW_AND_AGED_STOCK,
    SUGGEST_TRANSFERS,
    CREATE_TRANSFER,
)
