"""Staff tools (customers are refused, nothing is written), hand-offs, terms and payment options."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from adapters.erp.rest import RestErp
from core.settings import PaymentSettings, Settings
from db.engine import session_scope
from db.tables import Lead, Product, SalesDaily
from domain.clock import utcnow
from domain.tool_results import (
    CustomerTerms,
    HandoffRequests,
    HandoffResult,
    LowStockResult,
    PaymentOptions,
    SalesRanking,
    StockResult,
)
from tests.live_server import free_port
from tests.tools.conftest import MakeCtx, call, customer_of, refusal
from tools.catalog import SEARCH_TIRES
from tools.inventory import CHECK_STOCK, GET_SALES_RANKING, LIST_HANDOFF_REQUESTS, LIST_LOW_STOCK
from tools.payments import GET_PAYMENT_OPTIONS
from tools.people import HANDOFF_TO_HUMAN
from tools.sales import GET_CUSTOMER_TERMS


def leads(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(sa.func.count()).select_from(Lead)).one()


def test_customers_are_refused_staff_tools_in_spanish(make_ctx: MakeCtx) -> None:
    customer = make_ctx()
    for spec, args in (
        (CHECK_STOCK, {"size": "205/55R16"}),
        (LIST_LOW_STOCK, {}),
        (GET_SALES_RANKING, {"order": "worst"}),
        (LIST_HANDOFF_REQUESTS, {}),
    ):
        assert "personal de TopLlantas" in refusal(spec, customer, **args)


def test_stock_and_low_stock_for_staff(make_ctx: MakeCtx) -> None:
    staff = make_ctx("staff")
    stock = call(CHECK_STOCK, staff, StockResult, size="205/55R16", branch_code="Guadalajara")
    assert stock.branch == "GDL" and stock.products
    assert all(set(row.stock) <= {"GDL"} for row in stock.products)
    low = call(LIST_LOW_STOCK, staff, LowStockResult, branch_code="MTY", limit=5)
    assert low.total_low >= len(low.items) and all(i.branch == "MTY" for i in low.items)
    assert all(i.available <= i.reorder_point for i in low.items)


def test_worst_sellers_include_what_sits_on_the_shelf_unsold(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    staff = make_ctx("staff")
    best = call(GET_SALES_RANKING, staff, SalesRanking, order="best", days=30, limit=5)
    assert best.items and best.items == sorted(best.items, key=lambda r: -r.units)
    assert best.until - best.since == timedelta(days=29)
    worst = call(GET_SALES_RANKING, staff, SalesRanking, order="worst", days=30, limit=10)
    assert worst.items[0].units == 0 and all(r.available > 0 for r in worst.items)
    assert [r.units for r in worst.items] == sorted(r.units for r in worst.items)
    with Session(engine) as s:  # truly nothing sold in the period
        sold = s.exec(
            select(sa.func.count())
            .select_from(SalesDaily)
            .join(Product, col(Product.id) == SalesDaily.product_id)
            .where(
                Product.sku == worst.items[0].sku,
                col(SalesDaily.day) >= worst.since,
                col(SalesDaily.day) <= worst.until,
            )
        ).one()
    assert sold == 0
    gdl = call(GET_SALES_RANKING, staff, SalesRanking, order="best", branch_code="GDL")
    assert gdl.branch == "GDL"


def test_handoffs_are_listed_from_today_and_listing_creates_nothing(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    customer = make_ctx(customer_id=customer_of(engine).id, channel="whatsapp")
    customer.transcript = ["Cliente: quiero hablar con un asesor"]
    made = call(
        HANDOFF_TO_HUMAN, customer, HandoffResult, reason="Pidió un asesor", kind="customer_asked"
    )
    again = call(
        HANDOFF_TO_HUMAN, customer, HandoffResult, reason="Otra vez", kind="customer_asked"
    )
    assert again.lead_id == made.lead_id  # one open case per conversation and kind
    with session_scope(engine, write=True) as s:  # an old case, from before today
        s.add(
            Lead(
                session_id="old",
                channel="web",
                reason="viejo",
                summary="",
                created_at=utcnow() - timedelta(days=3),
            )
        )
    staff = make_ctx("staff")
    before = leads(engine)
    today = call(LIST_HANDOFF_REQUESTS, staff, HandoffRequests)
    assert [row.lead_id for row in today.items if row.reason == "Pidió un asesor"] == [made.lead_id]
    assert all(row.reason != "viejo" for row in today.items)
    mine = next(row for row in today.items if row.lead_id == made.lead_id)
    assert mine.customer_name and mine.phone and mine.kind == "customer_asked"
    week = call(LIST_HANDOFF_REQUESTS, staff, HandoffRequests, days=7)
    assert any(row.reason == "viejo" for row in week.items)
    assert leads(engine) == before
    assert "clientes" in refusal(HANDOFF_TO_HUMAN, staff, reason="hablar con un asesor")


def test_terms_show_the_dealer_discount_and_credit(engine: Engine, make_ctx: MakeCtx) -> None:
    dealer = customer_of(engine, "dealer")
    terms = call(GET_CUSTOMER_TERMS, make_ctx(customer_id=dealer.id), CustomerTerms)
    assert terms.identified and terms.kind == "dealer" and terms.discount_bp == dealer.discount_bp
    assert terms.credit is not None and terms.credit.limit_cents == dealer.credit_limit_cents
    assert terms.credit.available_cents == terms.credit.limit_cents - terms.credit.used_cents
    assert not call(GET_CUSTOMER_TERMS, make_ctx(), CustomerTerms).identified


def test_payment_options_say_what_really_exists(make_ctx: MakeCtx, settings: Settings) -> None:
    options = call(GET_PAYMENT_OPTIONS, make_ctx(), PaymentOptions)
    assert options.online_methods == ["tarjeta de crédito", "tarjeta de débito"]
    assert options.in_store_methods == ["efectivo", "tarjeta"]
    assert not options.cash_voucher and not options.bank_transfer
    assert options.deposit_cents == 50_000 and [m.months for m in options.msi_minimums] == [
        3,
        6,
        12,
    ]
    ctx = make_ctx()
    ctx.settings = settings.model_copy(
        update={"payments": PaymentSettings(oxxo_vouchers=True, counter_methods=["cash"])}
    )
    configured = call(GET_PAYMENT_OPTIONS, ctx, PaymentOptions)
    assert configured.cash_voucher and configured.in_store_methods == ["efectivo"]


def test_an_unreachable_store_is_said_in_spanish(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    nobody = f"http://127.0.0.1:{free_port()}"
    ctx.erp = RestErp(nobody, api_key="tl_x_y", retries=1, timeout_s=0.5)
    assert "no puedo consultar el sistema" in refusal(SEARCH_TIRES, ctx, size="205/55R16")
