"""Purchase orders and stock transfers a conversation created, and the criteria on them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain.tire_size import parse_tire_size
from evals.models import PurchaseLineExpect, PurchaseOrderExpect, TransferExpect
from evals.refs import Resolver, Unresolved, as_ref

TABLES = ("purchaseorder", "stock_transfer")


def max_ids(engine: Engine) -> dict[str, int]:
    """The highest purchase-order and transfer ids (what the agent creates comes after them);
    a table that does not exist yet counts as empty."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        return {
            table: int(
                conn.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
            )
            for table in TABLES
            if table in present
        }


def created_purchases(
    engine: Engine, baseline: dict[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The purchase orders (with lines) and the transfers created after ``baseline``."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        orders: list[dict[str, Any]] = []
        if "purchaseorder" in present:
            rows = conn.execute(
                sa.text(
                    "SELECT po.id, po.folio, po.status, b.code FROM purchaseorder po "
                    "JOIN branch b ON b.id = po.branch_id WHERE po.id > :after ORDER BY po.id"
                ),
                {"after": baseline.get("purchaseorder", 0)},
            ).all()
            for po_id, folio, status, branch in rows:
                lines = conn.execute(
                    sa.text(
                        "SELECT p.sku, p.brand, p.size, l.quantity FROM purchaseorderline l "
                        "JOIN product p ON p.id = l.product_id WHERE l.purchase_order_id = :id "
                        "ORDER BY l.id"
                    ),
                    {"id": po_id},
                ).all()
                orders.append({
                    "folio": folio, "status": status, "branch": branch,
                    "lines": [
                        {"sku": s, "brand": br, "size": sz, "quantity": q} for s, br, sz, q in lines
                    ],
                })  # fmt: skip
        transfers: list[dict[str, Any]] = []
        if "stock_transfer" in present:
            for row in conn.execute(
                sa.text(
                    "SELECT t.folio, t.quantity, t.status, p.sku, p.size, f.code, d.code "
                    "FROM stock_transfer t JOIN product p ON p.id = t.product_id "
                    "JOIN branch f ON f.id = t.from_branch_id JOIN branch d ON d.id = t.to_branch_id "
                    "WHERE t.id > :after ORDER BY t.id"
                ),
                {"after": baseline.get("stock_transfer", 0)},
            ).all():
                folio, quantity, status, sku, size, source, target = row
                transfers.append({
                    "folio": folio, "quantity": quantity, "status": status, "sku": sku,
                    "size": size, "from_branch": source, "to_branch": target,
                })  # fmt: skip
        return orders, transfers


def _value(value: Any, resolver: Resolver) -> str:
    ref = as_ref(value)
    return str(resolver.raw(ref) if ref is not None else value)


def _same_size(a: str, b: str) -> bool:
    try:
        return parse_tire_size(a).canonical == parse_tire_size(b).canonical
    except ValueError:
        return a.replace(" ", "").upper() == b.replace(" ", "").upper()


def _statuses(want: str | list[str]) -> list[str]:
    return [want] if isinstance(want, str) else want


def _line_problems(want: PurchaseLineExpect, got: dict[str, Any], resolver: Resolver) -> list[str]:
    problems = []
    if want.quantity is not None and got["quantity"] != want.quantity:
        problems.append(f"quantity {got['quantity']} instead of {want.quantity}")
    if want.sku is not None and got["sku"].upper() != _value(want.sku, resolver).upper():
        problems.append(f"SKU {got['sku']} instead of {_value(want.sku, resolver)}")
    if want.brand and got["brand"].casefold() != want.brand.casefold():
        problems.append(f"brand {got['brand']} instead of {want.brand}")
    if want.size and not _same_size(got["size"], want.size):
        problems.append(f"size {got['size']} instead of {want.size}")
    return problems


def purchase_problems(
    want: PurchaseOrderExpect, got: dict[str, Any], resolver: Resolver
) -> list[str]:
    """Why a created purchase order is not the expected one (empty when it is)."""
    problems = []
    if want.branch and got["branch"] != want.branch:
        problems.append(f"branch {got['branch']} instead of {want.branch}")
    if want.status is not None and got["status"] not in _statuses(want.status):
        problems.append(f"status {got['status']} instead of {' or '.join(_statuses(want.status))}")
    if want.lines is not None:
        left = list(got["lines"])
        for line in want.lines:
            scored = [(_line_problems(line, g, resolver), i) for i, g in enumerate(left)]
            if not scored:
                problems.append(f"no line for {line.model_dump(exclude_none=True)}")
                continue
            best, index = min(scored, key=lambda s: len(s[0]))
            problems += best
            left.pop(index)
    return [f"{got['folio'] or 'purchase order'}: {p}" for p in problems]


def transfer_problems(want: TransferExpect, got: dict[str, Any], resolver: Resolver) -> list[str]:
    """Why a created transfer is not the expected one (empty when it is)."""
    problems = []
    for name in ("from_branch", "to_branch", "quantity"):
        wanted = getattr(want, name)
        if wanted is not None and got[name] != wanted:
            problems.append(f"{name} {got[name]} instead of {wanted}")
    if want.sku is not None and got["sku"].upper() != _value(want.sku, resolver).upper():
        problems.append(f"SKU {got['sku']} instead of {_value(want.sku, resolver)}")
    if want.size and not _same_size(got["size"], want.size):
        problems.append(f"size {got['size']} instead of {want.size}")
    if want.status is not None and got["status"] not in _statuses(want.status):
        problems.append(f"status {got['status']} instead of {' or '.join(_statuses(want.status))}")
    return [f"{got['folio'] or 'transfer'}: {p}" for p in problems]


def _matched(wanted: list[Any], got: list[dict[str, Any]], check: Any, what: str,
             resolver: Resolver) -> list[str]:  # fmt: skip
    if len(got) != len(wanted):
        return [f"{len(got)} {what} created, expected {len(wanted)}"]
    problems: list[str] = []
    left = list(got)
    for want in wanted:
        scored = [(check(want, g, resolver), i) for i, g in enumerate(left)]
        best, index = min(scored, key=lambda s: len(s[0]))
        problems += best
        left.pop(index)
    return problems


def purchasing_problems(
    purchase_orders: list[PurchaseOrderExpect] | None,
    transfers: list[TransferExpect] | None,
    engine: Engine,
    baseline: dict[str, int],
    resolver: Resolver,
) -> list[str]:
    """Exactly the expected purchase orders and transfers were created, as expected."""
    if purchase_orders is None and transfers is None:
        return []
    orders, moves = created_purchases(engine, baseline)
    problems: list[str] = []
    try:
        if purchase_orders is not None:
            problems += _matched(purchase_orders, orders, purchase_problems, "purchase orders",
                                 resolver)  # fmt: skip
        if transfers is not None:
            problems += _matched(transfers, moves, transfer_problems, "transfers", resolver)
    except Unresolved as exc:
        problems.append(str(exc))
    return problems
