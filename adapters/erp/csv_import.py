"""CSV importers for fitment, products and stock: all rows valid, or nothing is written."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlmodel import Session, select

from core.errors import InvalidRequest
from db.repositories.audit import record
from db.repositories.lots import adjust_lots
from db.tables import Branch, Fitment, Product, Stock
from domain.clock import utcnow
from domain.enums import Terrain, Tier, VehicleType
from domain.text import fold
from domain.tire_size import parse_tire_size

FITMENT_COLUMNS = (
    "make",
    "model",
    "year_from",
    "year_to",
    "trim",
    "front_size",
    "rear_size",
    "notes",
)
PRODUCT_COLUMNS = (
    "sku",
    "brand",
    "line",
    "size",
    "load_index",
    "speed_rating",
    "run_flat",
    "vehicle_type",
    "terrain",
    "tier",
    "price_mxn",
    "cost_mxn",
    "warranty_km",
    "warranty_months",
    "active",
)
STOCK_COLUMNS = ("sku", "branch_code", "on_hand", "reorder_point", "max_level")
CURRENT_YEAR_CAP = 2100
R = TypeVar("R")


@dataclass
class ImportReport:
    """What an import did."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class RowError(ValueError):
    """A problem with one cell of a row."""


def _int(row: dict[str, str], name: str, lo: int, hi: int, *, default: int | None = None) -> int:
    raw = (row.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RowError(f"{name} '{raw}' is not a whole number") from None
    if not lo <= value <= hi:
        raise RowError(f"{name} {value} is outside {lo}-{hi}")
    return value


def _bool(row: dict[str, str], name: str, default: bool) -> bool:
    raw = (row.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "si", "sí", "y"):
        return True
    if raw in ("0", "false", "no", "n"):
        return False
    raise RowError(f"{name} '{raw}' must be true or false")


def _cents(row: dict[str, str], name: str) -> int:
    raw = (row.get(name) or "").strip().replace(",", "").removeprefix("$")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowError(f"{name} '{raw}' is not an amount in pesos") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise RowError(f"{name} '{raw}' must be a non-negative amount with at most 2 decimals")
    return int(value * 100)


def _choice(row: dict[str, str], name: str, allowed: Iterable[str]) -> str:
    raw = (row.get(name) or "").strip().lower()
    options = list(allowed)
    if raw not in options:
        raise RowError(f"{name} '{raw}' must be one of {', '.join(options)}")
    return raw


def _read(
    text: str, columns: tuple[str, ...], required: set[str]
) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = sorted(required - set(header))
    if missing:
        raise InvalidRequest(
            f"line 1: missing columns: {', '.join(missing)}; expected {', '.join(columns)}",
            field="file",
        )
    unknown = sorted(set(header) - set(columns))
    if unknown:
        raise InvalidRequest(f"line 1: unknown columns: {', '.join(unknown)}", field="file")
    rows = []
    for row in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(cleaned.values()):
            rows.append((reader.line_num, cleaned))
    return rows


def _validate(
    rows: list[tuple[int, dict[str, str]]], parse: Callable[[dict[str, str]], R]
) -> list[tuple[int, R]]:
    parsed: list[tuple[int, R]] = []
    errors: list[str] = []
    for line, row in rows:
        try:
            parsed.append((line, parse(row)))
        except (RowError, InvalidRequest) as exc:
            errors.append(f"line {line}: {exc.message if isinstance(exc, InvalidRequest) else exc}")
    if errors:
        raise InvalidRequest(
            "; ".join(errors[:50]) + (f"; and {len(errors) - 50} more" if len(errors) > 50 else ""),
            field="file",
        )
    return parsed


def _size(row: dict[str, str], name: str) -> str:
    try:
        return parse_tire_size(row.get(name) or "").canonical
    except InvalidRequest as exc:
        raise RowError(f"{name}: {exc.message}") from None


def _finish(
    session: Session, report: ImportReport, errors: list[str], *, entity: str, actor: str
) -> ImportReport:
    """Refuse the whole file if any row failed; otherwise write and audit it as one change."""
    if errors:
        raise InvalidRequest("; ".join(errors[:50]), field="file")
    session.flush()
    record(
        session,
        actor=actor,
        action="import",
        entity=entity,
        entity_id="csv",
        rows=report.rows,
        created=report.created,
        updated=report.updated,
    )
    return report


def _parse_fitment(row: dict[str, str]) -> dict[str, Any]:
    make, model = row.get("make", ""), row.get("model", "")
    if not make or not model:
        raise RowError("make and model are required")
    year_from = _int(row, "year_from", 1950, CURRENT_YEAR_CAP)
    year_to = _int(row, "year_to", 1950, CURRENT_YEAR_CAP, default=CURRENT_YEAR_CAP)
    if year_to < year_from:
        raise RowError(f"year_to {year_to} is before year_from {year_from}")
    rear = _size(row, "rear_size") if row.get("rear_size") else None
    return {
        "make": make,
        "model": model,
        "make_key": fold(make),
        "model_key": fold(model),
        "year_from": year_from,
        "year_to": year_to,
        "trim": row.get("trim", "")[:80],
        "front_size": _size(row, "front_size"),
        "rear_size": rear,
        "notes": row.get("notes", "")[:200],
    }


def import_fitment(session: Session, text: str, *, actor: str, current_year: int) -> ImportReport:
    """Upsert fitment rows keyed by (make, model, years, trim); an empty year_to means current."""
    rows = _read(text, FITMENT_COLUMNS, {"make", "model", "year_from", "front_size"})
    parsed = _validate(rows, _parse_fitment)
    report = ImportReport(kind="fitment", rows=len(parsed))
    seen: dict[tuple[Any, ...], int] = {}
    existing = {
        (f.make_key, f.model_key, f.year_from, f.year_to, f.trim): f
        for f in session.exec(select(Fitment)).all()
    }
    errors = []
    for line, values in parsed:
        if values["year_to"] == CURRENT_YEAR_CAP:
            values["year_to"] = current_year
        key = (
            values["make_key"],
            values["model_key"],
            values["year_from"],
            values["year_to"],
            values["trim"],
        )
        if key in seen:
            errors.append(f"line {line}: duplicates line {seen[key]}")
            continue
        seen[key] = line
        row = existing.get(key)
        if row is None:
            session.add(Fitment(**values))
            report.created += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
            report.updated += 1
    return _finish(session, report, errors, entity="fitment", actor=actor)


def _parse_product(row: dict[str, str]) -> dict[str, Any]:
    sku = row.get("sku", "").upper()
    if not sku or len(sku) > 40:
        raise RowError("sku is required (at most 40 characters)")
    size = parse_tire_size(row.get("size", "")) if row.get("size") else None
    if size is None:
        raise RowError("size is required")
    speed = row.get("speed_rating", "").upper()
    if len(speed) != 1 or not speed.isalpha():
        raise RowError(f"speed_rating '{speed}' must be one letter")
    price, cost = _cents(row, "price_mxn"), _cents(row, "cost_mxn")
    return {
        "sku": sku,
        "brand": row.get("brand") or "",
        "line": row.get("line") or "",
        **size.product_columns(),
        "load_index": _int(row, "load_index", 50, 150),
        "speed_rating": speed,
        "run_flat": _bool(row, "run_flat", False),
        "vehicle_type": _choice(row, "vehicle_type", (v.value for v in VehicleType)),
        "terrain": _choice(row, "terrain", (t.value for t in Terrain)),
        "tier": _choice(row, "tier", (t.value for t in Tier)),
        "price_cents": price,
        "cost_cents": cost,
        "warranty_km": _int(row, "warranty_km", 0, 200_000, default=0),
        "warranty_months": _int(row, "warranty_months", 0, 120, default=0),
        "active": _bool(row, "active", True),
    }


def import_products(session: Session, text: str, *, actor: str) -> ImportReport:
    """Upsert products by SKU. Prices are pesos net of IVA (``2491.38``)."""
    parsed = _validate(
        _read(
            text,
            PRODUCT_COLUMNS,
            set(PRODUCT_COLUMNS) - {"active", "warranty_km", "warranty_months", "run_flat"},
        ),
        _parse_product,
    )
    report = ImportReport(kind="products", rows=len(parsed))
    existing = {p.sku: p for p in session.exec(select(Product)).all()}
    seen: dict[str, int] = {}
    for line, values in parsed:
        if values["sku"] in seen:
            raise InvalidRequest(
                f"line {line}: SKU {values['sku']} duplicates line {seen[values['sku']]}",
                field="file",
            )
        seen[values["sku"]] = line
        product = existing.get(values["sku"])
        if product is None:
            session.add(Product(**values))
            report.created += 1
        else:
            for name, value in values.items():
                setattr(product, name, value)
            product.updated_at = utcnow()
            session.add(product)
            report.updated += 1
    return _finish(session, report, [], entity="product", actor=actor)


def import_stock(session: Session, text: str, *, actor: str) -> ImportReport:
    """Set on-hand, reorder point and max per (SKU, branch); reserved units are kept."""
    products = {p.sku: p.id for p in session.exec(select(Product)).all()}
    branches = {b.code: b.id for b in session.exec(select(Branch)).all()}

    def parse(row: dict[str, str]) -> dict[str, Any]:
        sku, code = row.get("sku", "").upper(), row.get("branch_code", "").upper()
        if sku not in products:
            raise RowError(f"SKU '{sku}' is not in the catalogue")
        if code not in branches:
            raise RowError(f"branch_code '{code}' is unknown; known: {', '.join(sorted(branches))}")
        return {
            "product_id": products[sku] or 0,
            "branch_id": branches[code] or 0,
            "on_hand": _int(row, "on_hand", 0, 1_000_000),
            "reorder_point": _int(row, "reorder_point", 0, 1_000_000, default=0),
            "max_level": _int(row, "max_level", 0, 1_000_000, default=0),
        }

    parsed = _validate(_read(text, STOCK_COLUMNS, {"sku", "branch_code", "on_hand"}), parse)
    report = ImportReport(kind="stock", rows=len(parsed))
    existing = {(s.product_id, s.branch_id): s for s in session.exec(select(Stock)).all()}
    errors = []
    for line, values in parsed:
        stock = existing.get((values["product_id"], values["branch_id"]))
        if stock is None:
            stock = Stock(**values)
            session.add(stock)
            session.flush()
            adjust_lots(session, stock.id or 0, stock.on_hand)
            report.created += 1
            continue
        if values["on_hand"] < stock.reserved:
            errors.append(
                f"line {line}: on_hand {values['on_hand']} is below "
                f"the {stock.reserved} units reserved"
            )
            continue
        adjust_lots(session, stock.id or 0, values["on_hand"] - stock.on_hand)
        stock.on_hand, stock.reorder_point, stock.max_level = (
            values["on_hand"],
            values["reorder_point"],
            values["max_level"],
        )
        stock.updated_at = utcnow()
        session.add(stock)
        report.updated += 1
    return _finish(session, report, errors, entity="stock", actor=actor)
