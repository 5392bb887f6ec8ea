"""Staff analytics tools: stock totals over every product (SQL, not a page), sales against
earlier periods, rankings with filters, inventory value; customers refused inside each tool."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.tables import Branch, Product, SalesDaily, Stock
from domain.periods import Span, previous, resolve, year_before
from domain.staff_results import InventoryValue, SalesSummary
from domain.tool_results import SalesRanking, StockResult
from tests.tools.conftest import MakeCtx, call, refusal
from tools.base import ToolRefused
from tools.inventory import CHECK_STOCK, GET_SALES_RANKING, StockArgs, check_stock
from tools.sales_analytics import (
    GET_INVENTORY_VALUE,
    GET_SALES_SUMMARY,
    InventoryValueArgs,
    get_inventory_value,
)


def _available(engine: Engine, *where: sa.ColumnElement[bool]) -> dict[str, int]:
    with Session(engine) as s:
        rows = s.exec(
            select(Branch.code, sa.func.sum(col(Stock.on_hand) - col(Stock.reserved)))
            .select_from(Stock)
            .join(Product, col(Product.id) == Stock.product_id)
            .join(Branch, col(Branch.id) == Stock.branch_id)
            .where(col(Product.active).is_(True), *where)
            .group_by(Branch.code)
        ).all()
    return {code: int(units) for code, units in rows}


def test_brand_totals_count_every_product_not_the_first_page(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    staff = make_ctx("staff")
    result = call(CHECK_STOCK, staff, StockResult, brand="Michelin")
    truth = _available(engine, col(Product.brand) == "Michelin")
    assert result.product_count > 50  # more than one page of the old search
    assert result.by_branch == truth
    assert result.total_available == sum(truth.values())
    shown = sum(sum(p.stock.values()) for p in result.products)
    assert shown < result.total_available  # the list is short; the total is not


def test_size_branch_and_line_narrow_the_total(engine: Engine, make_ctx: MakeCtx) -> None:
    staff = make_ctx("staff")
    gdl = call(CHECK_STOCK, staff, StockResult, size="205 55 16", branch_code="Guadalajara")
    size = (col(Product.width) == 205, col(Product.aspect) == 55, col(Product.rim) == 16)
    assert gdl.branch == "GDL" and gdl.by_branch == {"GDL": _available(engine, *size)["GDL"]}
    line = call(CHECK_STOCK, staff, StockResult, size="205/55R16", brand="michelin",
                line="Primacy 4")  # fmt: skip
    assert line.product_count == 1 and line.products[0].product.startswith("Michelin Primacy 4+")
    everything = call(CHECK_STOCK, staff, StockResult)
    assert everything.total_available == sum(_available(engine).values())


def test_sales_summary_matches_the_history_and_compares_periods(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    staff = make_ctx("staff")
    got = call(GET_SALES_SUMMARY, staff, SalesSummary, period="last_month", branch_code="MTY")
    with Session(engine) as s:
        units, revenue = s.exec(
            select(sa.func.sum(SalesDaily.units), sa.func.sum(SalesDaily.revenue_cents))
            .join(Branch, col(Branch.id) == SalesDaily.branch_id)
            .where(
                Branch.code == "MTY",
                col(SalesDaily.day) >= got.since,
                col(SalesDaily.day) <= got.until,
            )  # fmt: skip
        ).one()
    assert (got.units, got.revenue_cents) == (int(units or 0), int(revenue or 0))
    assert got.since.day == 1 and got.previous.until < got.since
    assert got.last_year.since.year == got.since.year - 1
    grouped = call(GET_SALES_SUMMARY, staff, SalesSummary, period="this_month", group_by="branch")
    assert sum(r.units for r in grouped.rows) == grouped.units
    assert "periodo inválido" in refusal(GET_SALES_SUMMARY, staff, period="el otro mes")


def test_rankings_filter_by_brand_size_and_calendar_period(make_ctx: MakeCtx) -> None:
    staff = make_ctx("staff")
    ranked = call(GET_SALES_RANKING, staff, SalesRanking, order="best", brand="Michelin",
                  size="205/55R16", period="last_month", limit=5)  # fmt: skip
    assert ranked.items and all(i.product.startswith("Michelin") for i in ranked.items)
    assert all("205/55R16" in i.product for i in ranked.items)
    assert ranked.since.day == 1 and ranked.period == "last_month"


def test_inventory_value_is_cost_per_branch(engine: Engine, make_ctx: MakeCtx) -> None:
    staff = make_ctx("staff")
    value = call(GET_INVENTORY_VALUE, staff, InventoryValue, branch_code="gdl")
    with Session(engine) as s:
        cost = s.exec(
            select(sa.func.sum(col(Stock.on_hand) * col(Product.cost_cents)))
            .join(Product, col(Product.id) == Stock.product_id)
            .join(Branch, col(Branch.id) == Stock.branch_id)
            .where(Branch.code == "GDL")
        ).one()
    assert [b.branch for b in value.branches] == ["GDL"]
    assert value.total_value_cents == int(cost)


def test_customers_are_refused_inside_the_tools_too(make_ctx: MakeCtx) -> None:
    customer = make_ctx()
    for spec, args in ((GET_SALES_SUMMARY, {}), (GET_INVENTORY_VALUE, {"branch_code": "GDL"})):
        assert "personal de TopLlantas" in refusal(spec, customer, **args)
    # Called around run_tool's role check, the tools still refuse: cost data never leaks.
    with pytest.raises(ToolRefused):
        get_inventory_value(customer, InventoryValueArgs(branch_code="GDL"))
    with pytest.raises(ToolRefused):
        check_stock(customer, StockArgs(brand="Michelin"))


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("this_month", date(2026, 11, 1), date(2026, 11, 19)),
        ("last_month", date(2026, 10, 1), date(2026, 10, 31)),
        ("last_week", date(2026, 11, 9), date(2026, 11, 15)),
        ("yesterday", date(2026, 11, 18), date(2026, 11, 18)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 19)),
    ],
)
def test_periods_resolve_against_the_reference_day(period: str, start: date, end: date) -> None:
    assert resolve(period, date(2026, 11, 19)) == Span(start, end)


def test_previous_periods_and_last_year() -> None:
    running = resolve("this_month", date(2026, 11, 19))
    assert previous(running, "this_month") == Span(date(2026, 10, 1), date(2026, 10, 19))
    assert previous(resolve("last_month", date(2026, 3, 5)), "last_month") == Span(
        date(2026, 1, 1), date(2026, 1, 31)
    )
    assert previous(Span(date(2026, 11, 10), date(2026, 11, 16)), "last_7_days") == Span(
        date(2026, 11, 3), date(2026, 11, 9)
    )
    assert year_before(Span(date(2028, 2, 29), date(2028, 2, 29))) == Span(
        date(2027, 2, 28), date(2027, 2, 28)
    )
    with pytest.raises(ValueError, match="periodo inválido"):
        resolve("next_month", date(2026, 11, 19))
