"""Staff logistics in chat: plan a day's routes, late deliveries now, where a truck is and how
far along its route, and a day's on-time rate and cost per delivery."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from db.delivery_planning import branches as branch_rows
from db.delivery_planning import plan_branch_day
from db.repositories import delivery_changes as changes
from domain.clock import mexico_today, utcnow
from domain.delivery_results import (
    BranchPlanMade,
    DeliveryKpis,
    FleetStatus,
    LateDeliveries,
    LateDelivery,
    RoutesPlanned,
    VehicleProgress,
)
from domain.text import fold
from tools.base import STAFF_ONLY, ToolContext, ToolRefused, require_staff, tool
from tools.identity import find_branch

BRANCH = Field(None, max_length=40, description="Sucursal: CDMX, GDL, MTY o la ciudad; vacío = todas")
PLAN_ITERATIONS = 2_000  # a bounded, reproducible search (same deliveries, same plan)


def _branch(ctx: ToolContext, name: str | None) -> str | None:
    if not name:
        return None
    with ctx.transaction() as tx:
        return find_branch(tx, name).code


class PlanArgs(BaseModel):
    day: date = Field(description="Día a planear (AAAA-MM-DD), normalmente mañana")
    branch: str | None = BRANCH


def plan_delivery_routes(ctx: ToolContext, args: PlanArgs) -> RoutesPlanned:
    """Planea (o vuelve a planear) las rutas de entrega de un día para una sucursal o todas:
    camionetas, orden de paradas y horas estimadas; las que ya salieron conservan su carga.
    Dice rutas, entregas, km, horas, costo y lo que no se pudo planear."""
    require_staff(ctx)
    if args.day < mexico_today():
        raise ToolRefused("Ese día ya pasó; dime una fecha de hoy en adelante.")
    code = _branch(ctx, args.branch)
    seconds = min(ctx.settings.logistics.solver_seconds, 3.0)
    with ctx.transaction(write=True) as tx:
        plans = []
        for branch in branch_rows(tx.session, code):
            o = plan_branch_day(tx.session, branch, args.day, seconds=seconds,
                                max_iterations=PLAN_ITERATIONS, actor=ctx.actor)  # fmt: skip
            plans.append(BranchPlanMade(
                branch=o.branch, routes=o.routes + o.kept_routes, deliveries=o.deliveries,
                km=round(o.km, 1), hours=round(o.hours, 1), cost_cents=o.cost_cents,
                late_stops=o.late_stops, unplanned=o.unplanned,
            ))  # fmt: skip
        tx.dialogue.slots.staff.branch = code
        return RoutesPlanned(day=args.day, plans=plans)


class LateArgs(BaseModel):
    branch: str | None = BRANCH


def list_late_deliveries(ctx: ToolContext, args: LateArgs) -> LateDeliveries:
    """Entregas de hoy que van tarde o que por su hora estimada (GPS) llegarán después de la
    ventana del cliente, la más atrasada primero, con minutos de retraso y conductor."""
    require_staff(ctx)
    code = _branch(ctx, args.branch)
    tolerance = ctx.settings.logistics.late_tolerance_minutes
    with ctx.transaction() as tx:
        now = utcnow()
        found = changes.late_deliveries(tx.session, now, branch=code, tolerance_minutes=tolerance)
        return LateDeliveries(
            branch=code, checked_at=now, tolerance_minutes=tolerance,
            deliveries=[
                LateDelivery(folio=x.folio, branch=x.branch, status=x.delivery.status,
                             window_end=x.delivery.window_end, eta=x.eta,
                             minutes_late=x.minutes_late, driver=x.driver)
                for x in found
            ],
        )  # fmt: skip


class VehicleArgs(BaseModel):
    vehicle: str | None = Field(
        None, max_length=40, description="Placa o nombre del conductor; vacío = todas"
    )
    branch: str | None = BRANCH
    day: date | None = Field(None, description="Día (AAAA-MM-DD); vacío = hoy")


def get_vehicle_status(ctx: ToolContext, args: VehicleArgs) -> FleetStatus:
    """Dónde va cada camioneta (última posición GPS y hora) y cómo va su ruta del día:
    paradas hechas de cuántas, la siguiente entrega y su hora estimada. Una camioneta por su
    placa o por el nombre del conductor, o todas las de una sucursal."""
    require_staff(ctx)
    code = _branch(ctx, args.branch)
    day = args.day or mexico_today()
    with ctx.transaction() as tx:
        rows = [changes.route_progress(tx.session, r) for r in changes.day_routes(tx.session, day, code)]
        if args.vehicle:
            wanted = fold(args.vehicle).replace("-", "").replace(" ", "")
            rows = [
                p for p in rows
                if wanted in p.plate.lower().replace("-", "").replace(" ", "")
                or (p.driver and any(fold(w) == fold(args.vehicle) or wanted in fold(w)
                                     for w in p.driver.split()))
            ]  # fmt: skip
            if not rows:
                raise ToolRefused(
                    f"No encontré una camioneta o conductor «{args.vehicle}» con ruta ese día."
                )
        return FleetStatus(day=day, branch=code, vehicles=[
            VehicleProgress(
                plate=p.plate, branch=p.branch, driver=p.driver, status=p.route.status,
                done=p.done, total=p.total, next_folio=p.next_folio, next_eta=p.next_eta,
                latitude=p.position[0] if p.position else None,
                longitude=p.position[1] if p.position else None,
                position_at=p.position_at, km=round(p.route.km, 1),
            )
            for p in rows
        ])  # fmt: skip


class KpiArgs(BaseModel):
    day: date | None = Field(None, description="Día (AAAA-MM-DD); vacío = hoy")
    branch: str | None = BRANCH


def get_delivery_kpis(ctx: ToolContext, args: KpiArgs) -> DeliveryKpis:
    """Indicadores de entregas de un día (hoy si no dice): entregas, entregadas, a tiempo
    (dentro de la ventana del cliente) y porcentaje a tiempo, no entregadas, pendientes, rutas,
    km, costo de las rutas y costo por entrega."""
    require_staff(ctx)
    code = _branch(ctx, args.branch)
    day = args.day or mexico_today()
    with ctx.transaction() as tx:
        f = changes.day_figures(tx.session, day, code)
        return DeliveryKpis(
            day=day, branch=code, deliveries=f.deliveries, delivered=f.delivered,
            on_time=f.on_time, on_time_rate=round(f.on_time / f.delivered, 3) if f.delivered else None,
            on_time_percent=round(100 * f.on_time / f.delivered) if f.delivered else None,
            failed=f.failed, pending=f.pending, routes=f.routes, km=f.km, cost_cents=f.cost_cents,
            cost_per_delivery_cents=round(f.cost_cents / f.deliveries) if f.deliveries else None,
        )  # fmt: skip


PLAN_DELIVERY_ROUTES = tool(plan_delivery_routes, PlanArgs, roles=STAFF_ONLY, writes=True)
LIST_LATE_DELIVERIES = tool(list_late_deliveries, LateArgs, roles=STAFF_ONLY)
GET_VEHICLE_STATUS = tool(get_vehicle_status, VehicleArgs, roles=STAFF_ONLY)
GET_DELIVERY_KPIS = tool(get_delivery_kpis, KpiArgs, roles=STAFF_ONLY)
STAFF_DELIVERY_TOOLS = (
    PLAN_DELIVERY_ROUTES, LIST_LATE_DELIVERIES, GET_VEHICLE_STATUS, GET_DELIVERY_KPIS,
)  # fmt: skip
