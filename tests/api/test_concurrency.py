"""Many simultaneous orders for the last units of a product, over real HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from core.settings import Settings
from domain.enums import Role
from tests.api.test_orders import a_customer, a_product_with_stock, stock_of
from tests.conftest import bearer
from tests.live_server import live_server

CLIENTS = 24
LEFT = 7


def test_simultaneous_orders_never_oversell(
    settings: Settings, engine: Engine, keys: dict[Role, str]
) -> None:
    sku = a_product_with_stock(engine, 1)
    with Session(engine) as s:
        s.exec(
            sa.text(
                "UPDATE stock SET on_hand = reserved + :left WHERE branch_id = (SELECT id FROM branch WHERE code = 'CDMX') "  # type: ignore[call-overload]
                "AND product_id = (SELECT id FROM product WHERE sku = :sku)"
            ),
            params={"left": LEFT, "sku": sku},
        )
        s.commit()
    on_hand, reserved = stock_of(engine, sku)
    customer = a_customer(engine).id
    body = {"customer_id": customer, "branch_code": "CDMX", "lines": [{"sku": sku, "quantity": 1}]}
    with live_server(create_app(settings, engine=engine)) as url:

        def order(_: int) -> int:
            with httpx.Client(base_url=url, timeout=60) as http:
                return http.post(
                    "/api/v1/orders", json=body, headers=bearer(keys[Role.STAFF])
                ).status_code

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            statuses = list(pool.map(order, range(CLIENTS)))
    assert statuses.count(201) == LEFT, statuses
    assert statuses.count(409) == CLIENTS - LEFT, statuses
    assert stock_of(engine, sku) == (on_hand, reserved + LEFT)
    with Session(engine) as s:
        held = s.exec(
            sa.text(
                "SELECT COALESCE(SUM(r.quantity), 0) FROM reservation r JOIN product p ON p.id = r.product_id "  # type: ignore[call-overload]
                "WHERE p.sku = :sku AND r.status IN ('active', 'confirmed') AND r.branch_id = "
                "(SELECT id FROM branch WHERE code = 'CDMX')"
            ),
            params={"sku": sku},
        ).one()[0]
    assert held == reserved + LEFT
