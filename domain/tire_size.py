"""Tire size parsing and normalisation for every way customers and catalogues write a size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.errors import InvalidRequest

SPEED_RATINGS = frozenset("LMNPQRSTUHVWYZ")
PREFIXES = ("LT", "ST", "P", "T")

# Metric: optional prefix, width, aspect, construction, rim, optional commercial "C",
# optional service description (load index, optionally dual "/", and speed rating).
_METRIC = re.compile(
    r"""^(?P<prefix>LT|ST|P|T)?\s*
        (?P<width>\d{3})\s*[/\s\-]?\s*
        (?P<aspect>\d{2})\s*[/\s\-]?\s*
        (?P<construction>ZR|R|D|B)?\s*[/\s\-]?\s*
        (?P<rim>\d{2}(?:\.5)?)
        (?P<commercial>C)?
        (?:\s*(?P<load>\d{2,3})(?:/\d{2,3})?\s*(?P<speed>[A-Z])?)?
        \s*(?:RF|RFT|RUNFLAT|XL|SL|M\+S|MS)?\s*$""",
    re.VERBOSE,
)
# Flotation (light truck): 31x10.50R15, 33X12.50-R20, 35x12.5R17 LT.
_FLOTATION = re.compile(
    r"""^(?P<diameter>\d{2}(?:\.\d)?)\s*[xX]\s*(?P<width>\d{1,2}(?:\.\d{1,2})?)\s*
        [/\s\-]?\s*(?P<construction>R|D|B)?\s*[\-]?\s*(?P<rim>\d{2})
        (?:\s*LT)?(?:\s*(?P<load>\d{2,3})(?:/\d{2,3})?\s*(?P<speed>[A-Z])?)?\s*$""",
    re.VERBOSE,
)
_EXAMPLE = "use a size like 205/55R16, LT265/70R17 or 31x10.50R15"


@dataclass(frozen=True, slots=True)
class TireSize:
    """A normalised tire size.

    Metric sizes keep width in mm and aspect in percent; flotation sizes keep the overall
    diameter and section width in inches (``width`` then holds the width in mm, rounded, so that
    both systems can be compared).
    """

    width: int
    aspect: int | None
    construction: str
    rim: int
    prefix: str = ""
    flotation_diameter: str | None = None
    flotation_width: str | None = None
    commercial: bool = False
    load_index: int | None = None
    speed_rating: str | None = None

    @property
    def is_flotation(self) -> bool:
        """True for sizes written as diameter x width (31x10.50R15)."""
        return self.flotation_diameter is not None

    @property
    def canonical(self) -> str:
        """The catalogue key: ``205/55R16``, ``LT265/70R17``, ``195/65R16C``, ``31x10.50R15``.

        The P prefix and the service description are dropped: a P205/55R16 fits where a
        205/55R16 fits, while LT and C tires are different products.
        """
        if self.flotation_diameter is not None:
            return f"{self.flotation_diameter}x{self.flotation_width}{self.construction}{self.rim}"
        prefix = self.prefix if self.prefix in ("LT", "ST", "T") else ""
        suffix = "C" if self.commercial else ""
        return f"{prefix}{self.width}/{self.aspect}{self.construction}{self.rim}{suffix}"

    def product_columns(self) -> dict[str, Any]:
        """The size columns of a product row (search matches on width/aspect/rim)."""
        return {
            "size": self.canonical,
            "width": self.width,
            "aspect": self.aspect,
            "construction": self.construction,
            "rim": self.rim,
            "size_prefix": "LT" if self.prefix == "LT" else "",
        }

    def __str__(self) -> str:
        service = ""
        if self.load_index is not None:
            service = f" {self.load_index}{self.speed_rating or ''}"
        return self.canonical + service


def _fail(raw: str, reason: str) -> InvalidRequest:
    return InvalidRequest(f"'{raw}' is not a valid tire size: {reason}; {_EXAMPLE}", field="size")


def _check_service(raw: str, load: str | None, speed: str | None) -> tuple[int | None, str | None]:
    load_index = int(load) if load else None
    if load_index is not None and not 50 <= load_index <= 150:
        raise _fail(raw, f"load index {load_index} is outside 50-150")
    if speed is not None and speed not in SPEED_RATINGS:
        raise _fail(raw, f"speed rating '{speed}' does not exist")
    return load_index, speed


def parse_tire_size(raw: str) -> TireSize:
    """Parse a tire size written in any common format.

    Args:
        raw: the size as written: ``205/55R16``, ``205/55 R16``, ``205 55 16``, ``205/55/16``,
            ``20555r16``, ``P205/55R16 91V``, ``LT265/70R17``, ``31x10.50R15``.

    Returns:
        The normalised size.

    Raises:
        InvalidRequest: the text is not a tire size; the message says which part is wrong.
    """
    text = " ".join(raw.strip().upper().replace("\u00d7", "X").split())
    if not text:
        raise _fail(raw, "it is empty")
    if len(text) > 40:
        raise _fail(raw[:40] + "...", "it is too long")
    match = _FLOTATION.match(text)
    if match:
        return _parse_flotation(raw, match)
    match = _METRIC.match(text)
    if not match:
        raise _fail(raw, "expected width/aspect and rim")
    width, aspect = int(match["width"]), int(match["aspect"])
    rim_text = match["rim"]
    if not 125 <= width <= 395:
        raise _fail(raw, f"width {width} mm is outside 125-395")
    if width % 5:
        raise _fail(raw, f"width {width} mm must end in 5 (e.g. {width // 10 * 10 + 5})")
    if not 25 <= aspect <= 95 or aspect % 5:
        raise _fail(raw, f"aspect ratio {aspect} must be a multiple of 5 between 25 and 95")
    if "." in rim_text:
        raise _fail(raw, "half-inch rims such as 16.5 are not supported")
    rim = int(rim_text)
    if not 10 <= rim <= 26:
        raise _fail(raw, f"rim {rim} in is outside 10-26")
    construction = match["construction"] or "R"
    if construction == "ZR":
        construction = "R"
    load_index, speed = _check_service(raw, match["load"], match["speed"])
    return TireSize(
        width=width,
        aspect=aspect,
        construction=construction,
        rim=rim,
        prefix=match["prefix"] or "",
        commercial=bool(match["commercial"]),
        load_index=load_index,
        speed_rating=speed,
    )


def _parse_flotation(raw: str, match: re.Match[str]) -> TireSize:
    diameter, width_in, rim = float(match["diameter"]), float(match["width"]), int(match["rim"])
    if not 24 <= diameter <= 44:
        raise _fail(raw, f"overall diameter {match['diameter']} in is outside 24-44")
    if not 7 <= width_in <= 18:
        raise _fail(raw, f"section width {match['width']} in is outside 7-18")
    if not 14 <= rim <= 26:
        raise _fail(raw, f"rim {rim} in is outside 14-26")
    if diameter - width_in < rim:
        raise _fail(raw, "the overall diameter is smaller than the rim plus sidewalls")
    load_index, speed = _check_service(raw, match["load"], match["speed"])
    return TireSize(
        width=round(width_in * 25.4),
        aspect=None,
        construction=match["construction"] or "R",
        rim=rim,
        prefix="LT",
        flotation_diameter=match["diameter"].removesuffix(".0"),
        flotation_width=f"{width_in:.2f}",
        load_index=load_index,
        speed_rating=speed,
    )


def try_parse_tire_size(raw: str) -> TireSize | None:
    """Parse a size, returning None instead of raising for text that is not a size."""
    try:
        return parse_tire_size(raw)
    except InvalidRequest:
        return None


def is_light_truck(size_text: str) -> bool:
    """LT prefix, C (commercial) construction or a flotation size: a load-range tire."""
    size = parse_tire_size(size_text)
    return size.prefix == "LT" or size.commercial or size.is_flotation
