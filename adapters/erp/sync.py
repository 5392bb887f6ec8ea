"""Pull the catalogue and stock from another ERP into our store of record, audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from adapters.erp.base import ErpClient
from db.engine import session_scope
from db.repositories.audit import record
from db.repositories.lots import adjust_lots
from db.tables import Branch, Product, Stock
from domain.catalog import InventoryItem, ProductFilter, ProductPublic
from domain.clock import utcnow
from domain.tire_size import parse_tire_size

PAGE = 200


@dataclass
class SyncReport:
    """What a sync changed."""

    products_created: int = 0
    products_updated: int = 0
    stock_rows: int = 0
    skipped_unknown_branch: int = 0


def _all_products(source: ErpClient) -> list[ProductPublic]:
    items: list[ProductPublic] = []
    while True:
        page = source.search_products(
            ProductFilter(include_inactive=True), limit=PAGE, offset=len(items), sort="brand"
        )
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items


def _all_inventory(source: ErpClient) -> list[InventoryItem]:
    items: list[InventoryItem] = []
    while True:
        page = source.list_inventory(limit=PAGE, offset=len(items))
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items


def sync_catalog(source: ErpClient, engine: Engine, *, actor: str) -> SyncReport:
    """Upsert products (by SKU) and stock (by SKU and branch code) from ``source``.

    Costs are not part of the public product view; they are derived from the inventory value
    where the source has units on hand. Reserved units stay ours.
    """
    products = _all_products(source)
    inventory = _all_inventory(source)
    # value_cents comes only to keys that may read cost (admin, staff, integration).
    unit_cost = {
        i.sku: i.value_cents // i.on_hand
        for i in inventory
        if i.on_hand > 0 and i.value_cents is not None
    }
    report = SyncReport()
    with session_scope(engine, write=True) as session:
        local = {p.sku: p for p in session.exec(select(Product)).all()}
        for item in products:
            size = parse_tire_size(item.size)
            values: dict[str, Any] = {
                "brand": item.brand,
                "line": item.line,
                **size.product_columns(),
                "load_index": item.load_index,
                "speed_rating": item.speed_rating,
                "run_flat": item.run_flat,
                "vehicle_type": item.vehicle_type.value,
                "terrain": item.terrain.value,
                "tier": item.tier.value,
                "price_cents": item.price.net_cents,
                "warranty_km": item.warranty_km,
                "warranty_months": item.warranty_months,
                "active": item.active,
            }
            product = local.get(item.sku)
            if product is None:
                product = Product(sku=item.sku, cost_cents=unit_cost.get(item.sku, 0), **values)
                local[item.sku] = product
                report.products_created += 1
            else:
                for name, value in values.items():
                    setattr(product, name, value)
                if item.sku in unit_cost:
                    product.cost_cents = unit_cost[item.sku]
                product.updated_at = utcnow()
                report.products_updated += 1
            session.add(product)
        session.flush()
        branches = {b.code: b.id for b in session.exec(select(Branch)).all()}
        stock = {(s.product_id, s.branch_id): s for s in session.exec(select(Stock)).all()}
        for inv in inventory:
            branch_id = branches.get(inv.branch_code)
            if branch_id is None or inv.sku not in local:
                report.skipped_unknown_branch += 1
                continue
            product_id = local[inv.sku].id or 0
            row = stock.get((product_id, branch_id)) or Stock(
                product_id=product_id, branch_id=branch_id
            )
            session.add(row)
            session.flush()
            new_on_hand = max(inv.on_hand, row.reserved)
            adjust_lots(session, row.id or 0, new_on_hand - row.on_hand)
            row.on_hand = new_on_hand
            row.reorder_point, row.max_level, row.updated_at = (
                inv.reorder_point,
                inv.max_level,
                utcnow(),
            )
            session.add(row)
            report.stock_rows += 1
        record(
            session,
            actor=actor,
            action="sync",
            entity="catalog",
            entity_id=source.actor,
            products_created=report.products_created,
            products_updated=report.products_updated,
            stock_rows=report.stock_rows,
            skipped=report.skipped_unknown_branch,
        )
    return report
