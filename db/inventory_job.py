"""The nightly inventory job: weekly demand from the sales history, forecasts, the reorder
policy, transfer and purchase suggestions, and alerts queued to the branch's staff."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from db.engine import session_scope
from db.repositories import inventory_alerts as alerts_repo
from db.repositories import replenishment as repo
from db.repositories.reorder import save_suggestions
from db.tables import ForecastRun
from domain import inventory_text as text
from domain.clock import mexico_now, utcnow
from engines.forecasting import ForecastConfig, forecast
from engines.replenishment import (
    Urgency,
    aged_lots,
    replenish,
    slow_items,
)
from engines.replenishment.replenish import Replenishment

log = logging.getLogger("topllantas.inventory")


@dataclass(frozen=True)
class NightlyReport:
    """What one run did."""

    run_id: int
    run_date: date
    series: int
    forecast_seconds: float
    total_seconds: float
    alerts_opened: int
    alerts_refreshed: int
    alerts_resolved: int
    messages: int
    suggestions: int
    transfers: int
    purchase_cents: int


def run_nightly(engine: Engine, settings: Settings, today: date) -> NightlyReport:
    """Forecast every SKU x branch, compute the policy, write suggestions and alerts."""
    cfg = settings.inventory
    started = time.perf_counter()
    with Session(engine) as session:
        frame = repo.weekly_demand(session, today=today, weeks=cfg.history_weeks)
    t0 = time.perf_counter()
    config = ForecastConfig(n_jobs=cfg.forecast_processes)
    result = (
        forecast(frame, horizon=cfg.horizon_weeks, freq="W", config=config) if len(frame) else None
    )
    fc_seconds = time.perf_counter() - t0
    if result is not None:
        fc = result.forecasts
        models = dict(zip(result.models["unique_id"], result.models["model"], strict=True))
        strategy = result.strategy
    else:
        fc = pd.DataFrame(columns=["unique_id", "ds", "mean", "p10", "p50", "p90"])
        models, strategy = {}, {}
    # read and compute outside the write transaction: on SQLite it holds the one writer lock,
    # and reservations must not wait for the optimiser
    with Session(engine) as session:
        snap = repo.snapshot(
            session, repo.forecasts_from_frame(fc), order_cost_cents=cfg.order_cost_cents,
            weeks=cfg.horizon_weeks,
        )  # fmt: skip
    plan = replenish(
        snap.items, snap.suppliers, snap.breaks, today=today, budget_cents=cfg.budget_cents,
        plan_weeks=cfg.horizon_weeks,
    )  # fmt: skip
    drafts = build_alerts(snap, plan, settings, today)
    branch_ids = {code: b.id or 0 for code, b in snap.branches.items()}
    with session_scope(engine, write=True) as session:
        run = repo.save_forecast(
            session, run_date=today, horizon=cfg.horizon_weeks, forecasts=fc,
            models=models, strategy=strategy, seconds=fc_seconds,
        )  # fmt: skip
        run_id = run.id or 0
        suggestion_ids = save_suggestions(
            session, list(plan.purchases.suggestions), run_id=run_id, branch_ids=branch_ids
        )
        sync = alerts_repo.sync_alerts(session, drafts, run_id=run_id, now=utcnow())
        messages = alerts_repo.queue_alert_messages(
            session, sync.opened, urgencies=cfg.notify_urgencies,
            per_branch=cfg.max_messages_per_branch,
        )  # fmt: skip
    report = NightlyReport(
        run_id=run_id, run_date=today, series=len(models), forecast_seconds=round(fc_seconds, 2),
        total_seconds=round(time.perf_counter() - started, 2), alerts_opened=len(sync.opened),
        alerts_refreshed=sync.refreshed, alerts_resolved=sync.resolved, messages=messages,
        suggestions=len(suggestion_ids), transfers=len(plan.transfers),
        purchase_cents=plan.purchases.purchase_cents,
    )  # fmt: skip
    log.info("nightly inventory run: %s", report)
    return report


def build_alerts(
    snap: repo.Snapshot, plan: Replenishment, settings: Settings, today: date
) -> list[alerts_repo.AlertDraft]:
    """Tonight's situations as alert drafts (Spanish text and action)."""
    cfg = settings.inventory
    branch_ids = {code: b.id for code, b in snap.branches.items()}
    by_key = {(i.sku, i.branch): i for i in snap.items}
    lines = {(ln.sku, ln.branch): (s, ln) for s in plan.purchases.suggestions for ln in s.lines}
    transfers = {(t.sku, t.to_branch): t for t in plan.transfers}
    drafts: list[alerts_repo.AlertDraft] = []
    for key, urgency in plan.urgencies.items():
        item, policy = by_key[key], plan.policies[key]
        terms = snap.suppliers[item.supplier_id]
        hit = lines.get(key)
        qty = hit[1].quantity if hit else max(0, policy.order_up_to - item.position)
        tr = transfers.get(key)
        if tr is not None and hit is None:
            qty = 0
        body, action = text.stock_alert(
            urgency.value, label=item.label, branch=item.branch, available=item.available,
            weekly=policy.weekly_mean, reorder_point=policy.reorder_point, quantity=qty,
            supplier=terms.name, today=today,
            arrives=today + timedelta(days=terms.lead_time_days),
            transfer_from=tr.from_branch if tr else None,
            transfer_quantity=tr.quantity if tr else 0,
        )  # fmt: skip
        drafts.append(
            alerts_repo.AlertDraft(
                dedup_key=f"{urgency.value}:{item.sku}:{item.branch}",
                urgency=urgency.value,
                text=body,
                action=action,
                sku=item.sku,
                product_id=item.product_id,
                branch_id=item.branch_id,
                detail={
                    "available": item.available,
                    "inbound": item.inbound,
                    "reorder_point": policy.reorder_point,
                    "order_up_to": policy.order_up_to,
                    "safety_stock": policy.safety_stock,
                    "weekly_mean": round(policy.weekly_mean, 2),
                    "quantity": qty,
                    "supplier_id": terms.supplier_id,
                    "service_level": policy.service_level,
                    "abc": policy.abc,
                },
            )  # fmt: skip
        )
    for slow in slow_items(plan.items, plan.policies, threshold_days=cfg.slow_days):
        body, action = text.overstock_alert(
            label=slow.label, branch=slow.branch, on_hand=slow.on_hand,
            days=slow.days_of_supply, value_cents=slow.value_cents,
        )  # fmt: skip
        item = by_key[(slow.sku, slow.branch)]
        drafts.append(
            alerts_repo.AlertDraft(
                dedup_key=f"{Urgency.SOBREINVENTARIO.value}:{slow.sku}:{slow.branch}",
                urgency=Urgency.SOBREINVENTARIO.value,
                text=body,
                action=action,
                sku=slow.sku,
                product_id=item.product_id,
                branch_id=item.branch_id,
                detail={
                    "on_hand": slow.on_hand,
                    "value_cents": slow.value_cents,
                    "days_of_supply": None
                    if slow.days_of_supply == float("inf")
                    else round(slow.days_of_supply),
                },
            )  # fmt: skip
        )
    for aged in aged_lots(snap.lots, today=today, max_age_years=cfg.age_limit_years):
        lot = aged.lot
        body, action = text.age_alert(
            label=lot.label, branch=lot.branch, quantity=lot.quantity, week=lot.week,
            year=lot.year, age_days=aged.age_days,
        )  # fmt: skip
        product = snap.products.get(lot.sku)
        drafts.append(
            alerts_repo.AlertDraft(
                dedup_key=f"{Urgency.ANTIGUEDAD.value}:{lot.sku}:{lot.branch}:{lot.week:02d}{lot.year}",
                urgency=Urgency.ANTIGUEDAD.value,
                text=body,
                action=action,
                sku=lot.sku,
                product_id=product.id if product else None,
                branch_id=branch_ids.get(lot.branch),
                detail={
                    "quantity": lot.quantity,
                    "dot": f"{lot.week:02d}{lot.year % 100:02d}",
                    "age_days": aged.age_days,
                },
            )  # fmt: skip
        )
    for s in plan.purchases.suggestions:
        for ln in s.lines:
            if ln.quantity > ln.need and ln.savings_cents > 0:
                item = by_key[(ln.sku, ln.branch)]
                body, action = text.opportunity_alert(
                    label=item.label, branch=ln.branch, supplier=s.supplier,
                    quantity=ln.quantity, need=ln.need, unit_cost_cents=ln.unit_cost_cents,
                    savings_cents=ln.savings_cents,
                )  # fmt: skip
                drafts.append(
                    alerts_repo.AlertDraft(
                        dedup_key=f"{Urgency.OPORTUNIDAD.value}:{ln.sku}:{ln.branch}:{ln.quantity}",
                        urgency=Urgency.OPORTUNIDAD.value,
                        text=body,
                        action=action,
                        sku=ln.sku,
                        product_id=item.product_id,
                        branch_id=item.branch_id,
                        detail={
                            "quantity": ln.quantity,
                            "need": ln.need,
                            "savings_cents": ln.savings_cents,
                            "supplier_id": s.supplier_id,
                        },
                    )  # fmt: skip
                )
    return drafts


def ran_on(engine: Engine, day: date) -> bool:
    """Whether a forecast run exists for ``day``."""
    with Session(engine) as session:
        found = session.exec(select(sa.func.count()).select_from(ForecastRun).where(ForecastRun.run_date == day)).one()  # fmt: skip
    return bool(found)


def nightly_due(engine: Engine, settings: Settings) -> date | None:
    """Today's date (Mexico City) when the nightly run is enabled, its hour has come and it has
    not run today; else None. The server's sweep asks this every pass."""
    if not settings.inventory_nightly:
        return None
    now = mexico_now()
    if now.hour < settings.inventory.nightly_hour or ran_on(engine, now.date()):
        return None
    return now.date()
