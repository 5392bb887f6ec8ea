"""What check_warranty returns: a verdict per tire with the reason, the terms that apply, and
what to bring to the branch."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from domain.tool_results import Result

VerdictValue = Literal["covered", "not_covered", "needs_inspection"]
CauseValue = Literal[
    "defect",
    "even_wear",
    "unclear",
    "road_hazard",
    "misuse",
    "improper_repair",
    "accident",
    "irregular_wear",
    "comfort",
    "not_tire",
]


class WarrantyTerms(Result):
    """The manufacturer terms that apply to one tire."""

    brand: str
    line: str | None = Field(description="None: bought elsewhere and the line was not given")
    months: int = Field(description="Defect warranty from the start date")
    km: int | None = Field(description="Mileage warranty of the line; 0 none; None line unknown")
    counted_from: date
    basis: Literal["folio", "ticket", "dot"] = Field(
        description="Our sale, another store's receipt, or the DOT week (no receipt)"
    )
    expires_on: date
    min_tread_mm: float
    age_limit_years: int
    proration: str = Field(description="The proration rule, in Spanish")
    store_terms: bool = Field(
        description="Our sale: our 30-day workmanship warranty too; else manufacturer terms only"
    )


class TireVerdict(Result):
    """The warranty's answer for one tire (an order line, or the DOT tire)."""

    sku: str | None
    description: str
    quantity: int
    verdict: VerdictValue
    cause: CauseValue | None = Field(description="What the problem is for the warranty")
    reason: str = Field(description="Why, in Spanish, for the customer")
    inspection_required: bool = Field(
        description="A technician must see the tire before anything is replaced"
    )
    covered_pct: int | None = Field(
        description="Share of a new tire the claim pays if it proceeds; None: measured in branch"
    )
    terms: WarrantyTerms | None = Field(description="None: a brand we do not sell")
    made_on: date | None = Field(description="Monday of the DOT manufacture week")


class WarrantyCheck(Result):
    """check_warranty's answer."""

    folio: str | None
    purchased_on: date | None
    bought_elsewhere: bool
    problem_codes: list[str] = Field(description="The problems read from the description")
    tires: list[TireVerdict]
    bring: list[str] = Field(description="What to bring to the branch (Spanish)")
    workmanship_until: date | None = Field(
        description="Our own mounting/balancing/repair work is redone free until this day"
    )
    next_step: str = Field(description="What happens next (Spanish)")
