"""Reading the latest forecast run: demand for a SKU, size, brand, category or branch over a
period, summed coherently, with an 80 % interval."""

from __future__ import annotations

import math
from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from core.errors import InvalidRequest, NotFound
from db.repositories.replenishment import latest_run, weekly_demand
from db.tables import Branch, ForecastRow, Product
from domain.tire_size import parse_tire_size
from engines.forecasting.trends import detect_trends
from engines.replenishment.policy import Z80

GROUPS = ("total", "sku", "size", "brand", "line", "category", "branch")
_Z = Z80 / 2  # standard normal p90


class ForecastWeek(BaseModel):
    """One week of a group's forecast."""

    week: date
    mean: float
    p10: float
    p90: float


class ForecastGroup(BaseModel):
    """A group's forecast demand over the period (units)."""

    key: str
    mean: float
    p10: float
    p90: float
    weeks: list[ForecastWeek]


class ForecastAnswer(BaseModel):
    """The forecast over the asked period, per group."""

    run_id: int
    run_date: date
    first_week: date | None
    last_week: date | None
    weeks: int
    group_by: str
    groups: list[ForecastGroup]
    scope: str = Field("", description="What was forecast: SKU, size, brand, line, category")
    branch: str | None = None
    note: str = (
        "mean = suma de las medias; p10-p90 = intervalo de 80 % suponiendo semanas y "
        "series independientes (normal con la dispersión p10-p90 de cada fila)"
    )


def _interval(mean: float, var: float) -> tuple[float, float]:
    sd = math.sqrt(var)
    return max(0.0, mean - _Z * sd), mean + _Z * sd


def forecast_answer(
    session: Session,
    *,
    sku: str | None = None,
    size: str | None = None,
    brand: str | None = None,
    line: str | None = None,
    category: str | None = None,
    branch: str | None = None,
    weeks: int = 4,
    group_by: str = "total",
) -> ForecastAnswer:
    """Forecast demand of the matching SKU x branch series over the next ``weeks`` weeks of the
    latest run, grouped. ``category`` is a vehicle type (auto, suv, camioneta, comercial), a
    terrain or a tier."""
    if group_by not in GROUPS:
        raise InvalidRequest(f"group_by must be one of {', '.join(GROUPS)}", field="group_by")
    if not 1 <= weeks <= 52:
        raise InvalidRequest("weeks must be between 1 and 52", field="weeks")
    run = latest_run(session)
    if run is None:
        raise NotFound("no forecast has run yet (topllantas inventory nightly)", field="run")
    where = [col(ForecastRow.run_id) == run.id]
    if sku:
        where.append(col(Product.sku) == sku.strip().upper())
    if size:
        try:
            where.append(col(Product.size) == parse_tire_size(size).canonical)
        except ValueError as exc:
            raise InvalidRequest(str(exc), field="size") from exc
    if brand:
        where.append(sa.func.lower(col(Product.brand)) == brand.strip().lower())
    if line:
        where.append(
            sa.func.lower(col(Product.line)).contains(line.strip().lower(), autoescape=True)
        )
    if category:
        c = category.strip().lower()
        where.append(
            sa.or_(
                col(Product.vehicle_type) == c, col(Product.terrain) == c, col(Product.tier) == c
            )
        )
    if branch:
        where.append(col(Branch.code) == branch.strip().upper())
    keys = {
        "total": sa.literal_column("'total'"),
        "sku": col(Product.sku),
        "size": col(Product.size),
        "brand": col(Product.brand),
        "line": col(Product.brand) + sa.literal_column("' '") + col(Product.line),
        "category": col(Product.vehicle_type),
        "branch": col(Branch.code),
    }
    weeks_all = sorted(
        session.execute(
            sa.select(col(ForecastRow.week)).where(col(ForecastRow.run_id) == run.id).distinct()
        ).scalars()
    )
    chosen = weeks_all[:weeks]
    if chosen:
        where.append(col(ForecastRow.week).in_(chosen))
    spread = (col(ForecastRow.p90) - col(ForecastRow.p10)) / Z80
    rows = session.execute(
        sa.select(
            keys[group_by].label("key"),
            col(ForecastRow.week),
            sa.func.sum(col(ForecastRow.mean)),
            sa.func.sum(spread * spread),
        )
        .select_from(ForecastRow)
        .join(Product, col(Product.id) == ForecastRow.product_id)
        .join(Branch, col(Branch.id) == ForecastRow.branch_id)
        .where(*where)
        .group_by(sa.literal_column("key"), col(ForecastRow.week))
        .order_by(sa.literal_column("key"), col(ForecastRow.week))
    ).all()
    acc: dict[str, list[tuple[date, float, float]]] = {}
    for key, week, mean, var in rows:
        acc.setdefault(str(key), []).append((week, float(mean or 0), float(var or 0)))
    groups = []
    for key, items in acc.items():
        mean = sum(m for _, m, _ in items)
        lo, hi = _interval(mean, sum(v for _, _, v in items))
        groups.append(
            ForecastGroup(
                key=key,
                mean=round(mean, 1),
                p10=round(lo, 1),
                p90=round(hi, 1),
                weeks=[
                    ForecastWeek(week=w, mean=round(m, 2), **_round(_interval(m, v)))
                    for w, m, v in items
                ],
            )
        )
    groups.sort(key=lambda g: (-g.mean, g.key))
    size_name = parse_tire_size(size).canonical if size else None
    named = (sku and sku.strip().upper(), size_name, brand and brand.strip(), line and line.strip(),
             category and category.strip().lower())  # fmt: skip
    return ForecastAnswer(
        run_id=run.id or 0,
        run_date=run.run_date,
        first_week=chosen[0] if chosen else None,
        last_week=chosen[-1] if chosen else None,
        weeks=len(chosen),
        group_by=group_by,
        groups=groups,
        scope=" ".join(n for n in named if n),
        branch=branch.strip().upper() if branch else None,
    )


