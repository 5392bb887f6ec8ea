"""Checks on the demo vehicle fitment table ``db/demo/data/fitment.csv``.

The table is hand-written from public manufacturer specifications for the Mexican market. It is
cross-checked (not copied) against an unlicensed autoevolution.com extract kept outside the repo.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.errors import InvalidRequest
from domain.tire_size import parse_tire_size

FITMENT_CSV = Path(__file__).resolve().parents[2] / "db" / "demo" / "data" / "fitment.csv"
HEADER = ["make", "model", "year_from", "year_to", "trim", "front_size", "rear_size", "notes"]
EXTRACT_NAME = "data/fitment/autoevolution_tire_sizes_2020_extract.csv"
EXTRACT_YEAR = 2020  # scrape date: an empty year_to means "still built in 2020"
MIN_NAMEPLATES = 80
MIN_OVERLAPS = 25
# Measured after fixing our genuine mistakes: 187 of 270 overlapping rows agree (69.3 %). The
# extract records one size per engine option, usually the base wheel of an EU/US spec, so most
# of the remaining disagreements are upper Mexican trims (17-20in wheels) it never lists.
MIN_AGREEMENT = 0.65


@dataclass(frozen=True, slots=True)
class Source:
    """Extract models (brand, full-match regex) that are the same car as one of our nameplates.

    ``first``/``last`` limit which of our model years the mapping applies to, for nameplates
    whose Mexican name moved between different cars (e.g. the Mexican Jetta 1999-2010 is the
    Mk4 that Europe called Bora).
    """

    brand: str
    pattern: str
    first: int = 1985
    last: int = EXTRACT_YEAR


# Our (make, model) -> extract models. Nameplates with no counterpart in the extract (Beat,
# Tsuru's successors, Chinese-built Aveo/Cavalier/Captiva, RAM 700, Kwid-era Renaults...) are
# left out on purpose.
NAME_MAP: dict[tuple[str, str], list[Source]] = {
    ("Chevrolet", "Aveo"): [Source("CHEVROLET", r"Aveo/Kalos (Sedan|5 [Dd]oors)", last=2017)],
    ("Chevrolet", "Captiva"): [Source("CHEVROLET", r"Captiva", last=2015)],
    ("Chevrolet", "S10"): [Source("CHEVROLET", r"S-10 .*", last=2004)],
    ("Chevrolet", "Silverado"): [Source("CHEVROLET", r"Silverado 1500 .*")],
    ("Chevrolet", "Spark"): [Source("CHEVROLET", r"Matiz / Spark \(M300\)|Spark|Spark / Matiz")],
    ("Dodge", "Attitude"): [
        Source("HYUNDAI", r"Accent 4 Doors", last=2018),
        Source("MITSUBISHI", r"Mirage G4", first=2019),
    ],
    ("Dodge", "Journey"): [Source("DODGE", r"Journey")],
    ("Ford", "EcoSport"): [Source("FORD", r"EcoSport|Ecosport")],
    ("Ford", "Escape"): [Source("FORD", r"Escape")],
    ("Ford", "Explorer"): [Source("FORD", r"Explorer")],
    ("Ford", "F-150"): [Source("FORD", r"F-150 .*")],
    ("Ford", "Figo"): [Source("FORD", r"Figo")],
    ("Ford", "Lobo"): [Source("FORD", r"F-150 (Super Cab|Super Crew)")],
    ("Ford", "Mustang"): [Source("FORD", r"Mustang")],
    ("Ford", "Ranger"): [Source("FORD", r"Ranger .*|Raptor Ranger", first=2013)],
    ("Honda", "Accord"): [Source("HONDA", r"Accord|Accord Sedan US")],
    ("Honda", "CR-V"): [Source("HONDA", r"CR-V|HONDA CR-V")],
    ("Honda", "Civic"): [Source("HONDA", r"Civic Sedan( US)?")],
    ("Honda", "Fit"): [Source("HONDA", r"Jazz ?/ ?Fit")],
    ("Honda", "HR-V"): [Source("HONDA", r"HR-V 5 [Dd]oors", first=2014)],
    ("Hyundai", "Accent"): [Source("HYUNDAI", r"Accent [45] Doors")],
    ("Hyundai", "Grand i10"): [Source("HYUNDAI", r"Grand i10")],
    ("Hyundai", "Tucson"): [Source("HYUNDAI", r"Tucson|ix35 / Tucson")],
    ("Isuzu", "D-Max"): [Source("ISUZU", r"D-Max Double Cab")],
    ("Jeep", "Cherokee"): [Source("JEEP", r"Cherokee", first=2014)],
    ("Jeep", "Compass"): [Source("JEEP", r"Compass")],
    ("Jeep", "Grand Cherokee"): [Source("JEEP", r"Grand Cherokee")],
    ("Jeep", "Wrangler"): [Source("JEEP", r"Wrangler( Unlimited)?( Rubicon)?")],
    ("Kia", "Forte"): [Source("KIA", r"Forte|Forte 5 Door")],
    ("Kia", "Rio"): [Source("KIA", r"Rio( Sedan| Hatchback| 5 doors)?")],
    ("Kia", "Seltos"): [Source("KIA", r"Seltos")],
    ("Kia", "Soul"): [Source("KIA", r"Soul")],
    ("Kia", "Sportage"): [Source("KIA", r"Sportage")],
    ("MG", "ZS"): [Source("MG", r"ZS", first=2017)],
    ("Mazda", "CX-3"): [Source("MAZDA", r"CX-3")],
    ("Mazda", "CX-30"): [Source("MAZDA", r"CX-30")],
    ("Mazda", "CX-5"): [Source("MAZDA", r"CX-5")],
    ("Mazda", "Mazda 2"): [Source("MAZDA", r"2|2 / Demio - sedan")],
    ("Mazda", "Mazda 3"): [Source("MAZDA", r"3 / Axela (Sedan|Hatchback)")],
    ("Mitsubishi", "L200"): [Source("MITSUBISHI", r"L ?200.*")],
    ("Mitsubishi", "Mirage"): [Source("MITSUBISHI", r"Mirage( G4)?")],
    ("Mitsubishi", "Outlander"): [Source("MITSUBISHI", r"Outlander|Outlander ?/ ?Airtrek")],
    ("Nissan", "Altima"): [Source("NISSAN", r"Altima( Sedan)?")],
    ("Nissan", "Frontier"): [Source("NISSAN", r"Frontier|Frontier/Navara .*|Navara NP300 .*")],
    ("Nissan", "Kicks"): [Source("NISSAN", r"Kicks")],
    ("Nissan", "March"): [Source("NISSAN", r"Micra( 5 Doors)?")],
    ("Nissan", "Sentra"): [Source("NISSAN", r"Sentra( SE-R)?")],
    ("Nissan", "Tsuru"): [Source("NISSAN", r"Sunny Sedan")],  # Tsuru = B13 Sunny
    ("Nissan", "Versa"): [Source("NISSAN", r"Tiida/Versa Sedan")],
    ("Nissan", "X-Trail"): [Source("NISSAN", r"X-Trail")],
    ("Peugeot", "208"): [Source("PEUGEOT", r"208 [35] doors|208 GTI")],
    ("RAM", "1500"): [Source("DODGE", r"Ram")],
    ("Renault", "Koleos"): [Source("RENAULT", r"Koleos")],
    ("Renault", "Kwid"): [Source("RENAULT", r"Kwid")],
    ("Renault", "Logan"): [Source("RENAULT", r"Logan")],
    ("Seat", "Ateca"): [Source("SEAT", r"Ateca")],
    ("Seat", "Ibiza"): [Source("SEAT", r"Ibiza (5 Doors|FR 5 Doors)")],
    ("Seat", "León"): [Source("SEAT", r"Leon( 5 doors| FR| Cupra| Cupra R)?")],
    ("Suzuki", "Ertiga"): [Source("SUZUKI", r"Ertiga")],
    ("Suzuki", "Swift"): [Source("SUZUKI", r"Swift (5 Doors|Sport)")],
    ("Suzuki", "Vitara"): [Source("SUZUKI", r"Vitara", first=2014)],
    ("Toyota", "Camry"): [Source("TOYOTA", r"Camry")],
    ("Toyota", "Corolla"): [Source("TOYOTA", r"Corolla( Sedan| US| \(US\))?")],
    ("Toyota", "Hilux"): [Source("TOYOTA", r"Hilux (Double|Extra|Single) Cab")],
    ("Toyota", "Prius"): [Source("TOYOTA", r"Prius")],
    ("Toyota", "RAV4"): [Source("TOYOTA", r"RAV4 5 Doors|Rav4")],
    ("Toyota", "Tacoma"): [Source("TOYOTA", r"Tacoma.*")],
    ("Toyota", "Yaris"): [Source("TOYOTA", r"Yaris( [35] [Dd]oors| Sedan| Hatchback| iA)")],
    ("Volkswagen", "Amarok"): [Source("VOLKSWAGEN", r"Amarok Double Cab")],
    ("Volkswagen", "Bora"): [Source("VOLKSWAGEN", r"Jetta")],  # Mexican Bora = Mk5 Jetta
    ("Volkswagen", "Golf"): [
        Source("VOLKSWAGEN", r"Golf (VI|VII|VIII) [35] Doors|Golf GTI( [35] Doors)?")
    ],
    ("Volkswagen", "Jetta"): [
        Source("VOLKSWAGEN", r"Bora", last=2010),  # Mexican Jetta A4 = European Bora
        Source("VOLKSWAGEN", r"Jetta", first=2011),
    ],
    ("Volkswagen", "Polo"): [Source("VOLKSWAGEN", r"Polo 5 Doors|Polo GTI")],
    ("Volkswagen", "T-Cross"): [Source("VOLKSWAGEN", r"T-Cross")],
    ("Volkswagen", "Tiguan"): [Source("VOLKSWAGEN", r"Tiguan( Allspace)?")],
    ("Volkswagen", "Vento"): [Source("VOLKSWAGEN", r"Vento|Polo Sedan")],
}


@dataclass(frozen=True, slots=True)
class Generation:
    brand: str
    model: str
    year_from: int
    year_to: int
    sizes: frozenset[str]


def _load_rows() -> list[dict[str, str]]:
    with FITMENT_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _load_rows()


def _years(row: dict[str, str]) -> tuple[int, int | None]:
    return int(row["year_from"]), int(row["year_to"]) if row["year_to"] else None


def _sizes(row: dict[str, str]) -> Iterator[str]:
    yield row["front_size"]
    if row["rear_size"]:
        yield row["rear_size"]


def _dimensions(raw: str) -> str | None:
    """Width/aspect/rim only: the extract drops the LT prefix and the commercial C suffix."""
    try:
        size = parse_tire_size(raw)
    except InvalidRequest:
        return None
    return f"{size.width}/{size.aspect}R{size.rim}"


def test_header_is_exact() -> None:
    with FITMENT_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER


def test_every_row_has_all_columns_and_a_make_model(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert None not in row and all(row[column] is not None for column in HEADER), row
        assert row["make"].strip() and row["model"].strip() and row["front_size"], row


def test_covers_enough_nameplates(rows: list[dict[str, str]]) -> None:
    nameplates = {(row["make"], row["model"]) for row in rows}
    assert len(nameplates) >= MIN_NAMEPLATES, len(nameplates)


def test_every_size_parses_and_is_canonical(rows: list[dict[str, str]]) -> None:
    bad = []
    for row in rows:
        for raw in _sizes(row):
            try:
                canonical = parse_tire_size(raw).canonical
            except InvalidRequest as error:
                bad.append(f"{row['make']} {row['model']} {row['year_from']}: {error}")
                continue
            if canonical != raw:
                bad.append(f"{row['make']} {row['model']} {row['year_from']}: {raw} -> {canonical}")
    assert not bad, "; ".join(bad)


def test_year_ranges_are_plausible(rows: list[dict[str, str]]) -> None:
    for row in rows:
        year_from, year_to = _years(row)
        assert 1985 <= year_from <= 2027, row
        if year_to is not None:
            assert year_from <= year_to <= 2027, row


def test_keys_are_unique(rows: list[dict[str, str]]) -> None:
    keys = [(r["make"], r["model"], r["year_from"], r["year_to"], r["trim"]) for r in rows]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, duplicates


def test_rows_are_ordered_by_make_model_year(rows: list[dict[str, str]]) -> None:
    keys = [(r["make"].casefold(), r["model"].casefold(), int(r["year_from"])) for r in rows]
    assert keys == sorted(keys)


def test_jetta_2020_base_trims_take_205_55r16(rows: list[dict[str, str]]) -> None:
    sizes = {
        row["front_size"]
        for row in rows
        if (row["make"], row["model"]) == ("Volkswagen", "Jetta")
        and _years(row)[0] <= 2020 <= (_years(row)[1] or 9999)
    }
    assert "205/55R16" in sizes, sizes
    assert len(sizes) >= 2, "the 17in trims and the GLI should have their own rows"


def _shared_dir() -> Path:
    configured = os.environ.get("TOPLLANTAS_SHARED_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def extract() -> list[Generation]:
    path = _shared_dir() / EXTRACT_NAME
    if not path.exists():
        pytest.skip(f"unlicensed fitment extract not available at {path}")
    merged: dict[tuple[str, str, int, int], set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            year_from = int(record["year_from"])
            year_to = int(record["year_to"]) if record["year_to"] else EXTRACT_YEAR
            if year_to < year_from:  # known bad spans in the source, e.g. 1992-1944
                continue
            raw_sizes = [record["tire_size_norm"], *record["alt_sizes_norm"].split(";")]
            dims = {d for raw in raw_sizes if raw and (d := _dimensions(raw))}
            key = (record["brand"], record["model"], year_from, year_to)
            merged.setdefault(key, set()).update(dims)
    return [
        Generation(brand, model, start, end, frozenset(sizes))
        for (brand, model, start, end), sizes in merged.items()
        if sizes
    ]


def _extract_sizes(row: dict[str, str], generations: list[Generation]) -> set[str] | None:
    """All sizes the extract lists for this row's car over overlapping years (None: no overlap)."""
    sources = NAME_MAP.get((row["make"], row["model"]), [])
    year_from, year_to = _years(row)
    found: set[str] | None = None
    for source in sources:
        start = max(year_from, source.first)
        end = min(year_to if year_to is not None else EXTRACT_YEAR, source.last, EXTRACT_YEAR)
        if start > end:
            continue
        pattern = re.compile(source.pattern)
        for gen in generations:
            if (
                gen.brand == source.brand
                and pattern.fullmatch(gen.model)
                and gen.year_from <= end
                and start <= gen.year_to
            ):
                found = (found or set()) | gen.sizes
    return found


