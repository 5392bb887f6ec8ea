"""The agents' tools against another ERP: RestErp on the tool context, pointed at a live second
instance of our API with its own database. Reads come from there; a chat reservation (with its
guest customer, hold and deposit link) lands there, and our own store is left untouched."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from adapters.erp.rest import RestErp
from api.app import create_app
from core.settings import Settings
from db.engine import make_engine, session_scope
from db.repositories.api_keys import create_key
from db.tables import Branch, Customer, Order, Product, Stock
from domain.enums import Role
from domain.tool_results import (
    Branches,
    BranchStock,
    CancellationResult,
    CustomerTerms,
    LowStockResult,
    OrderStatus,
    Quote,
    ReservationResult,
    SalesRanking,
    StockResult,
    TireOptions,
)
from tests.conftest import pg_create, pg_drop
from tests.live_server import live_server
from tests.tools.conftest import MakeCtx, call, customer_of
from tests.tools.conftest import make_ctx as make_ctx  # the fixture, shared with tests/tools
from tools.base import ToolContext
from tools.catalog import CHECK_BRANCH_STOCK, FIND_TIRES_FOR_VEHICLE, GET_BRANCHES, SEARCH_TIRES
from tools.inventory import CHECK_STOCK, GET_SALES_RANKING, LIST_LOW_STOCK
from tools.order_status import GET_ORDER_STATUS
from tools.orders import CANCEL_RESERVATION, CHANGE_RESERVATION, CREATE_RESERVATION
from tools.sales import GET_CUSTOMER_TERMS, QUOTE_TIRES

_counter = itertools.count()


@pytest.fixture
def other_erp_url(
    request: pytest.FixtureRequest, db_url: str, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A second seeded database, on the same backend as ours."""
    if db_url.startswith("sqlite"):
        path = tmp_path / "other-erp.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    name = f"tl_other_{os.getpid()}_{next(_counter)}"
    yield pg_create(name, request.getfixturevalue("pg_template"))
    pg_drop(name)


@pytest.fixture
def other_erp(
    other_erp_url: str, settings: Settings, tmp_path: Path, client: TestClient
) -> Iterator[tuple[RestErp, Engine]]:
    """Another instance of our API on its own database, and a RestErp client for it (started
    after ours, ``client``, has trained the shared Spanish model: a live server gets 15 s)."""
    engine = make_engine(other_erp_url)
    with session_scope(engine, write=True) as session:
        key, _ = create_key(session, role=Role.INTEGRATION.value, name="chat", actor="test")
    other = settings.model_copy(
        update={"database_url": other_erp_url, "data_dir": tmp_path / "other"}
    )
    with live_server(create_app(other, engine=engine)) as url:
        client = RestErp(url, api_key=key)
        yield client, engine
        client.close()
    engine.dispose()


def units(engine: Engine, sku: str) -> tuple[int, int]:
    """(on hand, reserved) of a product across branches."""
    with Session(engine) as s:
        row = s.exec(
            select(sa.func.sum(Stock.on_hand), sa.func.sum(Stock.reserved))
            .join(Product, col(Product.id) == Stock.product_id)
            .where(Product.sku == sku)
        ).one()
    return int(row[0] or 0), int(row[1] or 0)


def on_other(ctx: ToolContext, erp: RestErp) -> ToolContext:
    ctx.erp = erp
    return ctx


