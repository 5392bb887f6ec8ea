"""The written warranty policy (knowledge_base/content/garantia.md) as data and pure functions:
its figures (age limit, wear bar, proration) and one tire's verdict against its brand's terms
on a given day. No I/O: the tool brings the terms and dates; domain.warranty_causes reads what
a problem is for the warranty."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.spanish import day_month
from domain.text import fold_words
from domain.warranty_causes import EXCLUDED, NO_PROBLEM_REASON, RULES, Cause, deciding

# --- the policy's figures --------------------------------------------------------------------

AGE_LIMIT_YEARS = 10  # "llantas con más de diez años de fabricación" are never covered
MIN_TREAD_MM = 1.6  # the legal wear bar: below it the warranty is over
FULL_REPLACEMENT_MONTHS = 12  # a defect this early: a whole new tire ("los primeros 12 meses")
FULL_REPLACEMENT_WEAR_MM = 1.6  # ...or within the first 2/32" of wear
WORKMANSHIP_DAYS = 30  # our own work (mounting, balancing, repairs) is redone free this long
# Useful tread of a new tire (above the 1.6 mm bar) by vehicle type, for proration. The guide
# gives 8 mm only as an example; light trucks and vans carry deeper tread.
NEW_USEFUL_TREAD_MM: dict[str, float] = {
    "auto": 8.0,
    "suv": 8.0,
    "camioneta": 10.0,
    "comercial": 10.0,
}
DEFAULT_USEFUL_TREAD_MM = 8.0


class Verdict(StrEnum):
    """What the warranty says about one tire."""

    COVERED = "covered"
    NOT_COVERED = "not_covered"
    NEEDS_INSPECTION = "needs_inspection"


class Basis(StrEnum):
    """Where the warranty period is counted from."""

    FOLIO = "folio"  # our sale's date
    TICKET = "ticket"  # the date on another store's receipt
    DOT = "dot"  # no receipt: the manufacture week on the sidewall


# --- dates -----------------------------------------------------------------------------------

_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def dot_week(code: str, *, today: date) -> date | None:
    """The Monday of the manufacture week of a DOT code ("DOT U2LL LMLR 2318", "2318"): its
    last four-digit group as week and year; None when there is none or it is not a date."""
    groups = _FOUR_DIGITS.findall(fold_words(code))
    if not groups:
        return None
    week, year = int(groups[-1][:2]), 2000 + int(groups[-1][2:])
    if not 1 <= week <= 53 or year > today.year:
        return None
    week = min(week, date(year, 12, 28).isocalendar().week)  # week 53 only in long years
    made = date.fromisocalendar(year, week, 1)
    return made if made <= today else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def spanish_date(day: date) -> str:
    """``20 de noviembre de 2026``."""
    return f"{day_month(day)} de {day.year}"


# --- one tire's verdict ----------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """A brand's (and line's) manufacturer terms for one tire."""

    brand: str
    line: str | None
    months: int
    km: int | None  # the line's mileage warranty; 0 none; None the line is not known
    vehicle_type: str | None = None


@dataclass(frozen=True)
class Claim:
    """What is known about one tire's warranty claim."""

    terms: Terms
    start: date  # what the period counts from
    basis: Basis
    made: date | None = None  # the DOT manufacture week
    codes: tuple[str, ...] = ()
    km_driven: int | None = None
    tread_mm: float | None = None


@dataclass(frozen=True)
class Assessment:
    """The verdict for one tire and why."""

    verdict: Verdict
    reason: str
    cause: Cause | None
    expires: date
    covered_pct: int | None  # the share of a new tire the claim would pay, when it is known
    inspection: bool  # a technician must see the tire before anything is replaced


def proration_rule(terms: Terms) -> str:
    """The proration the guide describes, with this tire's figures (Spanish)."""
    useful = useful_tread(terms)
    rule = (
        f"Reposición total si el defecto aparece en los primeros {FULL_REPLACEMENT_MONTHS} meses "
        f"o el primer {FULL_REPLACEMENT_WEAR_MM:g} mm de desgaste; después, proporcional al piso "
        f"que le queda por encima de {MIN_TREAD_MM:g} mm (nueva: {useful:g} mm útiles) y el "
        "cliente paga la parte usada más instalación y balanceo."
    )
    if terms.km:
        rule += f" Garantía de kilometraje: {terms.km:,} km; proporcional a los kilómetros que faltaban."
    return rule


def useful_tread(terms: Terms) -> float:
    """The useful tread of this tire new (mm above the 1.6 mm bar)."""
    return NEW_USEFUL_TREAD_MM.get(terms.vehicle_type or "", DEFAULT_USEFUL_TREAD_MM)


