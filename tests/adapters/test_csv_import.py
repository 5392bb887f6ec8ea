from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.erp.csv_import import import_fitment, import_products, import_stock
from core.errors import InvalidRequest
from db.engine import session_scope
from db.tables import AuditLog, Fitment, Product, Stock, StockLot

FITMENT = """make,model,year_from,year_to,trim,front_size,rear_size,notes
Nissan,Tsuru,1992,2017,GS I,155/80R13,,
Nissan,Frontera Test,2024,,,P235/75 R15 108S,,licensed row
BMW,Serie 3 Test,2019,2024,M340i,225/40R19,255/35R19,staggered
"""


def rows(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return len(s.exec(select(model)).all())


def test_fitment_import_normalises_sizes_and_upserts(engine: Engine) -> None:
    before = rows(engine, Fitment)
    with session_scope(engine, write=True) as s:
        report = import_fitment(s, FITMENT, actor="test", current_year=2026)
    with Session(engine) as s:
        row = s.exec(select(Fitment).where(Fitment.model == "Frontera Test")).one()
        assert (row.front_size, row.year_to) == ("235/75R15", 2026)
        bmw = s.exec(select(Fitment).where(Fitment.model == "Serie 3 Test")).one()
        assert bmw.rear_size == "255/35R19"
        assert (
            s.exec(select(AuditLog).where(AuditLog.entity == "fitment", AuditLog.actor == "test"))
            .one()
            .detail["rows"]
            == 3
        )
    with session_scope(engine, write=True) as s:
        again = import_fitment(s, FITMENT, actor="test", current_year=2026)
    assert again.created == 0 and again.updated == 3
    assert rows(engine, Fitment) == before + report.created


def test_a_bad_fitment_file_reports_every_bad_line_and_writes_nothing(engine: Engine) -> None:
    bad = (
        FITMENT
        + "Kia,Rio,2018,2016,,185/65R15,,\nKia,Rio,2018,2022,,hola,,\nKia,,2018,2022,,185/65R15,,\n"
    )
    before, audit = rows(engine, Fitment), rows(engine, AuditLog)
    with pytest.raises(InvalidRequest) as err, session_scope(engine, write=True) as s:
        import_fitment(s, bad, actor="test", current_year=2026)
    message = err.value.message
    assert "line 5: year_to 2016 is before year_from 2018" in message
    assert "line 6: front_size: 'hola' is not a valid tire size" in message
    assert "line 7: make and model are required" in message
    assert rows(engine, Fitment) == before and rows(engine, AuditLog) == audit


def test_missing_columns_and_duplicates_are_refused(engine: Engine) -> None:
    with (
        pytest.raises(InvalidRequest, match="missing columns: front_size"),
        session_scope(engine, write=True) as s,
    ):
        import_fitment(s, "make,model,year_from\nKia,Rio,2018\n", actor="test", current_year=2026)
    dup = FITMENT + "Nissan,Tsuru,1992,2017,GS I,155/80R13,,\n"
    with (
        pytest.raises(InvalidRequest, match="line 5: duplicates line 2"),
        session_scope(engine, write=True) as s,
    ):
        import_fitment(s, dup, actor="test", current_year=2026)


def test_products_and_stock_import(engine: Engine) -> None:
    products = (
        "sku,brand,line,size,load_index,speed_rating,run_flat,vehicle_type,terrain,tier,price_mxn,cost_mxn,"
        "warranty_km,warranty_months,active\n"
        'NEW-1,Kumho,Ecsta Test,225/45ZR17,94,W,no,auto,performance,mid,"2,100.50",1500,50000,60,true\n'
    )
    with session_scope(engine, write=True) as s:
        assert import_products(s, products, actor="test").created == 1
    with Session(engine) as s:
        p = s.exec(select(Product).where(Product.sku == "NEW-1")).one()
        assert (p.size, p.price_cents, p.cost_cents) == ("225/45R17", 210050, 150000)
    stock = "sku,branch_code,on_hand,reorder_point,max_level\nNEW-1,CDMX,12,4,20\nNEW-1,gdl,3,,\n"
    with session_scope(engine, write=True) as s:
        assert import_stock(s, stock, actor="test").created == 2
    with session_scope(engine, write=True) as s:
        assert import_stock(s, "sku,branch_code,on_hand\nNEW-1,CDMX,5\n", actor="test").updated == 1
    with Session(engine) as s:
        row = s.exec(select(Stock).where(Stock.product_id == p.id, Stock.branch_id == 1)).one()
        assert row.on_hand == 5
        assert (
            sum(
                lot.quantity
                for lot in s.exec(select(StockLot).where(StockLot.stock_id == row.id)).all()
            )
            == 5
        )
    bad_price = products.replace('"2,100.50"', "2100.505").replace("NEW-1", "NEW-2")
    with (
        pytest.raises(InvalidRequest, match="line 2: price_mxn"),
        session_scope(engine, write=True) as s,
    ):
        import_products(s, bad_price, actor="test")
    with (
        pytest.raises(InvalidRequest, match="line 2: SKU 'NOPE'"),
        session_scope(engine, write=True) as s,
    ):
        import_stock(s, "sku,branch_code,on_hand\nNOPE,CDMX,1\n", actor="test")