def test_read_tools_answer_from_the_other_erp(
    make_ctx: MakeCtx, other_erp: tuple[RestErp, Engine], engine: Engine
) -> None:
    erp, remote = other_erp
    ctx = on_other(make_ctx(), erp)
    with session_scope(remote, write=True) as s:  # only the other ERP has this product in MTY
        product = s.exec(
            select(Product).where(Product.size == "205/55R16").order_by(Product.sku)
        ).first()
        assert product is not None
        s.execute(
            sa.update(Stock)
            .where(col(Stock.product_id) == product.id)
            .values(on_hand=Stock.reserved + 37)
        )
    found = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16")
    assert found.options
    fitted = call(FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, model="Jetta", year=2020, trim="gli")
    assert fitted.size == "225/40R18"
    mty = call(CHECK_BRANCH_STOCK, ctx, BranchStock, branch_code="MTY", skus=[product.sku])
    assert [(i.sku, i.available) for i in mty.items] == [(product.sku, 37)]
    assert units(engine, product.sku)[0] != units(remote, product.sku)[0]  # ours differs
    quote = call(QUOTE_TIRES, ctx, Quote, sku=product.sku, quantity=4)
    assert quote.total_cents == quote.unit_price_cents * 4
    assert {b.code for b in call(GET_BRANCHES, ctx, Branches).branches} == {"CDMX", "GDL", "MTY"}
    staff = on_other(make_ctx("staff"), erp)
    stock = call(CHECK_STOCK, staff, StockResult, size="205/55R16", branch_code="MTY")
    with Session(remote) as s:  # the total is the other ERP's, over every 205/55R16 in MTY
        remote_total = s.exec(
            select(sa.func.sum(col(Stock.on_hand) - col(Stock.reserved)))
            .join(Product, col(Product.id) == Stock.product_id)
            .join(Branch, col(Branch.id) == Stock.branch_id)
            .where(Product.size == "205/55R16", Branch.code == "MTY", col(Product.active))
        ).one()
    assert stock.by_branch == {"MTY": int(remote_total)} and stock.total_available == remote_total
    assert call(LIST_LOW_STOCK, staff, LowStockResult, limit=3).items
    assert call(GET_SALES_RANKING, staff, SalesRanking, order="worst").items
    dealer = customer_of(engine, "dealer")
    terms = call(GET_CUSTOMER_TERMS, on_other(make_ctx(customer_id=dealer.id), erp), CustomerTerms)
    assert terms.kind == "dealer" and terms.credit is not None


def test_a_chat_reservation_lands_in_the_other_erp(
    make_ctx: MakeCtx, other_erp: tuple[RestErp, Engine], engine: Engine
) -> None:
    erp, remote = other_erp
    ctx = on_other(make_ctx(), erp)
    sku = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16").options[0].sku
    ours, theirs = units(engine, sku), units(remote, sku)
    with Session(engine) as s:
        our_orders = s.exec(select(sa.func.count()).select_from(Order)).one()

    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert made.change == "created" and made.order.payment is not None
    assert units(remote, sku) == (theirs[0], theirs[1] + 4) and units(engine, sku) == ours
    with Session(remote) as s:
        order = s.exec(select(Order).where(Order.folio == made.order.folio)).one()
        guest = s.get(Customer, order.customer_id)
        assert guest is not None and guest.name.startswith("Cliente web")
    with Session(engine) as s:
        assert s.exec(select(sa.func.count()).select_from(Order)).one() == our_orders
        local_guest = s.get(Customer, ctx.bound_customer_id)
        assert local_guest is not None and local_guest.erp_customer_id == order.customer_id

    same = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=4)
    assert same.change == "unchanged" and same.order.folio == made.order.folio
    fewer = call(CHANGE_RESERVATION, ctx, ReservationResult, quantity=2)
    assert fewer.change == "modified" and fewer.order.folio == made.order.folio
    assert units(remote, sku) == (theirs[0], theirs[1] + 2)
    status = call(GET_ORDER_STATUS, ctx, OrderStatus)
    assert status.order is not None and status.order.folio == made.order.folio
    cancelled = call(CANCEL_RESERVATION, ctx, CancellationResult)
    assert cancelled.status == "cancelled" and units(remote, sku) == theirs


def test_a_whatsapp_customer_is_matched_in_the_other_erp_by_phone(
    make_ctx: MakeCtx, other_erp: tuple[RestErp, Engine], engine: Engine
) -> None:
    erp, remote = other_erp
    customer = customer_of(engine, area="33")
    with session_scope(remote, write=True) as s:  # the other ERP numbers its customers its own way
        theirs = s.exec(select(Customer).where(Customer.phone == customer.phone)).one()
        s.add(Customer(kind="retail", name="Otra persona"))
        their_id = theirs.id
    ctx = on_other(make_ctx(customer_id=customer.id, channel="whatsapp"), erp)
    sku = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16").options[0].sku
    made = call(CREATE_RESERVATION, ctx, ReservationResult, sku=sku, quantity=2)
    with Session(remote) as s:
        order = s.exec(select(Order).where(Order.folio == made.order.folio)).one()
    assert order.customer_id == their_id
    with Session(engine) as s:
        assert s.get(Customer, customer.id).erp_customer_id == their_id  # type: ignore[union-attr]
