"""The demo delivery day: the routing engine's plan beside the naive plan, per branch.

Naive plan (what a dispatcher does by hand): the city split into one angular zone around the
branch per truck, and each truck visits its zone's deliveries in the order they were entered.
Both plans are scheduled and judged by the same checker (engines.routing.evaluate) on the same
travel matrix: km, hours on the road (leave to return, waiting included), late stops, cost
(per km and per hour of each truck), and any other violation (capacity, shift end).

    .venv/bin/python bench/delivery_day.py [--seconds 5] [--db sqlite:///var/bench-delivery.db]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, col, select  # noqa: E402

import db.tables as t  # noqa: E402
from db.delivery_planning import (  # noqa: E402
    branches,
    build_problem,
    complete_facts,
    day_deliveries,
)
from db.demo.deliveries import seed_delivery_day  # noqa: E402
from db.demo.seed import seed_demo  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from engines.routing import RoutePlan, evaluate, solve  # noqa: E402

DAY = date(2026, 11, 20)


def naive_routes(
    branch: t.Branch, vehicles: list[t.FleetVehicle], deliveries: list[t.Delivery]
) -> list[tuple[str, list[str]]]:
    zones: list[list[str]] = [[] for _ in vehicles]
    for d in sorted(deliveries, key=lambda d: (d.created_at, d.id or 0)):
        angle = math.atan2(
            (d.latitude or 0) - branch.latitude, (d.longitude or 0) - branch.longitude
        )
        zone = int((angle + math.pi) / (2 * math.pi) * len(vehicles)) % len(vehicles)
        zones[zone].append(f"d{d.id}")
    return [(f"v{v.id}", zone) for v, zone in zip(vehicles, zones, strict=True)]


def row(name: str, plan: RoutePlan) -> str:
    late = sum(1 for v in plan.violations if v.kind.value == "time_window")
    other = sorted({v.kind.value for v in plan.violations if v.kind.value != "time_window"})
    hours = plan.duration / 60
    return (
        f"  {name:<7} {plan.vehicles:>6} {plan.distance:>8.1f} {hours:>7.1f} {late:>5} "
        f"{plan.cost:>11,.2f}  {', '.join(other) or '-'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="PyVRP time per branch")
    parser.add_argument("--db", default=None, help="an existing seeded database URL")
    args = parser.parse_args()
    url = args.db
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        seed_demo(engine, seed=7, anchor=DAY, history_days=60)
    else:
        engine = make_engine(url)
    seed_delivery_day(engine, DAY, seed=7)
    print(f"Demo delivery day {DAY}, PyVRP {args.seconds:g} s per branch, seed 1")
    print("  plan    trucks       km   hours  late    cost MXN  other violations")
    totals = {"naive": [0.0, 0.0, 0, 0.0], "engine": [0.0, 0.0, 0, 0.0]}
    with Session(engine) as session:
        for branch in branches(session, None):
            vehicles = list(
                session.exec(
                    select(t.FleetVehicle)
                    .where(t.FleetVehicle.branch_id == branch.id)
                    .order_by(col(t.FleetVehicle.id))
                ).all()
            )
            deliveries = day_deliveries(session, branch, DAY)
            for d in deliveries:
                complete_facts(session, branch, d)
            unplanned: dict[int, str] = {}
            problem = build_problem(
                branch, [(v, None) for v in vehicles], deliveries, unplanned=unplanned
            )
            if problem is None:
                continue
            kept = [d for d in deliveries if d.id not in unplanned]
            naive = evaluate(problem, naive_routes(branch, vehicles, kept), backend="naive")
            engine_plan = solve(problem, time_limit_s=args.seconds, seed=1)
            print(f"{branch.code}: {len(kept)} deliveries, {len(vehicles)} trucks")
            for name, plan in (("naive", naive), ("engine", engine_plan)):
                print(row(name, plan))
                late = sum(1 for v in plan.violations if v.kind.value == "time_window")
                for i, value in enumerate((plan.distance, plan.duration / 60, late, plan.cost)):
                    totals[name][i] += value
            session.rollback()  # complete_facts fills rows; the bench writes nothing
    print("All branches:")
    for name, (km, hours, late, cost) in totals.items():
        print(f"  {name:<7} {km:>15.1f} {hours:>7.1f} {int(late):>5} {cost:>11,.2f}")
    naive_cost, engine_cost = totals["naive"][3], totals["engine"][3]
    if naive_cost:
        print(
            f"Engine vs naive: cost {100 * (engine_cost - naive_cost) / naive_cost:+.1f}%, "
            f"km {100 * (totals['engine'][0] - totals['naive'][0]) / totals['naive'][0]:+.1f}%"
        )


if __name__ == "__main__":
    main()
