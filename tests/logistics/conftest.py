"""A demo delivery day for today in Guadalajara, planned (one branch: the solver is the cost)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from api.app import create_app
from core.settings import LogisticsSettings, Settings
from db.delivery_planning import plan_day
from db.demo.deliveries import seed_delivery_day
from db.engine import session_scope
from db.repositories.api_keys import create_key
from domain.clock import mexico_today


@dataclass
class Day:
    engine: Engine
    settings: Settings
    route_id: int  # GDL's first route
    driver_id: int
    driver_key: str
    other_route_id: int


@pytest.fixture
def logistics_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"logistics": LogisticsSettings(solver_seconds=1.0, ping_seconds=2)}
    )


@pytest.fixture
def day(engine: Engine, logistics_settings: Settings) -> Day:
    today = mexico_today()
    seed_delivery_day(engine, today)
    plan_day(engine, today, branch="GDL", settings=logistics_settings, max_iterations=1500)
    with session_scope(engine, write=True) as session:
        routes = session.exec(
            select(t.DeliveryRoute)
            .where(t.DeliveryRoute.day == today)
            .order_by(col(t.DeliveryRoute.id))
        ).all()
        assert len(routes) == 2
        driver = session.get(t.Driver, routes[0].driver_id)
        assert driver is not None and driver.id is not None
        key, info = create_key(session, role="driver", name=f"driver:{driver.id}", actor="test")
        driver.key_prefix = info.prefix
        session.add(driver)
        return Day(engine, logistics_settings, routes[0].id or 0, driver.id, key, routes[1].id or 0)


@pytest.fixture
def day_client(day: Day) -> Iterator[TestClient]:
    with TestClient(create_app(day.settings, engine=day.engine)) as client:
        yield client


def first_pending(engine: Engine, route_id: int) -> t.Delivery:
    with Session(engine) as session:
        stops = session.exec(
            select(t.RouteStop, t.Delivery)
            .join(t.Delivery, col(t.Delivery.id) == t.RouteStop.delivery_id)
            .where(t.RouteStop.route_id == route_id)
            .order_by(col(t.RouteStop.sequence))
        ).all()
        return next(d for _, d in stops if d.status in ("scheduled", "out_for_delivery"))
