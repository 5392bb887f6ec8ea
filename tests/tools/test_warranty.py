"""check_warranty through run_tool: the customer's own delivered order, a tire bought elsewhere
(manufacturer terms only), and the refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import session_scope
from db.tables import Order, OrderLine, Product
from domain.clock import mexico_today, utcnow
from domain.enums import OrderStatus
from domain.warranty_results import WarrantyCheck
from tests.tools.conftest import MakeCtx, call, refusal
from tools import messages
from tools.warranty import BAD_DOT, CHECK_WARRANTY, NEED_BRAND, NEED_FOLIO_OR_DOT


@dataclass(frozen=True)
class Bought:
    customer_id: int
    folio: str
    brand: str
    months: int


def delivered(engine: Engine, *, days_ago: int) -> Bought:
    """A seeded delivered order, dated ``days_ago`` (the demo is anchored to a fixed day)."""
    with session_scope(engine, write=True) as s:
        order = s.exec(
            select(Order).where(Order.status == OrderStatus.DELIVERED).order_by(col(Order.id))
        ).first()
        assert order is not None and order.folio is not None
        line = s.exec(select(OrderLine).where(OrderLine.order_id == order.id)).first()
        assert line is not None
        product = s.get(Product, line.product_id)
        assert product is not None and product.warranty_months > 0
        order.created_at = utcnow() - timedelta(days=days_ago)
        s.add(order)
        return Bought(order.customer_id, order.folio, product.brand, product.warranty_months)


def someone_else(engine: Engine, customer_id: int) -> int:
    with Session(engine) as s:
        other = s.exec(
            select(Order.customer_id).where(col(Order.customer_id) != customer_id)
        ).first()
    assert other is not None
    return other


def test_a_separation_on_the_customers_own_recent_purchase_is_covered(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    bought = delivered(engine, days_ago=60)
    ctx = make_ctx(customer_id=bought.customer_id, channel="whatsapp")
    check = call(
        CHECK_WARRANTY,
        ctx,
        WarrantyCheck,
        folio=bought.folio,
        problem="la banda se le está separando y nunca le pegué a nada",
    )
    assert check.folio == bought.folio and not check.bought_elsewhere
    assert check.problem_codes == ["separation"]
    tire = check.tires[0]
    assert tire.verdict == "covered" and tire.cause == "defect"
    assert tire.inspection_required  # the technician confirms the defect in branch
    assert tire.covered_pct == 100  # within the first 12 months: a whole new tire
    assert tire.terms is not None and tire.terms.brand == bought.brand
    assert tire.terms.months == bought.months and tire.terms.basis == "folio"
    assert tire.terms.store_terms
    assert any(bought.folio in item for item in check.bring)
    assert any("identificación" in item for item in check.bring)
    assert any("llanta" in item.lower() for item in check.bring)
    assert check.workmanship_until is None  # 60 days: our 30-day workmanship is over


def test_a_purchase_older_than_the_brands_months_has_expired(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    bought = delivered(engine, days_ago=400)
    ctx = make_ctx(customer_id=bought.customer_id)
    fresh = call(CHECK_WARRANTY, ctx, WarrantyCheck, folio=bought.folio, problem_codes=["defect"])
    assert fresh.tires[0].verdict == "covered"
    assert fresh.tires[0].covered_pct is None  # past 12 months: by the tread left, measured

    bought = delivered(engine, days_ago=bought.months * 31 + 5)
    check = call(
        CHECK_WARRANTY, ctx, WarrantyCheck, folio=bought.folio, problem_codes=["separation"]
    )
    tire = check.tires[0]
    assert tire.verdict == "not_covered" and not tire.inspection_required
    assert "venció" in tire.reason and f"{bought.months} meses" in tire.reason
    assert tire.terms is not None and tire.terms.expires_on < mexico_today()


def test_a_puncture_is_road_hazard_even_on_a_new_tire(engine: Engine, make_ctx: MakeCtx) -> None:
    bought = delivered(engine, days_ago=10)
    ctx = make_ctx(customer_id=bought.customer_id)
    check = call(
        CHECK_WARRANTY,
        ctx,
        WarrantyCheck,
        folio=bought.folio,
        problem="se me ponchó, traía un clavo en medio",
    )
    tire = check.tires[0]
    assert tire.verdict == "not_covered" and tire.cause == "road_hazard"
    assert "riesgo de camino" in tire.reason
    assert check.workmanship_until is not None  # bought 10 days ago: our work is still covered


def test_a_tire_bought_elsewhere_gets_only_the_manufacturer_terms(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    bought_on = mexico_today() - timedelta(days=200)
    year = mexico_today().year - 1
    check = call(
        CHECK_WARRANTY,
        ctx,
        WarrantyCheck,
        dot=f"DOT U2LL LMLR 10{year % 100:02d}",
        brand="michelin",
        line="Primacy 4+",
        purchase_date=bought_on.isoformat(),
        problem="le salió un chipote, no recuerdo haber pegado",
    )
    assert check.bought_elsewhere and check.folio is None
    tire = check.tires[0]
    assert tire.verdict == "needs_inspection" and tire.inspection_required
    assert tire.terms is not None
    assert (tire.terms.brand, tire.terms.line, tire.terms.months) == ("Michelin", "Primacy 4+", 60)
    assert tire.terms.km == 70_000
    assert tire.terms.basis == "ticket" and tire.terms.counted_from == bought_on
    assert not tire.terms.store_terms and check.workmanship_until is None
    assert tire.made_on == date.fromisocalendar(year, 10, 1)


def test_without_a_ticket_the_dot_week_starts_the_period_and_ten_years_ends_it(
    make_ctx: MakeCtx,
) -> None:
    ctx = make_ctx()
    old = (mexico_today().year - 11) % 100
    check = call(
        CHECK_WARRANTY, ctx, WarrantyCheck, dot=f"05{old:02d}", brand="Pirelli", problem="grietas"
    )
    tire = check.tires[0]
    assert tire.verdict == "not_covered" and "10 años" in tire.reason
    assert tire.terms is not None and tire.terms.basis == "dot"


def test_a_brand_we_do_not_sell_is_not_ours_to_claim(make_ctx: MakeCtx) -> None:
    check = call(CHECK_WARRANTY, make_ctx(), WarrantyCheck, dot="2324", brand="Marca Patito")
    tire = check.tires[0]
    assert tire.verdict == "not_covered" and tire.terms is None
    assert "No vendemos" in tire.reason


def test_another_customers_folio_is_refused_as_order_lookup_refuses_it(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    bought = delivered(engine, days_ago=30)
    stranger = make_ctx(customer_id=someone_else(engine, bought.customer_id))
    assert refusal(CHECK_WARRANTY, stranger, folio=bought.folio) == messages.NO_ORDER_FOUND
    anonymous = make_ctx()
    assert refusal(CHECK_WARRANTY, anonymous, folio=bought.folio) == messages.NO_ORDER_FOUND


def test_staff_may_check_any_folio(engine: Engine, make_ctx: MakeCtx) -> None:
    bought = delivered(engine, days_ago=30)
    check = call(CHECK_WARRANTY, make_ctx("staff"), WarrantyCheck, folio=bought.folio)
    assert check.tires[0].verdict == "needs_inspection"  # no problem said: the technician tells


def test_no_folio_and_no_dot_is_refused_naming_both(make_ctx: MakeCtx) -> None:
    said = refusal(CHECK_WARRANTY, make_ctx(), problem="se le separó la banda")
    assert said == NEED_FOLIO_OR_DOT
    assert "folio" in said and "DOT" in said and "ticket" in said


def test_a_dot_without_a_brand_or_a_date_is_refused(make_ctx: MakeCtx) -> None:
    assert refusal(CHECK_WARRANTY, make_ctx(), dot="2318") == NEED_BRAND
    assert refusal(CHECK_WARRANTY, make_ctx(), dot="DOT ABCD", brand="Michelin") == BAD_DOT


def test_an_unpaid_reservation_has_no_warranty_yet(engine: Engine, make_ctx: MakeCtx) -> None:
    with Session(engine) as s:
        order = s.exec(select(Order).where(Order.status == OrderStatus.RESERVED)).first()
    assert order is not None and order.folio is not None
    ctx = make_ctx(customer_id=order.customer_id)
    assert "no es una compra pagada" in refusal(CHECK_WARRANTY, ctx, folio=order.folio)
