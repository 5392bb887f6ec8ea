"""Queries over products, stock, branches and fitment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.errors import InvalidRequest, NotFound
from db.tables import Branch, Fitment, Product, Stock, StockLot
from domain import geo
from domain.catalog import (
    BranchPublic,
    DotLot,
    FitmentPublic,
    InventoryItem,
    Page,
    ProductFilter,
    ProductPublic,
)
from domain.pricing import iva_of
from domain.text import fold
from domain.tire_size import parse_tire_size

ProductPage = Page[ProductPublic]
# What the public view needs; skips cost and timestamps on the hot search path.
PUBLIC_COLUMNS = tuple(
    Product.__table__.c[name]  # type: ignore[attr-defined]
    for name in (
        "id", "sku", "brand", "line", "size", "load_index", "speed_rating", "run_flat",
        "vehicle_type", "terrain", "tier", "price_cents", "iva_bp", "warranty_km",
        "warranty_months", "active",
    )
)  # fmt: skip
SORTS = {
    "price": (col(Product.price_cents).asc(), col(Product.id).asc()),
    "-price": (col(Product.price_cents).desc(), col(Product.id).asc()),
    "brand": (col(Product.brand).asc(), col(Product.line).asc(), col(Product.id).asc()),
    "size": (col(Product.size).asc(), col(Product.price_cents).asc(), col(Product.id).asc()),
}


def branch_by_code(session: Session, code: str, *, field: str = "branch") -> Branch:
    """The branch with this code (case-insensitive), or InvalidRequest naming the field."""
    branch = session.exec(select(Branch).where(Branch.code == code.strip().upper())).first()
    if branch is None:
        codes = ", ".join(session.exec(select(Branch.code).order_by(Branch.code)).all())
        raise InvalidRequest(f"unknown branch '{code}'; known branches: {codes}", field=field)
    return branch


def list_branches(session: Session) -> list[BranchPublic]:
    """All branches."""
    return [
        BranchPublic(
            id=b.id or 0,
            code=b.code,
            name=b.name,
            city=b.city,
            address=b.address,
            latitude=b.latitude,
            longitude=b.longitude,
            opening_hours={str(k): str(v) for k, v in b.opening_hours.items()},
            phone=b.phone,
            is_main=b.is_main,
            area_codes=list(b.area_codes),
        )
        for b in session.exec(select(Branch).order_by(Branch.code)).all()
    ]


def branch_for_phone(session: Session, phone: str | None) -> str | None:
    """The code of the branch whose area codes (Branch table) serve this phone, or None."""
    if not phone:
        return None
    codes = {b.code: list(b.area_codes) for b in session.exec(select(Branch)).all()}
    return geo.branch_for_phone(phone, codes)


def light_truck_condition() -> sa.ColumnElement[bool]:
    """LT prefix, C construction (the size ends in C) or a flotation size (no aspect)."""
    return sa.or_(
        col(Product.size_prefix) == "LT",
        col(Product.size).like("%C"),
        col(Product.aspect).is_(None),
    )


def find_fitment(
    session: Session, *, make: str | None, model: str | None, year: int | None
) -> list[Fitment]:
    """Fitment rows for a vehicle; model may be written with or without the make (``Mazda 3``)."""
    query = select(Fitment)
    if make:
        query = query.where(Fitment.make_key == fold(make))
    if model:
        key = fold(model)
        keys = {key} | ({fold(make) + key} if make else set())
        query = query.where(col(Fitment.model_key).in_(keys))
    if year is not None:
        query = query.where(Fitment.year_from <= year, Fitment.year_to >= year)
    query = query.order_by(
        col(Fitment.make), col(Fitment.model), col(Fitment.year_from), col(Fitment.trim)
    )
    return list(session.exec(query).all())


def fitment_public(row: Fitment) -> FitmentPublic:
    """The API view of a fitment row."""
    return FitmentPublic(
        make=row.make,
        model=row.model,
        year_from=row.year_from,
        year_to=row.year_to,
        trim=row.trim,
        front_size=row.front_size,
        rear_size=row.rear_size,
        notes=row.notes,
    )


def sizes_for_vehicle(
    session: Session, make: str | None, model: str | None, year: int | None
) -> list[str]:
    """Every OE size (front and rear) of a vehicle, or NotFound naming what is unknown."""
    if not model:
        raise InvalidRequest(
            "vehicle_model is required to search by vehicle", field="vehicle_model"
        )
    rows = find_fitment(session, make=make, model=model, year=year)
    if not rows:
        vehicle = " ".join(str(p) for p in (make, model, year) if p)
        raise NotFound(f"no fitment data for '{vehicle}'", field="vehicle_model")
    sizes: list[str] = []
    for row in rows:
        for size in (row.front_size, row.rear_size):
            if size and size not in sizes:
                sizes.append(size)
    return sizes


def _size_condition(size_text: str) -> sa.ColumnElement[bool]:
    size = parse_tire_size(size_text)
    if size.is_flotation:
        return col(Product.size) == size.canonical
    cond = sa.and_(
        col(Product.width) == size.width,
        col(Product.aspect) == size.aspect,
        col(Product.rim) == size.rim,
    )
    if size.prefix == "LT" or size.commercial:
        cond = sa.and_(cond, col(Product.size) == size.canonical)
    return cond


def search_products(
    session: Session, flt: ProductFilter, *, limit: int, offset: int, sort: str = "price"
) -> Page[ProductPublic]:
    """Products matching every given filter, with per-branch stock, one page at a time."""
    if sort not in SORTS:
        raise InvalidRequest(f"sort must be one of {', '.join(SORTS)}", field="sort")
    conds: list[sa.ColumnElement[bool]] = []
    if not flt.include_inactive:
        conds.append(col(Product.active).is_(True))
    if flt.size:
        conds.append(_size_condition(flt.size))
    if flt.vehicle_make or flt.vehicle_model or flt.vehicle_year:
        sizes = sizes_for_vehicle(session, flt.vehicle_make, flt.vehicle_model, flt.vehicle_year)
        conds.append(sa.or_(*(_size_condition(s) for s in sizes)))
    if flt.brand:
        conds.append(sa.func.lower(Product.brand) == flt.brand.strip().lower())
    if flt.line:
        conds.append(
            sa.func.lower(Product.line).contains(flt.line.strip().lower(), autoescape=True)
        )
    if flt.min_price_cents is not None:
        conds.append(col(Product.price_cents) >= flt.min_price_cents)
    if flt.max_price_cents is not None:
        conds.append(col(Product.price_cents) <= flt.max_price_cents)
    if flt.vehicle_type is not None:
        conds.append(col(Product.vehicle_type) == flt.vehicle_type.value)
    if flt.run_flat is not None:
        conds.append(col(Product.run_flat).is_(flt.run_flat))
    if flt.sku:
        conds.append(col(Product.sku).in_([s.strip().upper() for s in flt.sku]))
    if flt.terrain:
        conds.append(col(Product.terrain).in_([t.value for t in flt.terrain]))
    if flt.light_truck is not None:
        lt = light_truck_condition()
        conds.append(lt if flt.light_truck else sa.not_(lt))
    branch = branch_by_code(session, flt.branch) if flt.branch else None
    if flt.in_stock:
        stock_q = select(Stock.id).where(
            Stock.product_id == Product.id, Stock.on_hand - Stock.reserved > 0
        )
        if branch is not None:
            stock_q = stock_q.where(Stock.branch_id == branch.id)
        conds.append(stock_q.exists())
    where = sa.and_(sa.true(), *conds)
    # One round trip for the page and the total (a window count), plain rows instead of ORM
    # objects: this is the hottest query of the service.
    rows = session.execute(
        sa.select(*PUBLIC_COLUMNS, sa.func.count().over().label("total_rows"))
        .where(where)
        .order_by(*SORTS[sort])
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        total = int(rows[0].total_rows)
    else:
        total = session.exec(select(sa.func.count()).select_from(Product).where(where)).one()
    stock = stock_by_product(session, [r.id for r in rows], branch.id if branch else None)
    items = [_product_dict(r, stock.get(r.id, [])) for r in rows]
    # One validation of the whole page runs in pydantic-core, faster than building each model.
    return ProductPage.model_validate(
        {"items": items, "total": total, "limit": limit, "offset": offset}
    )


def stock_by_product(
    session: Session, product_ids: Sequence[int], branch_id: int | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Per-branch stock of some products, keyed by product id."""
    if not product_ids:
        return {}
    query = (
        select(Stock.product_id, Branch.code, Stock.on_hand, Stock.reserved)
        .join(Branch, col(Branch.id) == Stock.branch_id)
        .where(col(Stock.product_id).in_(product_ids))
        .order_by(Branch.code)
    )
    if branch_id is not None:
        query = query.where(Stock.branch_id == branch_id)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for product_id, code, on_hand, reserved in session.exec(query).all():
        result[product_id].append(
            {
                "branch_code": code,
                "on_hand": on_hand,
                "reserved": reserved,
                "available": on_hand - reserved,
            }
        )
    return result


