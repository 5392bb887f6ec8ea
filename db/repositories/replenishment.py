"""What the replenishment engine reads (weekly demand, stock, suppliers, price breaks, lots,
what is on order or in transit) and what the nightly job writes (forecast runs and rows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from db.tables import (
    Branch,
    ForecastRow,
    ForecastRun,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesDaily,
    Stock,
    StockLot,
    StockTransfer,
    Supplier,
    SupplierPrice,
)
from domain.enums import PurchaseOrderStatus
from engines.replenishment import (
    ItemState,
    Lot,
    Policy,
    PriceBreak,
    SupplierTerms,
    WeeklyForecast,
)
from engines.replenishment.replenish import compute_policies

OPEN_PO = (PurchaseOrderStatus.DRAFT.value, PurchaseOrderStatus.SENT.value)
IN_TRANSIT = "in_transit"


def series_id(product_id: int, branch_id: int) -> str:
    """The forecast unique_id of a SKU at a branch."""
    return f"{product_id}:{branch_id}"


def parse_series_id(uid: str) -> tuple[int, int]:
    product, branch = uid.split(":")
    return int(product), int(branch)


def weekly_demand(session: Session, *, today: date, weeks: int) -> pd.DataFrame:
    """Units sold per SKU x branch in whole weeks ending yesterday (``ds`` = each week's
    first day), from the daily sales history; weeks without sales are left out (the forecast
    engine fills them with 0)."""
    start = today - timedelta(days=7 * weeks)
    rows = session.execute(
        sa.select(
            col(SalesDaily.day), col(SalesDaily.product_id), col(SalesDaily.branch_id),
            col(SalesDaily.units),
        ).where(col(SalesDaily.day) >= start, col(SalesDaily.day) < today)
    ).all()  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=["unique_id", "ds", "y"])
    df = pd.DataFrame(rows, columns=["day", "product_id", "branch_id", "units"])
    age = (pd.Timestamp(today) - pd.to_datetime(df["day"])).dt.days - 1
    df["ds"] = pd.Timestamp(today) - pd.to_timedelta(7 * (age // 7 + 1), unit="D")
    df["unique_id"] = df["product_id"].astype(str) + ":" + df["branch_id"].astype(str)
    out = df.groupby(["unique_id", "ds"], as_index=False)["units"].sum()
    return out.rename(columns={"units": "y"})


def save_forecast(
    session: Session,
    *,
    run_date: date,
    horizon: int,
    forecasts: pd.DataFrame,
    models: Mapping[str, str],
    strategy: Mapping[str, str],
    seconds: float,
) -> ForecastRun:
    """A forecast run and its rows (one per series and week), bulk-inserted."""
    counts: dict[str, int] = {}
    for m in models.values():
        counts[m] = counts.get(m, 0) + 1
    run = ForecastRun(
        run_date=run_date,
        horizon_weeks=horizon,
        series=len(models),
        strategy=dict(strategy),
        model_counts=dict(sorted(counts.items(), key=lambda kv: -kv[1])),
        seconds=round(seconds, 2),
    )
    session.add(run)
    session.flush()
    rows = []
    for uid, ds, mean, p10, p50, p90 in forecasts[
        ["unique_id", "ds", "mean", "p10", "p50", "p90"]
    ].itertuples(index=False):
        product_id, branch_id = parse_series_id(uid)
        rows.append(
            {
                "run_id": run.id,
                "product_id": product_id,
                "branch_id": branch_id,
                "week": ds.date(),
                "mean": round(float(mean), 3),
                "p10": round(float(p10), 3),
                "p50": round(float(p50), 3),
                "p90": round(float(p90), 3),
                "model": models.get(uid, "")[:40],
            }
        )
    for i in range(0, len(rows), 5000):
        session.execute(sa.insert(ForecastRow), rows[i : i + 5000])
    return run


def forecasts_from_frame(fc: pd.DataFrame) -> dict[tuple[int, int], WeeklyForecast]:
    """The engine's forecast frame as weekly forecasts per (product_id, branch_id), rounded as
    ``save_forecast`` stores them (so tonight's policy is what tomorrow reads back)."""
    out: dict[tuple[int, int], WeeklyForecast] = {}
    if fc.empty:
        return out
    ordered = fc.sort_values(["unique_id", "ds"])
    for uid, g in ordered.groupby("unique_id", sort=False):
        cols = [tuple(round(float(v), 3) for v in g[c]) for c in ("mean", "p10", "p50", "p90")]
        out[parse_series_id(str(uid))] = WeeklyForecast(*cols)
    return out


def latest_run(session: Session) -> ForecastRun | None:
    """The newest forecast run."""
    return session.exec(select(ForecastRun).order_by(col(ForecastRun.id).desc())).first()


def run_forecasts(session: Session, run_id: int) -> dict[tuple[int, int], WeeklyForecast]:
    """The run's weekly forecasts per (product_id, branch_id)."""
    rows = session.execute(
        sa.select(
            col(ForecastRow.product_id),
            col(ForecastRow.branch_id),
            col(ForecastRow.mean),
            col(ForecastRow.p10),
            col(ForecastRow.p50),
            col(ForecastRow.p90),
        )
        .where(col(ForecastRow.run_id) == run_id)
        .order_by(col(ForecastRow.product_id), col(ForecastRow.branch_id), col(ForecastRow.week))
    ).all()
    acc: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    for product_id, branch_id, mean, p10, p50, p90 in rows:
        acc.setdefault((product_id, branch_id), []).append((mean, p10, p50, p90))
    return {
        key: WeeklyForecast(*(tuple(v[k] for v in values) for k in range(4)))
        for key, values in acc.items()
    }


@dataclass(frozen=True)
class Snapshot:
    """Everything the engine needs about today, read in one session."""

    items: list[ItemState]
    suppliers: dict[int, SupplierTerms]
    breaks: dict[tuple[int, str], list[PriceBreak]]
    lots: list[Lot]
    branches: dict[str, Branch]
    products: dict[str, Product]


def supplier_terms(session: Session, order_cost_cents: int) -> dict[int, SupplierTerms]:
    """Every supplier's lead time, minimum order value and our cost of an order."""
    return {
        s.id or 0: SupplierTerms(
            supplier_id=s.id or 0,
            name=s.name,
            lead_time_days=s.lead_time_days,
            min_order_cents=s.min_order_cents,
            order_cost_cents=order_cost_cents,
        )
        for s in session.exec(select(Supplier)).all()
    }


def price_breaks(session: Session) -> dict[tuple[int, str], list[PriceBreak]]:
    """(supplier id, SKU) -> its volume breaks, smallest quantity first."""
    out: dict[tuple[int, str], list[PriceBreak]] = {}
    rows = session.exec(
        select(SupplierPrice.supplier_id, Product.sku, SupplierPrice.min_quantity, SupplierPrice.unit_cost_cents)
        .join(Product, col(Product.id) == SupplierPrice.product_id)
        .order_by(col(SupplierPrice.supplier_id), col(Product.sku), col(SupplierPrice.min_quantity))
    ).all()  # fmt: skip
    for supplier_id, sku, min_q, cost in rows:
        out.setdefault((supplier_id, sku), []).append(PriceBreak(min_q, cost))
    return out


def inbound_units(session: Session) -> dict[tuple[int, int], int]:
    """(product_id, branch_id) -> units on open purchase orders and transfers in transit."""
    out: dict[tuple[int, int], int] = {}
    po = session.exec(
        select(PurchaseOrderLine.product_id, PurchaseOrder.branch_id, sa.func.sum(PurchaseOrderLine.quantity))
        .join(PurchaseOrder, col(PurchaseOrder.id) == PurchaseOrderLine.purchase_order_id)
        .where(col(PurchaseOrder.status).in_(OPEN_PO))
        .group_by(col(PurchaseOrderLine.product_id), col(PurchaseOrder.branch_id))
    ).all()  # fmt: skip
    tr = session.exec(
        select(StockTransfer.product_id, StockTransfer.to_branch_id, sa.func.sum(StockTransfer.quantity))
        .where(StockTransfer.status == IN_TRANSIT)
        .group_by(col(StockTransfer.product_id), col(StockTransfer.to_branch_id))
    ).all()  # fmt: skip
    for product_id, branch_id, units in [*po, *tr]:
        out[(product_id, branch_id)] = out.get((product_id, branch_id), 0) + int(units or 0)
    return out


def label(product: Product) -> str:
    """``205/55R16 Michelin Primacy 4+``."""
    return f"{product.size} {product.brand} {product.line}"


def snapshot(
    session: Session,
    forecasts: Mapping[tuple[int, int], WeeklyForecast],
    *,
    order_cost_cents: int,
    weeks: int = 12,
) -> Snapshot:
    """Items (active products x branches with a stock row), suppliers, breaks and DOT lots.
    A product's supplier is the one whose price list has it (cheapest list cost, then the
    shortest lead time); items without a forecast get zero demand."""
    suppliers = supplier_terms(session, order_cost_cents)
    breaks = price_breaks(session)
    branches = {b.code: b for b in session.exec(select(Branch)).all()}
    code_of = {b.id: code for code, b in branches.items()}
    products = {p.id: p for p in session.exec(select(Product).where(col(Product.active))).all()}
    supplier_of: dict[str, int] = {}
    ranked = sorted(
        breaks.items(),
        key=lambda kv: (kv[1][0].unit_cost_cents, suppliers[kv[0][0]].lead_time_days, kv[0][0]),
    )
    for (sid, sku), _ in ranked:
        supplier_of.setdefault(sku, sid)
    inbound = inbound_units(session)
    zero = WeeklyForecast.flat(0.0, weeks)
    items = []
    stocks = session.exec(select(Stock).order_by(col(Stock.product_id), col(Stock.branch_id))).all()
    for s in stocks:
        product = products.get(s.product_id)
        if product is None or product.sku not in supplier_of:
            continue
        items.append(
            ItemState(
                sku=product.sku,
                branch=code_of[s.branch_id],
                supplier_id=supplier_of[product.sku],
                forecast=forecasts.get((s.product_id, s.branch_id), zero),
                on_hand=s.on_hand,
                reserved=s.reserved,
                inbound=inbound.get((s.product_id, s.branch_id), 0),
                unit_cost_cents=product.cost_cents,
                price_cents=product.price_cents,
                label=label(product),
                product_id=product.id,
                branch_id=s.branch_id,
            )
        )
    lot_rows = session.exec(
        select(StockLot, Stock.product_id, Stock.branch_id)
        .join(Stock, col(Stock.id) == StockLot.stock_id)
        .where(StockLot.quantity > 0)
    ).all()
    lots = [
        Lot(
            sku=products[pid].sku,
            branch=code_of[bid],
            week=lot.dot_week,
            year=lot.dot_year,
            quantity=lot.quantity,
            label=label(products[pid]),
        )
        for lot, pid, bid in lot_rows
        if pid in products
    ]
    return Snapshot(
        items=items,
        suppliers=suppliers,
        breaks=breaks,
        lots=lots,
        branches=branches,
        products={p.sku: p for p in products.values()},
    )


def current_state(
    session: Session, *, order_cost_cents: int, weeks: int = 12
) -> tuple[Snapshot, dict[tuple[str, str], Policy], date | None]:
    """Today's snapshot with the latest run's forecasts and the policy of every item (no
    purchase optimisation): what the stock-health and transfer questions need. Without a run
    every item has zero forecast demand."""
    run = latest_run(session)
    forecasts = run_forecasts(session, run.id or 0) if run else {}
    snap = snapshot(session, forecasts, order_cost_cents=order_cost_cents, weeks=weeks)
    return snap, compute_policies(snap.items, snap.suppliers), run.run_date if run else None
