"""Replenishment tools on the demo database after a nightly run: staff only, the numbers
agree with the tables, drafts write nothing, confirmations and transfers write once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.tables import (
    InventoryAlert,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderSuggestion,
    StockTransfer,
)
from tests.inventory_fixtures import db_url, nightly_pg, nightly_sqlite  # noqa: F401
from tests.tools.conftest import MakeCtx, call, refusal
from tools import replenishment as r


def _count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(sa.func.count()).select_from(table)).one())


def test_every_tool_refuses_customers_and_technicians(make_ctx: MakeCtx) -> None:
    for role in ("customer", "technician"):
        ctx = make_ctx(role)
        for spec in r.REPLENISHMENT_TOOLS:
            assert "personal" in refusal(spec, ctx), spec.name
        assert r.LIST_INVENTORY_ALERTS.roles == {"staff"}


def test_alerts_by_urgency_and_branch_match_the_table(make_ctx: MakeCtx, engine: Engine) -> None:
    ctx = make_ctx("staff")
    got = call(r.LIST_INVENTORY_ALERTS, ctx, r.InventoryAlerts, urgency="crítico", branch_code="guadalajara", limit=50)  # fmt: skip
    with Session(engine) as session:
        expected = session.exec(
            select(sa.func.count()).select_from(InventoryAlert).where(
                InventoryAlert.urgency == "crítico", InventoryAlert.state == "open",
                col(InventoryAlert.branch_id) == 2,
            )
        ).one()  # fmt: skip
    assert got.total == expected > 0
    assert all(a.urgency == "crítico" and a.branch == "GDL" for a in got.alerts)
    first = got.alerts[0]
    assert first.text.startswith("Crítico: ") and " unidades en GDL" in first.text
    assert "/semana" in first.text and first.action


def test_draft_writes_nothing_and_confirm_makes_one_purchase_order(
    make_ctx: MakeCtx, engine: Engine
) -> None:
    ctx = make_ctx("staff")
    found = call(r.SUGGEST_REORDERS, ctx, r.ReorderSuggestions, limit=3)
    assert found.suggestions
    s = found.suggestions[0]
    sku = s.lines[0].sku
    before = _count(engine, PurchaseOrder)
    draft = call(r.DRAFT_PURCHASE_ORDER, ctx, r.PurchaseOrderDraft, suggestion_id=s.id, quantities={sku: 100})  # fmt: skip
    assert not draft.written and _count(engine, PurchaseOrder) == before
    line = next(x for x in draft.lines if x.sku == sku)
    assert line.quantity == 100 and line.total_cents == 100 * line.unit_cost_cents
    made = call(r.CONFIRM_PURCHASE_ORDER, ctx, r.PurchaseOrderMade, suggestion_id=s.id, quantities={sku: 100})  # fmt: skip
    assert _count(engine, PurchaseOrder) == before + 1
    assert made.purchase_order.total_cents == draft.total_cents  # the draft's prices are the PO's
    with Session(engine) as session:
        row = session.get(ReorderSuggestion, s.id)
        assert row is not None and row.status == "confirmed"
        assert row.purchase_order_id == made.purchase_order.id
    again = refusal(r.CONFIRM_PURCHASE_ORDER, ctx, suggestion_id=s.id)
    assert "confirmed" in again and _count(engine, PurchaseOrder) == before + 1


def test_forecast_totals_add_up_over_groups(make_ctx: MakeCtx) -> None:
    ctx = make_ctx("staff")
    total = call(r.GET_DEMAND_FORECAST, ctx, r.DemandForecast, brand="Michelin", weeks=4)
    by_branch = call(r.GET_DEMAND_FORECAST, ctx, r.DemandForecast, brand="Michelin", weeks=4, group_by="branch")  # fmt: skip
    t = total.forecast.groups[0]
    assert total.forecast.weeks == 4 and t.p10 <= t.mean <= t.p90
    assert abs(sum(g.mean for g in by_branch.forecast.groups) - t.mean) < 0.5
    assert {g.key for g in by_branch.forecast.groups} == {"CDMX", "GDL", "MTY"}
    assert "207" in refusal(r.GET_DEMAND_FORECAST, ctx, size="207/55R16")


def test_transfer_suggestions_and_a_transfer_from_chat(make_ctx: MakeCtx, engine: Engine) -> None:
    ctx = make_ctx("staff")
    got = call(r.SUGGEST_TRANSFERS, ctx, r.TransferSuggestions, limit=5)
    assert got.transfers and got.forecast_date is not None
    t = got.transfers[0]
    assert t.receiver_position <= t.receiver_reorder_point and t.quantity >= 2
    made = call(r.CREATE_TRANSFER, ctx, r.TransferMade, sku=t.sku, from_branch=t.from_branch, to_branch=t.to_branch, quantity=t.quantity)  # fmt: skip
    assert made.transfer.folio.startswith("TR-") and made.transfer.status == "requested"
    assert _count(engine, StockTransfer) == 1
    too_many = refusal(r.CREATE_TRANSFER, ctx, sku=t.sku, from_branch=t.to_branch, to_branch=t.from_branch, quantity=999)  # fmt: skip
    assert "solo hay" in too_many and "no 999" in too_many and _count(engine, StockTransfer) == 1


def test_slow_and_aged_stock_lists_what_the_policy_says(make_ctx: MakeCtx) -> None:
    ctx = make_ctx("staff")
    got = call(r.LIST_SLOW_AND_AGED_STOCK, ctx, r.SlowAndAgedStock, kind="slow", branch_code="MTY")
    assert got.slow and all(s.branch == "MTY" for s in got.slow)
    assert all(s.days_of_supply is None or s.days_of_supply > 180 for s in got.slow)
    values = [s.value_cents for s in got.slow]
    assert values == sorted(values, reverse=True)


def test_trends_say_when_history_is_too_short(make_ctx: MakeCtx) -> None:
    got = call(r.LIST_TRENDING_PRODUCTS, make_ctx("staff"), r.TrendingProducts, group_by="brand")
    assert got.insufficient_history and not got.growing and not got.declining


def test_only_the_lines_shown_are_ordered(make_ctx: MakeCtx, engine: Engine) -> None:
    ctx = make_ctx("staff")
    found = call(r.SUGGEST_REORDERS, ctx, r.ReorderSuggestions, limit=5)
    s = next(x for x in found.suggestions if len(x.lines) >= 3)
    shown = s.lines[1].sku  # e.g. the one line of the size the staff member asked about
    draft = call(r.DRAFT_PURCHASE_ORDER, ctx, r.PurchaseOrderDraft, suggestion_id=s.id,
                 quantities={shown: 20}, only_listed=True)  # fmt: skip
    assert [(x.sku, x.quantity) for x in draft.lines] == [(shown, 20)]
    made = call(r.CONFIRM_PURCHASE_ORDER, ctx, r.PurchaseOrderMade, suggestion_id=s.id,
                quantities={shown: 20}, only_listed=True)  # fmt: skip
    with Session(engine) as session:
        po = session.get(PurchaseOrder, made.purchase_order.id)
        assert po is not None
        lines = session.exec(
            select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == po.id)
        ).all()
    assert [(ln.quantity) for ln in lines] == [
        20
    ] and made.purchase_order.total_cents == draft.total_cents
