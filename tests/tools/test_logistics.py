"""The logistics agent's chat tools: a customer's own delivery (status, windows, moving it,
pickup, address, fee, survey) and staff dispatch (plan, late, trucks, figures)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from core.settings import Settings
from domain.clock import mexico_today
from domain.delivery_results import (
    DeliveryChanged,
    DeliveryCost,
    DeliveryKpis,
    DeliveryLookup,
    DeliveryWindows,
    FleetStatus,
    LateDeliveries,
    RoutesPlanned,
    SurveyRecorded,
)
from domain.dialogue import TimeWindow
from domain.orders import window_of
from evals.deliveries import delivery_day, make_delivery, plan
from evals.models import DeliverySetup
from tests.tools.conftest import MakeCtx, call, refusal
from tools import dispatch, logistics


def _customers(engine: Engine) -> tuple[t.Customer, t.Customer]:
    with Session(engine) as session:
        rows = session.exec(
            select(t.Customer)
            .where(t.Customer.kind == "retail", col(t.Customer.phone).is_not(None))
            .order_by(col(t.Customer.id))
            .limit(2)
        ).all()
    return rows[0], rows[1]


def _delivery(engine: Engine, delivery_id: int) -> t.Delivery:
    with Session(engine) as session:
        row = session.get(t.Delivery, delivery_id)
        assert row is not None
        return row


def test_a_customer_sees_their_delivery_and_never_another_customers(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    mine, other = _customers(engine)
    made = make_delivery(engine, DeliverySetup(status="out_for_delivery"), mine)
    theirs = make_delivery(engine, DeliverySetup(colonia="Condesa"), other)
    ctx = make_ctx(customer_id=mine.id)
    found = call(logistics.GET_DELIVERY_STATUS, ctx, DeliveryLookup)
    assert found.delivery is not None and found.delivery.folio == made.folio
    assert found.delivery.status == "out_for_delivery"
    assert found.delivery.driver_first_name and found.delivery.eta_start is not None
    assert found.delivery.tracking_url and "/track/" in found.delivery.tracking_url
    text = refusal(logistics.GET_DELIVERY_STATUS, ctx, folio=theirs.folio)
    assert "No encontré ese pedido" in text
    text = refusal(logistics.RESCHEDULE_DELIVERY, ctx, folio=theirs.folio,
                   day=delivery_day(2).isoformat(), window="afternoon")  # fmt: skip
    assert "No encontré ese pedido" in text
    assert window_of(_delivery(engine, theirs.delivery_id).window_start) == TimeWindow.MORNING


def test_reschedule_offers_servable_windows_moves_it_and_replans_both_days(
    engine: Engine, make_ctx: MakeCtx, settings: Settings
) -> None:
    mine, _ = _customers(engine)
    made = make_delivery(engine, DeliverySetup(day=1, window="morning"), mine)
    plan(engine, settings, "CDMX", made.day)
    assert _delivery(engine, made.delivery_id).route_id is not None
    ctx = make_ctx(customer_id=mine.id)
    target = delivery_day(2)
    offered = call(logistics.FIND_DELIVERY_WINDOWS, ctx, DeliveryWindows, day=target.isoformat())
    assert {w.window for w in offered.windows} == set(TimeWindow)
    moved = call(logistics.RESCHEDULE_DELIVERY, ctx, DeliveryChanged,
                 day=target.isoformat(), window="afternoon")  # fmt: skip
    assert moved.change == "rescheduled" and moved.replanned
    row = _delivery(engine, made.delivery_id)
    assert row.route_id is None  # the old day's plan lost it; the new day has no plan yet
    assert window_of(row.window_start) == TimeWindow.AFTERNOON
    with Session(engine) as session:
        order = session.get(t.Order, made.order_id)
        assert order is not None and order.fulfillment_day == target
        assert order.fulfillment_window == "afternoon"
        notices = session.exec(select(t.Outbox).where(t.Outbox.order_id == made.order_id)).all()
        assert any(n.kind == "delivery_rescheduled" for n in notices)
    assert ctx.dialogue.slots.order_folio == made.folio


def test_a_delivery_on_the_road_cannot_move_change_address_or_become_pickup(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    mine, _ = _customers(engine)
    make_delivery(engine, DeliverySetup(status="out_for_delivery"), mine)
    ctx = make_ctx(customer_id=mine.id)
    for spec, args in (
        (logistics.RESCHEDULE_DELIVERY, {"day": delivery_day(1).isoformat(), "window": "morning"}),
        (logistics.SWITCH_DELIVERY_TO_PICKUP, {}),
        (logistics.CHANGE_DELIVERY_ADDRESS, {"address": "Calle Sonora 20, Col. Condesa"}),
    ):
        assert "ya salió" in refusal(spec, ctx, **args)


def test_pickup_instead_cancels_the_delivery_and_address_changes_regeocode(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    mine, other = _customers(engine)
    first = make_delivery(engine, DeliverySetup(day=1), mine)
    ctx = make_ctx(customer_id=mine.id)
    before = _delivery(engine, first.delivery_id)
    changed = call(logistics.CHANGE_DELIVERY_ADDRESS, ctx, DeliveryChanged,
                   address="Calle Sonora 20, Col. Condesa, CDMX")  # fmt: skip
    after = _delivery(engine, first.delivery_id)
    assert changed.change == "address" and "Condesa" in after.address
    assert (after.latitude, after.longitude) != (before.latitude, before.longitude)
    assert "colonia" in refusal(logistics.CHANGE_DELIVERY_ADDRESS, ctx, address="Calle 5 numero 8")
    done = call(logistics.SWITCH_DELIVERY_TO_PICKUP, ctx, DeliveryChanged)
    assert done.change == "pickup" and done.delivery.mode == "pickup"
    assert _delivery(engine, first.delivery_id).status == "cancelled"
    second = make_delivery(engine, DeliverySetup(day=1, branch="GDL", colonia="Providencia"), other)
    other_ctx = make_ctx(customer_id=other.id)
    text = refusal(
        logistics.SWITCH_DELIVERY_TO_PICKUP, other_ctx, branch="Monterrey", folio=second.folio
    )
    assert "Guadalajara" in text
    assert _delivery(engine, second.delivery_id).status == "scheduled"


def test_delivery_cost_by_distance_band(engine: Engine, make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    near = call(logistics.GET_DELIVERY_COST, ctx, DeliveryCost, address="col. roma norte")
    far = call(logistics.GET_DELIVERY_COST, ctx, DeliveryCost, address="Xochimilco")
    assert near.branch == "CDMX" and near.zone == "Roma Norte"
    assert near.fee_cents is not None and far.km > near.km
    assert far.fee_cents is None or far.fee_cents > near.fee_cents
    assert "colonia" in refusal(logistics.GET_DELIVERY_COST, ctx, address="por la central")


def test_the_survey_answer_is_stored_once_and_rates_the_driver(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    mine, _ = _customers(engine)
    made = make_delivery(engine, DeliverySetup(status="delivered"), mine)
    ctx = make_ctx(customer_id=mine.id, channel="whatsapp")
    done = call(logistics.RECORD_DELIVERY_SURVEY, ctx, SurveyRecorded, score=5, comment="muy bien")
    assert done.folio == made.folio and done.score == 5
    row = _delivery(engine, made.delivery_id)
    assert row.survey_score == 5 and row.survey_comment == "muy bien"
    assert "encuesta" in refusal(logistics.RECORD_DELIVERY_SURVEY, ctx, score=4)


def test_staff_plan_late_trucks_and_figures(
    engine: Engine, make_ctx: MakeCtx
) -> None:
    mine, other = _customers(engine)
    make_delivery(engine, DeliverySetup(status="late"), mine)
    make_delivery(engine, DeliverySetup(status="delivered"), other)
    make_delivery(engine, DeliverySetup(status="delivered", on_time=False, colonia="Condesa"), mine)
    tomorrow = make_delivery(engine, DeliverySetup(day=1, colonia="Narvarte"), other)
    staff = make_ctx("staff")
    late = call(dispatch.LIST_LATE_DELIVERIES, staff, LateDeliveries, branch="cdmx")
    assert len(late.deliveries) == 1 and late.deliveries[0].minutes_late >= 40
    fleet = call(dispatch.GET_VEHICLE_STATUS, staff, FleetStatus, branch="CDMX")
    assert len(fleet.vehicles) == 1
    truck = fleet.vehicles[0]
    assert truck.done == 2 and truck.total == 3 and truck.latitude is not None
    by_plate = call(dispatch.GET_VEHICLE_STATUS, staff, FleetStatus, vehicle=truck.plate.lower())
    assert by_plate.vehicles[0].plate == truck.plate
    kpis = call(dispatch.GET_DELIVERY_KPIS, staff, DeliveryKpis, branch="CDMX")
    assert (kpis.delivered, kpis.on_time, kpis.on_time_percent) == (2, 1, 50)
    assert kpis.cost_per_delivery_cents == round(kpis.cost_cents / kpis.deliveries)
    planned = call(dispatch.PLAN_DELIVERY_ROUTES, staff, RoutesPlanned,
                   day=tomorrow.day.isoformat(), branch="Ciudad de México")  # fmt: skip
    assert planned.plans[0].branch == "CDMX" and planned.plans[0].deliveries >= 1
    assert _delivery(engine, tomorrow.delivery_id).route_id is not None
    customer = make_ctx(customer_id=mine.id)
    assert refusal(dispatch.LIST_LATE_DELIVERIES, customer)
    assert refusal(dispatch.PLAN_DELIVERY_ROUTES, customer, day=tomorrow.day.isoformat())


def test_no_plan_for_a_past_day(make_ctx: MakeCtx) -> None:
    staff = make_ctx("staff")
    day = mexico_today() - timedelta(days=1)
    assert "ya pasó" in refusal(dispatch.PLAN_DELIVERY_ROUTES, staff, day=day.isoformat())