def test_name_map_only_names_our_nameplates(rows: list[dict[str, str]]) -> None:
    ours = {(row["make"], row["model"]) for row in rows}
    assert set(NAME_MAP) <= ours, sorted(set(NAME_MAP) - ours)


def test_name_map_patterns_all_match_the_extract(extract: list[Generation]) -> None:
    unmatched = [
        f"{source.brand} {source.pattern}"
        for sources in NAME_MAP.values()
        for source in sources
        if not any(
            g.brand == source.brand and re.fullmatch(source.pattern, g.model) for g in extract
        )
    ]
    assert not unmatched, unmatched


def test_sizes_agree_with_the_autoevolution_extract(
    rows: list[dict[str, str]], extract: list[Generation]
) -> None:
    overlaps = 0
    disagreeing: list[str] = []
    for row in rows:
        sizes = _extract_sizes(row, extract)
        if sizes is None:
            continue
        overlaps += 1
        if _dimensions(row["front_size"]) not in sizes:
            disagreeing.append(
                f"{row['make']} {row['model']} {row['year_from']}-{row['year_to']} "
                f"{row['trim'] or '(all)'}: {row['front_size']} not in {sorted(sizes)}"
            )
    agreement = (overlaps - len(disagreeing)) / overlaps if overlaps else 0.0
    report = f"{overlaps} overlaps, agreement {agreement:.1%}; disagreeing:\n" + "\n".join(
        disagreeing
    )
    assert overlaps >= MIN_OVERLAPS, report
    assert agreement >= MIN_AGREEMENT, report
