"""Behaviour of the demo product catalogue."""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from db.demo.catalog import BRANDS, ProductSpec, build_catalog
from domain.tire_size import SPEED_RATINGS, parse_tire_size

FITMENT_CSV = Path(__file__).resolve().parents[2] / "db" / "demo" / "data" / "fitment.csv"
REQUIRED_BRANDS = {
    "Michelin", "Continental", "Pirelli", "Bridgestone", "Goodyear", "Firestone", "BFGoodrich",
    "Hankook", "Yokohama", "Kumho", "General Tire", "Euzkadi", "Tornel",
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> list[ProductSpec]:
    return build_catalog()


def _with_iva_pesos(spec: ProductSpec) -> float:
    return spec.price_cents * 1.16 / 100


def test_has_at_least_600_unique_skus(catalog: list[ProductSpec]) -> None:
    skus = [s.sku for s in catalog]
    assert len(skus) >= 600
    assert len(set(skus)) == len(skus)


def test_skus_are_ascii_uppercase_and_fit_the_column(catalog: list[ProductSpec]) -> None:
    for spec in catalog:
        assert spec.sku.isascii() and spec.sku == spec.sku.upper(), spec.sku
        assert len(spec.sku) <= 40 and " " not in spec.sku


def test_covers_the_brands_sold_in_mexico(catalog: list[ProductSpec]) -> None:
    brands = {s.brand for s in catalog}
    assert len(brands) >= 14
    assert brands >= REQUIRED_BRANDS
    assert set(BRANDS) == brands


def test_every_size_is_canonical(catalog: list[ProductSpec]) -> None:
    for spec in catalog:
        assert parse_tire_size(spec.size).canonical == spec.size


def test_shelf_prices_are_round_pesos_and_cost_is_60_to_80_percent_of_price(
    catalog: list[ProductSpec],
) -> None:
    from domain.pricing import with_iva

    for spec in catalog:
        assert spec.price_cents > 0 and with_iva(spec.price_cents) % 1000 == 0  # $2,890 with IVA
        assert spec.cost_cents % 100 == 0
        assert 0.6 * spec.price_cents <= spec.cost_cents <= 0.8 * spec.price_cents
        assert spec.cost_cents < spec.price_cents


def test_service_description_and_warranty_are_plausible(catalog: list[ProductSpec]) -> None:
    for spec in catalog:
        assert 75 <= spec.load_index <= 130, spec
        assert spec.speed_rating in SPEED_RATINGS
        assert spec.warranty_km >= 0 and spec.warranty_months > 0
        assert spec.popularity > 0


def test_is_deterministic_for_a_seed() -> None:
    assert build_catalog(3) == build_catalog(3)
    other = build_catalog(4)
    assert [s.sku for s in other] == [s.sku for s in build_catalog(3)]
    assert [s.price_cents for s in other] != [s.price_cents for s in build_catalog(3)]


def test_205_55r16_reference_prices(catalog: list[ProductSpec]) -> None:
    by_line = {(s.brand, s.line): s for s in catalog if s.size == "205/55R16" and not s.run_flat}
    continental = by_line[("Continental", "PremiumContact 6")]
    pirelli = by_line[("Pirelli", "Cinturato P1")]
    assert 2600 <= _with_iva_pesos(continental) <= 3200
    assert 2000 <= _with_iva_pesos(pirelli) <= 2500
    premium = [_with_iva_pesos(s) for s in by_line.values() if s.tier == "premium"]
    assert 2600 <= statistics.median(premium) <= 3200


def test_economy_13_inch_and_light_truck_price_bands(catalog: list[ProductSpec]) -> None:
    economy_13 = [
        _with_iva_pesos(s) for s in catalog if s.size == "175/70R13" and s.tier == "economy"
    ]
    assert len(economy_13) >= 3
    assert 900 <= statistics.median(economy_13) <= 1200
    assert all(800 <= p <= 1400 for p in economy_13)
    premium_at = [
        _with_iva_pesos(s)
        for s in catalog
        if s.size in ("265/70R17", "LT265/70R17")
        and s.terrain in ("all_terrain", "mud_terrain")
        and s.tier == "premium"
    ]
    assert len(premium_at) >= 4
    assert all(4500 <= p <= 7500 for p in premium_at)


def test_run_flat_skus_in_premium_performance_sizes(catalog: list[ProductSpec]) -> None:
    run_flat = defaultdict(set)
    for spec in catalog:
        if spec.run_flat:
            run_flat[spec.size].add(spec.brand)
            assert spec.tier == "premium"
    for size in ("205/55R16", "225/45R17", "225/45R18", "245/45R18"):
        assert len(run_flat[size]) >= 2, size


def test_popular_compact_sizes_outsell_the_long_tail(catalog: list[ProductSpec]) -> None:
    def mean_popularity(size: str) -> float:
        return statistics.mean(s.popularity for s in catalog if s.size == size)

    assert mean_popularity("205/55R16") > 5 * mean_popularity("255/35R19")
    assert mean_popularity("175/70R14") > 5 * mean_popularity("LT285/70R17")
    tiers = defaultdict(list)
    for spec in catalog:
        tiers[spec.tier].append(spec.popularity)
    assert statistics.mean(tiers["economy"]) > statistics.mean(tiers["premium"])


def test_every_common_size_has_economy_and_premium_options(catalog: list[ProductSpec]) -> None:
    _assert_size_coverage(
        catalog, ["175/70R13", "175/70R14", "185/65R15", "195/65R15", "205/55R16", "215/65R16",
                  "265/70R17", "195/75R16C", "LT265/70R17", "31x10.50R15"],
    )  # fmt: skip


def test_every_fitment_size_is_stocked(catalog: list[ProductSpec]) -> None:
    if not FITMENT_CSV.exists():
        pytest.skip("db/demo/data/fitment.csv is not there yet")
    sizes: list[str] = []
    with FITMENT_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sizes.extend(raw for raw in (row["front_size"], row.get("rear_size") or "") if raw)
    assert sizes
    _assert_size_coverage(catalog, sizes)


def _assert_size_coverage(catalog: list[ProductSpec], sizes: list[str]) -> None:
    tiers_by_size: dict[str, list[str]] = defaultdict(list)
    for spec in catalog:
        tiers_by_size[spec.size].append(spec.tier)
    missing = []
    for raw in sizes:
        canonical = parse_tire_size(raw).canonical
        tiers = tiers_by_size.get(canonical, [])
        if len(tiers) < 3 or "economy" not in tiers or "premium" not in tiers:
            missing.append(f"{canonical}: {sorted(tiers)}")
    assert not missing, "sizes without 3 SKUs incl. economy and premium: " + "; ".join(
        sorted(set(missing))
    )