def _product_dict(product: Product | sa.Row[Any], stock: list[dict[str, Any]]) -> dict[str, Any]:
    iva = iva_of(product.price_cents, product.iva_bp)
    return {
        "id": product.id,
        "sku": product.sku,
        "brand": product.brand,
        "line": product.line,
        "size": product.size,
        "load_index": product.load_index,
        "speed_rating": product.speed_rating,
        "run_flat": product.run_flat,
        "vehicle_type": product.vehicle_type,
        "terrain": product.terrain,
        "tier": product.tier,
        "price": {
            "net_cents": product.price_cents,
            "iva_cents": iva,
            "total_cents": product.price_cents + iva,
        },
        "warranty_km": product.warranty_km,
        "warranty_months": product.warranty_months,
        "active": product.active,
        "stock": stock,
        "available": sum(s["available"] for s in stock),
    }


def product_public(product: Product | sa.Row[Any], stock: list[dict[str, Any]]) -> ProductPublic:
    """The public view of a product (table object or row) with the given stock rows."""
    return ProductPublic.model_validate(_product_dict(product, stock))


def get_product(session: Session, product_id: int) -> ProductPublic:
    """One product with stock at every branch."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"product {product_id} does not exist", field="product_id")
    return product_public(product, stock_by_product(session, [product_id]).get(product_id, []))


def list_inventory(
    session: Session,
    *,
    branch: str | None,
    low_stock: bool,
    sku: str | None,
    limit: int,
    offset: int,
) -> Page[InventoryItem]:
    """Stock rows per branch; ``low_stock`` keeps rows at or below their reorder point."""
    conds: list[sa.ColumnElement[bool]] = []
    if branch:
        conds.append(col(Stock.branch_id) == branch_by_code(session, branch).id)
    if low_stock:
        conds.append(col(Stock.on_hand) - col(Stock.reserved) <= col(Stock.reorder_point))
    if sku:
        conds.append(col(Product.sku) == sku.strip().upper())
    where = sa.and_(sa.true(), *conds)
    base = select(Stock, Product, Branch).join(Product, col(Product.id) == Stock.product_id)
    base = base.join(Branch, col(Branch.id) == Stock.branch_id).where(where)
    total = session.exec(
        select(sa.func.count())
        .select_from(Stock)
        .join(Product, col(Product.id) == Stock.product_id)
        .where(where)
    ).one()
    rows = session.exec(base.order_by(Branch.code, Product.sku).limit(limit).offset(offset)).all()
    lots: dict[int, list[DotLot]] = defaultdict(list)
    stock_ids = [s.id for s, _, _ in rows]
    if stock_ids:
        lot_rows = session.exec(
            select(StockLot)
            .where(col(StockLot.stock_id).in_(stock_ids))
            .order_by(col(StockLot.dot_year), col(StockLot.dot_week))
        ).all()
        for lot in lot_rows:
            lots[lot.stock_id].append(
                DotLot(dot=f"{lot.dot_week:02d}{lot.dot_year % 100:02d}", quantity=lot.quantity)
            )
    items = [
        InventoryItem(
            product_id=p.id or 0,
            sku=p.sku,
            brand=p.brand,
            line=p.line,
            size=p.size,
            branch_code=b.code,
            on_hand=s.on_hand,
            reserved=s.reserved,
            available=s.on_hand - s.reserved,
            reorder_point=s.reorder_point,
            max_level=s.max_level,
            low_stock=s.on_hand - s.reserved <= s.reorder_point,
            value_cents=s.on_hand * p.cost_cents,
            lots=lots.get(s.id or 0, []),
            updated_at=s.updated_at,
        )
        for s, p, b in rows
    ]
    return Page[InventoryItem](items=items, total=total, limit=limit, offset=offset)
