"""Growing and declining products from three years of daily sales in the database: a December
peak every year with no growth is not flagged, a real +40 % a year is (forecast_queries.trending,
what list_trending_products answers from)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from db.engine import session_scope
from db.repositories.forecast_queries import trending
from db.tables import Branch, Product, SalesDaily

TODAY = date(2026, 12, 28)  # in the middle of the December peak
START = date(2024, 1, 1)


def _daily(growth_per_year: float, seed: int) -> list[tuple[date, int]]:
    """Poisson daily units, level 4, three times as many from December 1 to 24 every year."""
    rng = np.random.default_rng(seed)
    rows = []
    day = START
    while day < TODAY:
        years = (day - START).days / 365.25
        mean = (
            4.0
            * (1 + growth_per_year) ** years
            * (3.0 if day.month == 12 and day.day <= 24 else 1.0)
        )
        units = int(rng.poisson(mean))
        if units:
            rows.append((day, units))
        day += timedelta(days=1)
    return rows


def test_a_december_peak_is_not_growth_and_a_real_40_percent_is(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        seasonal, growing = session.exec(select(Product).order_by(col(Product.id)).limit(2)).all()
        branch = session.exec(select(Branch).where(Branch.code == "MTY")).one()
        ids = [seasonal.id, growing.id]
        session.execute(sa.delete(SalesDaily).where(col(SalesDaily.product_id).in_(ids)))
        for product, growth, seed in ((seasonal, 0.0, 1), (growing, 0.4, 2)):
            session.execute(
                sa.insert(SalesDaily),
                [{"day": d, "product_id": product.id, "branch_id": branch.id, "units": u,
                  "revenue_cents": u * product.price_cents} for d, u in _daily(growth, seed)],
            )  # fmt: skip
        keys = {seasonal.sku: "seasonal", growing.sku: "growing"}
    with session_scope(engine) as session:
        rows = {r.key: r for r in trending(session, today=TODAY, group_by="sku", window_weeks=8,
                                            branch="MTY") if r.key in keys}  # fmt: skip
    flat, rising = rows[seasonal.sku], rows[growing.sku]
    # the trap: against the eight weeks just before, the peak looks like strong growth
    with session_scope(engine) as session:

        def units(a: date, b: date) -> int:
            return int(session.exec(
                select(sa.func.sum(SalesDaily.units)).where(
                    SalesDaily.product_id == seasonal.id, col(SalesDaily.day) >= a,
                    col(SalesDaily.day) < b,
                )
            ).one() or 0)  # fmt: skip

        recent = units(TODAY - timedelta(weeks=8), TODAY)
        before = units(TODAY - timedelta(weeks=16), TODAY - timedelta(weeks=8))
    assert recent > 1.4 * before
    assert flat.trend == "stable" and abs(flat.change_pct or 0) < 20, flat
    assert rising.trend == "growth", rising
    assert 25 <= (rising.change_pct or 0) <= 60, rising
