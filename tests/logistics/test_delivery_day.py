"""A planned demo day through the API: plans, staff endpoints, the driver's events and pings,
notifications in the outbox, tracking, survey, and re-planning around what is already done."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

import db.tables as t
from db.repositories.deliveries import record_survey
from domain.clock import mexico_today
from domain.enums import Role
from tests.conftest import bearer
from tests.logistics.conftest import Day, first_pending


def test_every_delivery_of_the_day_is_on_exactly_one_route(day: Day) -> None:
    with Session(day.engine) as s:
        gdl = s.exec(select(t.Branch).where(t.Branch.code == "GDL")).one()
        stops = s.exec(
            select(t.RouteStop.delivery_id)
            .join(t.DeliveryRoute, col(t.DeliveryRoute.id) == t.RouteStop.route_id)
            .where(t.DeliveryRoute.branch_id == gdl.id)
        ).all()
        todays = s.exec(
            select(t.Delivery.id).where(t.Delivery.branch_id == gdl.id, t.Delivery.tires > 0)
        ).all()
        assert sorted(stops) == sorted(i for i in todays if i is not None) and len(todays) >= 14
        for route in s.exec(select(t.DeliveryRoute)).all():
            vehicle = s.get(t.FleetVehicle, route.vehicle_id)
            assert vehicle is not None
            load = sum(
                d.tires
                for d in s.exec(select(t.Delivery).where(t.Delivery.route_id == route.id)).all()
            )
            assert load <= vehicle.capacity_tires
            assert route.km > 0 and route.cost_cents > 0 and route.driver_id is not None


def test_staff_endpoints_and_bad_input(
    day: Day, day_client: TestClient, keys: dict[Role, str]
) -> None:
    staff, tech = bearer(keys[Role.STAFF]), bearer(keys[Role.TECHNICIAN])
    today = mexico_today().isoformat()
    vehicles = day_client.get("/api/v1/vehicles?branch=GDL", headers=staff).json()
    assert len(vehicles) == 2 and vehicles[0]["capacity_kg"] > 0
    routes = day_client.get(f"/api/v1/routes?day={today}&branch=GDL", headers=staff).json()
    assert [len(r["stops"]) > 0 for r in routes] == [True, True]
    assert day_client.get(f"/api/v1/routes?day={today}", headers=tech).status_code == 403
    bad = day_client.get("/api/v1/deliveries?day=mañana", headers=staff)
    assert bad.status_code == 422 and "day" in bad.text
    missing = day_client.get(f"/api/v1/routes?day={today}&branch=XYZ", headers=staff)
    assert missing.status_code == 404 and "branch" in missing.text
    patch = day_client.patch(
        f"/api/v1/vehicles/{vehicles[0]['id']}", headers=staff,
        json={"shift_start": "18:00:00", "shift_end": "09:00:00"},
    )  # fmt: skip
    assert patch.status_code == 422 and "shift_end" in patch.text
    created = day_client.post(
        "/api/v1/deliveries", headers=staff,
        json={"folio": "TL-999999", "address": "Calle 1, Col. Providencia",
              "window_start": f"{today}T09:00:00-06:00", "window_end": f"{today}T08:00:00-06:00"},
    )  # fmt: skip
    assert created.status_code == 422 and "window_end" in created.text


def test_cancelling_a_delivery_replans_its_day(
    day: Day, day_client: TestClient, keys: dict[Role, str]
) -> None:
    staff = bearer(keys[Role.STAFF])
    victim = first_pending(day.engine, day.other_route_id)
    gone = day_client.post(f"/api/v1/deliveries/{victim.id}/cancel", headers=staff)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    today = mexico_today().isoformat()
    routes = day_client.get(f"/api/v1/routes?day={today}&branch=GDL", headers=staff).json()
    on_routes = [s["delivery"]["id"] for r in routes for s in r["stops"]]
    assert victim.id not in on_routes and all(r["version"] == 2 for r in routes)
    again = day_client.post(f"/api/v1/deliveries/{victim.id}/cancel", headers=staff)
    assert again.status_code == 409


def test_a_driver_drives_their_route_and_the_customer_is_told(
    day: Day, day_client: TestClient, keys: dict[Role, str]
) -> None:
    login = day_client.get(f"/driver/login?key={day.driver_key}", follow_redirects=False)
    assert login.status_code == 303 and "tl_driver" in login.headers["set-cookie"]
    assert "samesite=strict" in login.headers["set-cookie"].lower()
    mine = day_client.get("/api/v1/driver/route").json()
    assert mine["id"] == day.route_id and mine["status"] == "planned"
    other = first_pending(day.engine, day.other_route_id)
    refused = day_client.post(f"/api/v1/driver/deliveries/{other.id}/arrive")
    assert refused.status_code == 403
    assert (
        day_client.post(
            "/api/v1/driver/pings", json={"latitude": 20.6, "longitude": -103.4}
        ).status_code
        == 409
    )
    assert day_client.post(f"/api/v1/driver/routes/{day.route_id}/depart").status_code == 200
    with Session(day.engine) as s:
        sent = s.exec(select(t.Outbox).where(t.Outbox.kind == "delivery_on_the_way")).all()
        driver = s.get(t.Driver, day.driver_id)
        assert driver is not None
    assert len(sent) == len(mine["stops"])
    body = sent[0].body or ""
    assert "salió del almacén a las" in body and "Llegada estimada:" in body
    assert f"Conductor: {driver.name.split()[0]}" in body and "CAMBIAR HORA" in body
    assert "/track/" in body
    # A ping from far away (the other side of the city) makes the last stops late.
    far = day_client.post("/api/v1/driver/pings", json={"latitude": 20.55, "longitude": -103.25,
                                                        "accuracy_m": 12})  # fmt: skip
    assert far.status_code == 201
    assert (
        day_client.post("/api/v1/driver/pings", json={"latitude": 200, "longitude": 0}).status_code
        == 422
    )
    stop = first_pending(day.engine, day.route_id)
    assert stop.eta is not None
    assert day_client.post(f"/api/v1/driver/deliveries/{stop.id}/arrive").status_code == 200
    no_name = day_client.post(
        f"/api/v1/driver/deliveries/{stop.id}/deliver", data={"recipient_name": ""}
    )
    assert no_name.status_code == 422 and "recipient_name" in no_name.text
    done = day_client.post(
        f"/api/v1/driver/deliveries/{stop.id}/deliver",
        data={"recipient_name": "Juan Pérez"},
        files={"photo": ("proof.jpg", b"\xff\xd8\xff\xe0fakejpeg", "image/jpeg")},
    )
    assert done.status_code == 200
    nxt = first_pending(day.engine, day.route_id)
    failed = day_client.post(
        f"/api/v1/driver/deliveries/{nxt.id}/fail", json={"reason": "nadie_en_casa"}
    )
    assert failed.status_code == 200
    with Session(day.engine, expire_on_commit=False) as s:
        row = s.get(t.Delivery, stop.id)
        assert row is not None and row.recipient_name == "Juan Pérez" and row.proof_photo
        assert (day.settings.data_dir / "proofs" / row.proof_photo).exists()
        kinds = {o.kind for o in s.exec(select(t.Outbox).where(t.Outbox.order_id == row.order_id))}
        assert {"delivery_on_the_way", "delivery_delivered", "delivery_survey"} <= kinds
        order = s.get(t.Order, row.order_id)
        assert order is not None and order.status == "delivered"
        events = s.exec(
            select(t.DeliveryEvent.kind).where(t.DeliveryEvent.route_id == day.route_id)
        ).all()
        assert {"departed", "arrived", "delivered", "failed"} <= set(events)
        assert s.exec(select(t.GpsPing).where(t.GpsPing.route_id == day.route_id)).first()
        record_survey(s, row, 4, "Muy amable", actor="test")
        s.commit()
        driver = s.get(t.Driver, day.driver_id)
        assert driver is not None and driver.rating == 4.0 and driver.ratings == 1
        token = row.tracking_token
    view = day_client.get(f"/track/{token}/status").json()
    assert view["status"] == "delivered" and view["driver_rating"] == 4.0
    assert day_client.get("/track/not-a-token/status").status_code == 404


def test_replanning_keeps_what_a_truck_on_the_road_has_done(
    day: Day, day_client: TestClient, keys: dict[Role, str]
) -> None:
    staff = bearer(keys[Role.STAFF])
    day_client.get(f"/driver/login?key={day.driver_key}")
    day_client.post(f"/api/v1/driver/routes/{day.route_id}/depart")
    first = first_pending(day.engine, day.route_id)
    day_client.post(f"/api/v1/driver/deliveries/{first.id}/deliver", data={"recipient_name": "Ana"})
    before = day_client.get(f"/api/v1/routes/{day.route_id}", headers=staff).json()
    movable = first_pending(day.engine, day.other_route_id)
    later = movable.window_start + timedelta(hours=1)
    moved = day_client.patch(
        f"/api/v1/deliveries/{movable.id}", headers=staff,
        json={"window_start": later.isoformat() + "Z" if later.tzinfo is None else later.isoformat(),
              "window_end": (movable.window_end + timedelta(hours=1)).isoformat() + "Z"
              if movable.window_end.tzinfo is None else (movable.window_end + timedelta(hours=1)).isoformat()},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    after = day_client.get(f"/api/v1/routes/{day.route_id}", headers=staff).json()
    assert after["status"] == "active"
    done_before = [(s["sequence"], s["delivery"]["id"]) for s in before["stops"]
                   if s["delivery"]["status"] == "delivered"]  # fmt: skip
    done_after = [(s["sequence"], s["delivery"]["id"]) for s in after["stops"]
                  if s["delivery"]["status"] == "delivered"]  # fmt: skip
    assert done_before == done_after == [(1, first.id)]
    assert sorted(s["delivery"]["id"] for s in before["stops"]) == sorted(
        s["delivery"]["id"] for s in after["stops"]
    )
