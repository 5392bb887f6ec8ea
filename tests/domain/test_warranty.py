"""The written warranty policy as pure rules: what a problem is for the warranty, the dates it
counts, and one tire's verdict."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from domain.warranty import (
    Assessment,
    Basis,
    Claim,
    Terms,
    Verdict,
    add_months,
    assess,
    dot_week,
)
from domain.warranty_causes import RULES, Cause, ProblemCode, deciding, problem_codes

TODAY = date(2026, 11, 29)
MICHELIN = Terms("Michelin", "Primacy 4+", 60, 70_000, "auto")
HANKOOK = Terms("Hankook", "Kinergy EX", 48, 0, "auto")


def verdict(
    terms: Terms = MICHELIN,
    start: date = date(2026, 1, 10),
    *,
    codes: tuple[str, ...] = (),
    made: date | None = None,
    km_driven: int | None = None,
    tread_mm: float | None = None,
) -> Assessment:
    claim = Claim(terms, start, Basis.FOLIO, made, codes, km_driven, tread_mm)
    return assess(claim, TODAY)


def test_every_problem_code_the_tool_accepts_has_a_rule() -> None:
    assert set(get_args(ProblemCode)) == set(RULES)


@pytest.mark.parametrize(
    ("text", "code", "cause"),
    [
        ("la banda se está separando", "separation", Cause.DEFECT),
        ("le salió un chipote", "bulge", Cause.UNCLEAR),
        ("le salió un chipote después de un bache", "impact", Cause.ROAD_HAZARD),
        ("le salió un chipote y no le pegué a ningún bache", "bulge", Cause.UNCLEAR),
        ("tiene un clavo", "puncture", Cause.ROAD_HAZARD),
        ("se están comiendo de la orilla", "uneven_wear", Cause.IRREGULAR_WEAR),
        ("se gastó parejo y ya no tiene dibujo", "even_wear", Cause.EVEN_WEAR),
        ("rodé desinflada como 5 km y se separó la banda", "low_pressure", Cause.MISUSE),
        (
            "le pusieron un tapón por fuera y ahora pierde aire",
            "improper_repair",
            Cause.IMPROPER_REPAIR,
        ),
        ("hace un zumbido en carretera", "noise", Cause.COMFORT),
    ],
)
def test_a_lay_description_decides_by_the_policy(text: str, code: str, cause: Cause) -> None:
    found = deciding(problem_codes(text))
    assert found == code
    assert RULES[found].cause == cause


def test_dates_clamp_to_short_months_and_dot_reads_the_last_four_digits() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 60) == date(2029, 2, 28)
    assert dot_week("DOT U2LL LMLR 2318", today=TODAY) == date(2018, 6, 4)
    assert dot_week("5325", today=TODAY) == date.fromisocalendar(2025, 52, 1)  # 2025: 52 weeks
    assert dot_week("0127", today=TODAY) is None  # the future
    assert dot_week("6020", today=TODAY) is None  # no week 60
    assert dot_week("ABCD", today=TODAY) is None


def test_a_defect_after_a_year_is_prorated_by_the_tread_left() -> None:
    early = verdict(codes=("separation",))
    assert early.verdict == Verdict.COVERED and early.covered_pct == 100
    late = verdict(start=date(2024, 6, 1), codes=("separation",), tread_mm=7.6)
    assert late.verdict == Verdict.COVERED and late.covered_pct == 75  # 6 of 8 useful mm
    unknown = verdict(start=date(2024, 6, 1), codes=("separation",))
    assert unknown.covered_pct is None and unknown.inspection


def test_at_the_wear_bar_or_past_ten_years_nothing_is_covered() -> None:
    worn = verdict(codes=("separation",), tread_mm=1.6)
    assert worn.verdict == Verdict.NOT_COVERED and "1.6 mm" in worn.reason
    old = verdict(codes=("separation",), made=date(2016, 11, 21))
    assert old.verdict == Verdict.NOT_COVERED and "10 años" in old.reason
    expired = verdict(start=date(2021, 11, 28), codes=("separation",))
    assert expired.verdict == Verdict.NOT_COVERED and expired.expires == date(2026, 11, 28)
    assert verdict(start=date(2021, 11, 29), codes=("separation",)).verdict == Verdict.COVERED


def test_even_wear_needs_a_lines_mileage_warranty_and_fewer_km() -> None:
    covered = verdict(codes=("even_wear",), km_driven=52_500)
    assert covered.verdict == Verdict.COVERED and covered.covered_pct == 25
    past = verdict(codes=("even_wear",), km_driven=71_000)
    assert past.verdict == Verdict.NOT_COVERED and "70,000 km" in past.reason
    none = verdict(HANKOOK, codes=("even_wear",), km_driven=10_000)
    assert none.verdict == Verdict.NOT_COVERED and "kilometraje" in none.reason
    ask = verdict(codes=("even_wear",))
    assert ask.verdict == Verdict.NEEDS_INSPECTION and "kilómetros" in ask.reason


def test_an_exclusion_beats_a_defect_and_a_line_without_months_goes_to_the_technician() -> None:
    assert verdict(codes=("separation", "low_pressure")).verdict == Verdict.NOT_COVERED
    blank = verdict(Terms("Nexen", None, 0, None), codes=("separation",))
    assert blank.verdict == Verdict.NEEDS_INSPECTION