def _round(pair: tuple[float, float]) -> dict[str, float]:
    return {"p10": round(pair[0], 2), "p90": round(pair[1], 2)}


class TrendRow(BaseModel):
    """A group's recent sales against the same weeks a year earlier."""

    key: str
    recent: float
    year_ago: float
    change_pct: float | None
    trend: str


TREND_GROUPS = ("sku", "size", "brand", "line", "category")


def trending(
    session: Session,
    *,
    today: date,
    group_by: str = "line",
    window_weeks: int = 8,
    branch: str | None = None,
) -> list[TrendRow]:
    """Growth / decline per group: the last ``window_weeks`` weeks of sales against the same
    weeks one year earlier (engines.forecasting.trends: seasonality-proof, a Poisson test
    decides what is not chance). Needs 52 + window weeks of history."""
    if group_by not in TREND_GROUPS:
        raise InvalidRequest(f"group_by must be one of {', '.join(TREND_GROUPS)}", field="group_by")
    if not 1 <= window_weeks <= 26:
        raise InvalidRequest("window_weeks must be between 1 and 26", field="window_weeks")
    frame = weekly_demand(session, today=today, weeks=52 + window_weeks)
    if frame.empty:
        return []
    products = {p.id: p for p in session.exec(select(Product)).all()}
    codes = {b.id: b.code for b in session.exec(select(Branch)).all()}
    ids = frame["unique_id"].str.split(":", expand=True).astype(int)
    frame = frame.assign(product_id=ids[0], branch_id=ids[1])
    if branch:
        wanted = branch.strip().upper()
        frame = frame[frame["branch_id"].map(codes) == wanted]

    def key_of(p: Product) -> str:
        if group_by == "sku":
            return p.sku
        if group_by == "size":
            return p.size
        if group_by == "brand":
            return p.brand
        return f"{p.brand} {p.line}" if group_by == "line" else p.vehicle_type

    frame = frame.assign(unique_id=frame["product_id"].map(lambda i: key_of(products[i])))
    grouped = frame.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    if grouped.empty:
        return []
    found = detect_trends(grouped, freq="W", window=window_weeks)
    return [
        TrendRow(
            key=str(r.unique_id),
            recent=float(r.recent) if r.recent == r.recent else 0.0,
            year_ago=float(r.year_ago) if r.year_ago == r.year_ago else 0.0,
            change_pct=None if r.change != r.change else round(100 * float(r.change), 1),
            trend=str(r.trend),
        )
        for r in found.itertuples(index=False)
    ]
