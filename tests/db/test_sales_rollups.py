"""The sales roll-ups (migration 0011's triggers) always equal the daily rows, and a sales
report read through them equals one summed from the daily rows, for any period and grouping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from db.engine import session_scope
from db.repositories.analytics import sales_report
from tests.conftest import ANCHOR

MONTH = {
    "sqlite": "date(day, 'start of month')",
    "postgresql": "CAST(date_trunc('month', day) AS date)",
}


def _rows(conn: Connection, sql: str) -> set[tuple[Any, ...]]:
    return {tuple(str(v) for v in r) for r in conn.exec_driver_sql(sql).all()}


def assert_rollups_match(engine: Engine) -> None:
    month = MONTH[engine.dialect.name]
    with engine.connect() as conn:
        assert _rows(
            conn, "SELECT day, branch_id, units, revenue_cents FROM sales_branch_day"
        ) == _rows(
            conn,
            "SELECT day, branch_id, sum(units), sum(revenue_cents) FROM sales_daily "
            "GROUP BY day, branch_id",
        )
        assert _rows(
            conn,
            "SELECT month, product_id, branch_id, units, revenue_cents FROM sales_product_month",
        ) == _rows(
            conn,
            f"SELECT {month}, product_id, branch_id, sum(units), sum(revenue_cents) "
            f"FROM sales_daily GROUP BY {month}, product_id, branch_id",
        )


def test_the_rollups_follow_every_insert_update_and_delete(engine: Engine) -> None:
    assert_rollups_match(engine)  # seeded: every row went through the insert trigger
    last = ANCHOR - timedelta(days=1)
    with engine.begin() as conn:
        product, branch = conn.exec_driver_sql(
            "SELECT product_id, branch_id FROM sales_daily ORDER BY day DESC, product_id LIMIT 1"
        ).one()
        # a new day in a new month, a change, and a day deleted
        conn.execute(
            sa.text(
                "INSERT INTO sales_daily (day, product_id, branch_id, units, revenue_cents) "
                "VALUES (:d, :p, :b, 3, 450000)"
            ),
            {"d": ANCHOR + timedelta(days=15), "p": product, "b": branch},
        )
        conn.execute(
            sa.text("UPDATE sales_daily SET units = units + 2, revenue_cents = revenue_cents + 1 "
                    "WHERE day = :d AND product_id = :p AND branch_id = :b"),
            {"d": last, "p": product, "b": branch},
        )  # fmt: skip
        conn.execute(sa.text("DELETE FROM sales_daily WHERE day = :d"), {"d": last})
    assert_rollups_match(engine)  # no empty roll-up row is left for the deleted day
    with engine.begin() as conn:
        first = conn.exec_driver_sql("SELECT min(day) FROM sales_daily").scalar_one()
        conn.execute(sa.text("DELETE FROM sales_daily WHERE product_id = :p"), {"p": product})
        conn.execute(
            sa.text("UPDATE sales_daily SET day = :d WHERE day = :f"),
            {"d": date(2025, 12, 31), "f": first},
        )
    assert_rollups_match(engine)


PERIODS = [
    (date(2026, 1, 1), ANCHOR - timedelta(days=1)),  # the year view: whole months + a partial one
    (date(2026, 8, 1), date(2026, 10, 31)),  # whole months only
    (date(2026, 8, 17), date(2026, 10, 3)),  # partial months at both ends
    (date(2026, 9, 5), date(2026, 9, 20)),  # inside one month
    (date(2026, 10, 1), date(2026, 10, 1)),  # one day
]


@pytest.mark.parametrize("group_by", ["branch", "brand", "size", "month", "day"])
def test_a_report_through_the_rollups_equals_the_daily_rows(engine: Engine, group_by: str) -> None:
    key = {
        "branch": "b.code", "brand": "p.brand", "size": "p.size",
        "month": "substr(CAST(s.day AS varchar), 1, 7)", "day": "CAST(s.day AS varchar)",
    }[group_by]  # fmt: skip
    for start, end in PERIODS:
        for branch in (None, "MTY"):
            where = " AND b.code = :branch" if branch else ""
            with engine.connect() as conn:
                raw = {
                    str(k)[:10] if group_by == "day" else str(k): (int(u), int(r))
                    for k, u, r in conn.execute(
                        sa.text(
                            f"SELECT {key}, sum(s.units), sum(s.revenue_cents) FROM sales_daily s "
                            "JOIN product p ON p.id = s.product_id "
                            "JOIN branch b ON b.id = s.branch_id "
                            f"WHERE s.day >= :a AND s.day <= :z{where} GROUP BY {key}"
                        ),
                        {"a": start, "z": end, "branch": branch},
                    ).all()
                }
            with session_scope(engine) as session:
                got = sales_report(
                    session, date_from=start, date_to=end, group_by=group_by,  # type: ignore[arg-type]
                    limit=10_000, branch=branch,
                )  # fmt: skip
            assert raw, (start, end, branch)
            assert {r.key: (r.units, r.revenue_cents) for r in got.rows} == raw, (start, end)
            assert got.total_revenue_cents == sum(r for _, r in raw.values())
