"""Replay the demo's last 365 days of sales with the demo's min/max policy and with the
forecast policy (engines.replenishment): fill rate, stock-out days, average inventory value,
purchase cost, orders placed — side by side, in one run.

Both policies start from the same stock (the demo's on-hand today, moved to the first day of
the replay), review every day, order up to their level when the inventory position reaches
their reorder point, receive after the supplier's lead time and pay the supplier's volume
break for the quantity. Demand is the recorded daily sales (lost sales are not in the
history, so a stock-out day loses what exceeds the stock). The forecast policy re-forecasts
every ``--refit-weeks`` weeks from the history before that day (the same engine as the nightly
job) and recomputes its reorder point, safety stock and order-up-to level weekly from the
forecast quantiles (ABC service levels 98/95/90 %). It orders per item at its own reorder
point (no CP-SAT here: the optimiser's minimum orders and budget need the whole day's basket;
per-item (s, S) is what both policies share).

    python bench/inventory_sim.py [--data-dir DIR] [--refit-weeks 13]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlmodel import Session, col, select

from db.demo.seed import seed_demo
from db.engine import make_engine
from db.migrate import upgrade
from db.repositories.replenishment import price_breaks, supplier_terms
from db.tables import Branch, Product, SalesDaily, Stock
from engines.forecasting import forecast
from engines.replenishment import ItemState, WeeklyForecast, unit_cost_at
from engines.replenishment.replenish import compute_policies

DAYS = 365
ANCHOR = date(2026, 11, 20)


def load(url: str) -> dict[str, object]:
    engine = make_engine(url)
    with Session(engine) as s:
        products = {p.id: p for p in s.exec(select(Product)).all()}
        branches = {b.id: b.code for b in s.exec(select(Branch)).all()}
        stocks = s.exec(select(Stock).order_by(col(Stock.product_id), col(Stock.branch_id))).all()
        suppliers = supplier_terms(s, 0)
        breaks = price_breaks(s)
        sales = pd.DataFrame(
            s.execute(
                select(
                    SalesDaily.day, SalesDaily.product_id, SalesDaily.branch_id, SalesDaily.units
                )  # type: ignore[call-overload]
            ).all(),
            columns=["day", "product_id", "branch_id", "units"],
        )
    supplier_of = {}
    for (sid, sku), _ in sorted(breaks.items(), key=lambda kv: (kv[1][0].unit_cost_cents, suppliers[kv[0][0]].lead_time_days, kv[0][0])):  # fmt: skip
        supplier_of.setdefault(sku, sid)
    return {
        "products": products, "branches": branches, "stocks": stocks, "suppliers": suppliers,
        "breaks": breaks, "sales": sales, "supplier_of": supplier_of,
    }  # fmt: skip


def simulate(data: dict[str, object], refit_weeks: int) -> pd.DataFrame:
    products: dict = data["products"]  # type: ignore[assignment,type-arg]
    branches: dict = data["branches"]  # type: ignore[assignment,type-arg]
    stocks: list = data["stocks"]  # type: ignore[assignment,type-arg]
    suppliers: dict = data["suppliers"]  # type: ignore[assignment,type-arg]
    breaks: dict = data["breaks"]  # type: ignore[assignment,type-arg]
    sales: pd.DataFrame = data["sales"]  # type: ignore[assignment]
    supplier_of: dict = data["supplier_of"]  # type: ignore[assignment,type-arg]
    start = ANCHOR - timedelta(days=DAYS)
    keys = [(st.product_id, st.branch_id) for st in stocks]
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    sales["day"] = pd.to_datetime(sales["day"]).dt.date
    recent = sales[sales["day"] >= start]
    demand = np.zeros((n, DAYS), dtype=np.int64)
    for pid, bid, day, units in recent[["product_id", "branch_id", "day", "units"]].itertuples(index=False):  # fmt: skip
        i = index.get((pid, bid))
        if i is not None:
            demand[i, (day - start).days] += units
    sku = [products[p].sku for p, _ in keys]
    sup = [supplier_of.get(s, next(iter(suppliers))) for s in sku]
    lead = np.array([suppliers[x].lead_time_days for x in sup])
    cost = np.array([products[p].cost_cents for p, _ in keys], dtype=np.int64)
    start_stock = np.array([st.on_hand for st in stocks], dtype=np.int64)
    minmax = (
        np.array([st.reorder_point for st in stocks]), np.array([st.max_level for st in stocks]),
    )  # fmt: skip

    # history before the replay as weekly frames, for the forecast policy's refits
    history = sales[sales["day"] < start].copy()

    def weekly_frame(until: date) -> pd.DataFrame:
        h = pd.concat([history, recent[recent["day"] < until]])
        h = h[h["day"] >= until - timedelta(days=7 * 104)]
        age = h["day"].map(lambda d: (until - d).days - 1)
        h = h.assign(ds=[pd.Timestamp(until - timedelta(days=7 * (a // 7 + 1))) for a in age])
        h["unique_id"] = h["product_id"].astype(str) + ":" + h["branch_id"].astype(str)
        return (
            h.groupby(["unique_id", "ds"], as_index=False)["units"]
            .sum()
            .rename(columns={"units": "y"})
        )

    forecasts: dict[tuple[int, int], np.ndarray] = {}
    fit_seconds = []

    def refit(day: date) -> None:
        t0 = time.perf_counter()
        res = forecast(weekly_frame(day), horizon=refit_weeks + 4, freq="W")
        fit_seconds.append(time.perf_counter() - t0)
        forecasts.clear()
        for uid, g in res.forecasts.groupby("unique_id"):
            p, b = (int(x) for x in str(uid).split(":"))
            forecasts[(p, b)] = g[["mean", "p10", "p50", "p90"]].to_numpy(dtype=float)

    def forecast_policy(week: int) -> tuple[np.ndarray, np.ndarray]:
        zero = WeeklyForecast.flat(0.0, 12)
        items = []
        for (p, b), s_, sid in zip(keys, sku, sup, strict=True):
            f = forecasts.get((p, b))
            wf = zero
            if f is not None:
                sl = f[week : week + 12] if week < len(f) else f[-1:]
                wf = WeeklyForecast(*(tuple(sl[:, k]) for k in range(4)))
            items.append(ItemState(sku=s_, branch=branches[b], supplier_id=sid, forecast=wf, on_hand=0, unit_cost_cents=products[p].cost_cents, price_cents=products[p].price_cents))  # fmt: skip
        pol = compute_policies(items, suppliers)
        return (
            np.array([pol[(i.sku, i.branch)].reorder_point for i in items]),
            np.array([pol[(i.sku, i.branch)].order_up_to for i in items]),
        )

    results = {}
    for name in ("min/max (demo)", "forecast policy"):
        on_hand = start_stock.copy()
        arrivals = np.zeros((n, DAYS + 60), dtype=np.int64)
        inbound = np.zeros(n, dtype=np.int64)
        served = short_days = 0
        inv_value = []
        spend = 0
        pos_orders: set[tuple[int, str, int]] = set()
        lines = 0
        rop, upto = minmax
        for d in range(DAYS):
            day = start + timedelta(days=d)
            if name == "forecast policy" and d % 7 == 0:
                week = (d // 7) % refit_weeks
                if week == 0:
                    refit(day)
                rop, upto = forecast_policy(week)
            got = arrivals[:, d]
            on_hand += got
            inbound -= got
            want = demand[:, d]
            sold = np.minimum(want, on_hand)
            served += int(sold.sum())
            short_days += int(np.count_nonzero(want > on_hand))
            on_hand -= sold
            inv_value.append(int((on_hand * cost).sum()))
            position = on_hand + inbound
            order = np.where((position <= rop) & (upto > position), upto - position, 0)
            for i in np.nonzero(order)[0]:
                q = int(order[i])
                unit = unit_cost_at(breaks.get((sup[i], sku[i]), ()), q, int(cost[i]))
                spend += q * unit
                lines += 1
                pos_orders.add((sup[i], branches[keys[i][1]], d))
                arrivals[i, d + int(lead[i])] += q
                inbound[i] += q
        total = int(demand.sum())
        results[name] = {
            "fill rate": served / total,
            "units sold": served,
            "stock-out days (item-days)": short_days,
            "average inventory value": np.mean(inv_value) / 100,
            "purchase cost": spend / 100,
            "purchase cost per unit sold": spend / 100 / max(served, 1),
            "orders placed (supplier x branch x day)": len(pos_orders),
            "order lines": lines,
            "ending inventory value": inv_value[-1] / 100,
        }
    results["forecast policy"]["forecast refits"] = len(fit_seconds)
    results["forecast policy"]["seconds per refit"] = float(np.mean(fit_seconds))
    return pd.DataFrame(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--refit-weeks", type=int, default=13)
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="inventory-sim-"))
    url = f"sqlite:///{folder / 'sim.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed_demo(engine, seed=7, anchor=ANCHOR, history_days=760)
    engine.dispose()
    t0 = time.perf_counter()
    table = simulate(load(url), args.refit_weeks)
    mm, fc = table["min/max (demo)"], table["forecast policy"]
    pd.set_option("display.float_format", lambda v: f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}")
    print(f"Replay of {DAYS} days ({ANCHOR - timedelta(days=DAYS)} to {ANCHOR - timedelta(days=1)}), demo seed 7, {len(load(url)['stocks'])} SKU x branch items")  # type: ignore[arg-type]  # fmt: skip
    print(table.to_string())
    better = {
        "fill rate": fc["fill rate"] > mm["fill rate"],
        "stock-out days": fc["stock-out days (item-days)"] < mm["stock-out days (item-days)"],
        "average inventory value": fc["average inventory value"] < mm["average inventory value"],
        "purchase cost": fc["purchase cost"] < mm["purchase cost"],
        "purchase cost per unit sold": fc["purchase cost per unit sold"] < mm["purchase cost per unit sold"],
        "orders placed": fc["orders placed (supplier x branch x day)"] < mm["orders placed (supplier x branch x day)"],
    }  # fmt: skip
    for what, ok in better.items():
        print(f"forecast policy {'better' if ok else 'WORSE or equal'} on {what}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
