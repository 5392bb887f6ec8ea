"""The REST ERP adapter against real HTTP servers on loopback: another instance of our API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.erp.rest import RestErp
from adapters.erp.sql import SqlErp
from adapters.erp.sync import sync_catalog
from api.app import create_app
from core.errors import Conflict, ExternalServiceError, InvalidRequest, NotFound
from core.settings import Settings
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.tables import AuditLog, Branch, Product, Stock, StockLot
from domain.catalog import ProductFilter
from domain.enums import Role
from domain.sales import OrderCreate, OrderLineCreate, OrderUpdate
from tests.api.test_orders import a_customer, a_product_with_stock
from tests.live_server import live_server


@pytest.fixture
def remote(settings: Settings, engine: Engine, client: TestClient) -> Iterator[str]:
    # After ``client`` started an app: the Spanish model is trained and cached by then, and a
    # live server must be up within 15 s.
    with live_server(create_app(settings, engine=engine)) as url:
        yield url


def test_rest_and_sql_adapters_agree(remote: str, keys: dict[Role, str], engine: Engine) -> None:
    rest = RestErp(remote, api_key=keys[Role.INTEGRATION])
    sql = SqlErp(engine, actor="test")
    flt = ProductFilter(size="205 55 16", in_stock=True)
    assert rest.search_products(flt, limit=20) == sql.search_products(flt, limit=20)
    first = sql.search_products(flt, limit=1).items[0]
    assert rest.get_product(first.id) == sql.get_product(first.id)
    assert rest.list_inventory(branch="GDL", low_stock=True, limit=5) == sql.list_inventory(
        branch="GDL", low_stock=True, limit=5
    )
    assert rest.list_customers(limit=5) == sql.list_customers(limit=5)
    assert rest.list_suppliers(sku=first.sku) == sql.list_suppliers(sku=first.sku)
    assert rest.find_fitment(make="Nissan", model="Versa", year=2020) == sql.find_fitment(
        make="Nissan", model="Versa", year=2020
    )
    rest.close()


def test_rest_orders_with_idempotency_and_error_mapping(
    remote: str, keys: dict[Role, str], engine: Engine
) -> None:
    key = keys[Role.INTEGRATION]
    rest = RestErp(
        remote, client_id=key.split("_")[1], client_secret=key
    )  # OAuth client credentials
    sku = a_product_with_stock(engine, 2)
    payload = OrderCreate(
        customer_id=a_customer(engine).id or 0,
        branch_code="CDMX",
        lines=[OrderLineCreate(sku=sku, quantity=2)],
    )
    order = rest.create_order(payload, idempotency_key="sync-1")
    assert rest.create_order(payload, idempotency_key="sync-1").id == order.id
    assert rest.update_order(order.id, OrderUpdate(status="paid")).status == "paid"  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        rest.update_order(order.id, OrderUpdate(status="returned"))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        rest.get_order(999_999)
    with pytest.raises(InvalidRequest) as err:
        rest.search_products(ProductFilter(size="hola"))
    assert err.value.field == "size"
    rest.close()


def test_retries_then_gives_up_with_an_external_service_error() -> None:
    calls = {"n": 0}
    flaky = FastAPI()

    @flaky.get("/api/v1/products/{product_id}")
    def product(product_id: int) -> JSONResponse:
        calls["n"] += 1
        if calls["n"] < 3:
            return JSONResponse({"error": "busy"}, status_code=503)
        return JSONResponse(
            {"error": "not_found", "message": "nope", "field": "product_id"}, status_code=404
        )

    with live_server(flaky) as url:
        rest = RestErp(url, api_key="tl_x_y", retries=3)
        with pytest.raises(NotFound):  # two 503s were retried, the third answer is final
            rest.get_product(1)
        assert calls["n"] == 3
        calls["n"] = -10
        with pytest.raises(ExternalServiceError):
            rest.get_product(1)
        rest.close()
    dead = RestErp(url, api_key="tl_x_y", retries=2, timeout_s=0.5)
    with pytest.raises(ExternalServiceError):
        dead.get_product(1)


def test_sync_pulls_catalogue_and_stock_into_another_store_with_an_audit_entry(
    remote: str, keys: dict[Role, str], engine: Engine, tmp_path: Path
) -> None:
    target = make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    upgrade(target)
    with session_scope(target, write=True) as session, Session(engine) as source_session:
        for branch in source_session.exec(select(Branch)).all():
            session.add(Branch.model_validate(branch.model_dump()))
    report = sync_catalog(
        RestErp(remote, api_key=keys[Role.INTEGRATION]), target, actor="test:sync"
    )
    with Session(engine) as src, Session(target) as dst:
        assert (
            report.products_created
            == len(src.exec(select(Product)).all())
            == len(dst.exec(select(Product)).all())
        )
        assert sum(s.on_hand for s in dst.exec(select(Stock)).all()) == sum(
            s.on_hand for s in src.exec(select(Stock)).all()
        )
        assert sum(lot.quantity for lot in dst.exec(select(StockLot)).all()) == sum(
            s.on_hand for s in dst.exec(select(Stock)).all()
        )
        audit = dst.exec(select(AuditLog).where(AuditLog.action == "sync")).one()
        assert audit.detail["products_created"] == report.products_created
    again = sync_catalog(RestErp(remote, api_key=keys[Role.INTEGRATION]), target, actor="test:sync")
    assert again.products_created == 0 and again.products_updated == report.products_created
    target.dispose()