def tread_share(claim: Claim, today: date) -> int | None:
    """The percent of a new tire a defect claim pays: all of it early on, else by the tread
    left; None when the tread is not known (the technician measures it)."""
    if add_months(claim.start, FULL_REPLACEMENT_MONTHS) >= today:
        return 100
    if claim.tread_mm is None:
        return None
    useful = useful_tread(claim.terms)
    left = claim.tread_mm - MIN_TREAD_MM
    if left >= useful - FULL_REPLACEMENT_WEAR_MM:
        return 100
    return max(0, min(100, round(left / useful * 100)))


def assess(claim: Claim, today: date) -> Assessment:
    """One tire's verdict under the written policy, on ``today`` (Mexico City)."""
    terms = claim.terms
    expires = add_months(claim.start, max(terms.months, 0))

    def answer(
        verdict: Verdict, reason: str, cause: Cause | None = None, pct: int | None = None
    ) -> Assessment:
        inspection = verdict != Verdict.NOT_COVERED
        return Assessment(verdict, reason, cause, expires, pct, inspection)

    if claim.made is not None:
        limit = add_months(claim.made, AGE_LIMIT_YEARS * 12)
        if today > limit:
            return answer(
                Verdict.NOT_COVERED,
                f"La llanta se fabricó la semana del {spanish_date(claim.made)} (DOT): tiene más "
                f"de {AGE_LIMIT_YEARS} años y la garantía no cubre llantas de esa edad.",
            )
    if terms.months <= 0:
        return answer(
            Verdict.NEEDS_INSPECTION,
            f"No tenemos registrado el plazo de {terms.brand} {terms.line or ''}".rstrip()
            + ": el técnico lo confirma con el fabricante.",
        )
    if today > expires:
        since = {
            Basis.FOLIO: "la compra",
            Basis.TICKET: "la fecha del ticket",
            Basis.DOT: "la fecha de fabricación (DOT), porque no hay comprobante",
        }[claim.basis]
        return answer(
            Verdict.NOT_COVERED,
            f"La garantía de {terms.brand} es de {terms.months} meses desde {since} "
            f"({spanish_date(claim.start)}) y venció el {spanish_date(expires)}.",
        )
    if claim.tread_mm is not None and claim.tread_mm <= MIN_TREAD_MM:
        return answer(
            Verdict.NOT_COVERED,
            f"Le quedan {claim.tread_mm:g} mm de piso: con {MIN_TREAD_MM:g} mm o menos la llanta "
            "llegó al final de su vida y la garantía ya no aplica.",
        )
    code = deciding(list(claim.codes))
    if code is None:
        return answer(Verdict.NEEDS_INSPECTION, NO_PROBLEM_REASON, Cause.UNCLEAR, None)
    rule = RULES[code]
    if rule.cause in EXCLUDED:
        return answer(Verdict.NOT_COVERED, rule.reason, rule.cause)
    if rule.cause == Cause.EVEN_WEAR:
        verdict, reason, pct = _mileage(claim.terms, claim.km_driven)
        return answer(verdict, reason, rule.cause, pct)
    if rule.cause == Cause.DEFECT:
        return answer(Verdict.COVERED, rule.reason, rule.cause, tread_share(claim, today))
    return answer(Verdict.NEEDS_INSPECTION, rule.reason, rule.cause, tread_share(claim, today))


def _mileage(terms: Terms, km_driven: int | None) -> tuple[Verdict, str, int | None]:
    """The mileage warranty for a tire worn out evenly."""
    if terms.km is None:
        return (
            Verdict.NEEDS_INSPECTION,
            "El desgaste parejo sólo lo cubre la garantía de kilometraje de algunas líneas: dinos "
            "la línea (viene en el costado) para saber si la tiene.",
            None,
        )
    if terms.km == 0:
        return (
            Verdict.NOT_COVERED,
            f"Es desgaste normal y la línea {terms.line or terms.brand} no tiene garantía de "
            "kilometraje: no lo cubre la garantía.",
            None,
        )
    if km_driven is None:
        return (
            Verdict.NEEDS_INSPECTION,
            f"La línea tiene garantía de {terms.km:,} km: procede si se gastó parejo antes de esos "
            "kilómetros. Dinos cuántos kilómetros lleva la llanta.",
            None,
        )
    if km_driven >= terms.km:
        return (
            Verdict.NOT_COVERED,
            f"Lleva {km_driven:,} km y la garantía de kilometraje de la línea es de {terms.km:,} "
            "km: ya se cumplió.",
            None,
        )
    pct = round((terms.km - km_driven) / terms.km * 100)
    return (
        Verdict.COVERED,
        f"Se gastó parejo a los {km_driven:,} km, antes de los {terms.km:,} km que promete la "
        f"línea: el fabricante repone el {pct} % (con las notas de rotación y alineación).",
        pct,
    )
