"""Turn vocabulary matches into a vehicle, tire brands and lines and branch codes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.llm.offline.nlu.types import VehicleMention
from adapters.llm.offline.nlu.vocabulary import Match

_YEAR = re.compile(r"^(19[89]\d|20\d\d)$")
_SHORT_YEAR = re.compile(r"^'?(\d{2})$")
_YEAR_WORDS = frozenset({"modelo", "ano", "anio", "mod", "del", "version"})
# A number after these words is money or a count, never a model year.
_NOT_YEAR_BEFORE = frozenset(
    {"$", "menos", "hasta", "maximo", "tope", "presupuesto", "pedido", "folio", "tl", "las", "son"}
)
_PRICE_WORDS = frozenset(
    {
        "menos",
        "mas",
        "abajo",
        "debajo",
        "tope",
        "presupuesto",
        "limite",
        "mayor",
        "menor",
        "arriba",
        "pedido",
        "folio",
    }
)
_NOT_YEAR_AFTER = frozenset({"pesos", "varos", "mxn", "mil", "km", "kilometros", "llantas"})


@dataclass(frozen=True, slots=True)
class Mentions:
    """Named things found in one message, with the token spans they cover."""

    vehicle: VehicleMention | None
    others: tuple[VehicleMention, ...]  # further vehicles named with their year ("y la crv 2019")
    brands: tuple[str, ...]
    lines: tuple[tuple[str, str], ...]
    branches: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]


def _year(tokens: Sequence[str], i: int, max_year: int, *, short_ok: bool) -> int | None:
    if not 0 <= i < len(tokens):
        return None
    token = tokens[i]
    if _YEAR.match(token) and 1980 <= int(token) <= max_year:
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        two_before = tokens[i - 2] if i > 1 else ""
        if (
            before in _NOT_YEAR_BEFORE
            or after in _NOT_YEAR_AFTER
            or (before == "de" and two_before in _PRICE_WORDS)
        ):
            return None
        return int(token)
    short = _SHORT_YEAR.match(token)
    if short and short_ok:
        value = int(short[1])
        return 2000 + value if 2000 + value <= max_year else 1900 + value
    return None


def _find_year(
    tokens: Sequence[str], after: int | None, used: set[int], max_year: int
) -> tuple[int, int] | None:
    # Right after the model ("jetta 2020", "vocho 98"), then after "modelo"/"año", then
    # any free-standing 4-digit year when a vehicle was named.
    if after is not None and after not in used:
        found = _year(tokens, after, max_year, short_ok=True)
        if found:
            return found, after
        if after < len(tokens) and tokens[after] in _YEAR_WORDS:
            found = _year(tokens, after + 1, max_year, short_ok=True)
            if found:
                return found, after + 1
    for i, token in enumerate(tokens):
        if i in used:
            continue
        if token in _YEAR_WORDS:
            found = _year(tokens, i + 1, max_year, short_ok=token != "del")
            if found:
                return found, i + 1
    if after is not None:
        for i in range(len(tokens)):
            found = None if i in used else _year(tokens, i, max_year, short_ok=False)
            if found:
                return found, i
    return None


def resolve(tokens: Sequence[str], matches: Sequence[Match], max_year: int) -> Mentions:
    """Settle which matches count and build the mentions.

    Args:
        tokens: the normalised words that were scanned.
        matches: what :meth:`Vocabulary.scan` found.
        max_year: the newest plausible model year (next year).

    Returns:
        The vehicle (first model named, its make implied), brands and lines in text order
        (a line's brand counts as named), branch codes and the spans used.
    """
    makes = [m for m in matches if m.entry.kind == "make"]
    brand_names = {m.entry.name for m in matches if m.entry.kind == "brand"}
    make_names = {m.entry.name for m in makes}
    spans: list[tuple[int, int, str]] = []
    model: Match | None = None
    lines: list[tuple[str, str]] = []
    brands: list[str] = []
    branches: list[str] = []
    for m in matches:
        entry = m.entry
        if entry.kind == "model" and model is None:
            next_is_year = _year(tokens, m.end, max_year, short_ok=False) is not None or (
                m.end < len(tokens) and tokens[m.end] in _YEAR_WORDS
            )
            tire_line_here = any(
                o.start == m.start and o.entry.kind == "line" and o.entry.name in brand_names
                for o in matches
            )
            if (not entry.context or entry.make in make_names or next_is_year) and not (
                tire_line_here and entry.make not in make_names
            ):
                model = m
                spans.append((m.start, m.end, "vehiculo"))
        elif entry.kind == "line" and (not entry.context or entry.name in brand_names):
            lines += [pair for pair in entry.lines if pair not in lines]
            brands += [entry.name] if entry.name not in brands else []
            spans.append((m.start, m.end, "linea"))
        elif entry.kind == "brand":
            brands += [entry.name] if entry.name not in brands else []
            spans.append((m.start, m.end, "marca"))
        elif entry.kind == "branch" and entry.name not in branches:
            branches.append(entry.name)
            spans.append((m.start, m.end, "sucursal"))
        elif entry.kind == "make":
            spans.append((m.start, m.end, "vehiculo"))
    make = model.entry.make if model else (makes[0].entry.name if makes else None)
    anchor = model.end if model else (makes[0].end if makes else None)
    used = {i for s, e, _ in spans for i in range(s, e)}
    year_at = _find_year(tokens, anchor, used, max_year)
    vehicle = None
    if make or model or year_at:
        if year_at:
            spans.append((year_at[1], year_at[1] + 1, "anio"))
        vehicle = VehicleMention(
            make=make,
            model=model.entry.name if model else None,
            year=year_at[0] if year_at else None,
        )
    others: list[VehicleMention] = []
    for m in matches:
        if m.entry.kind != "model" or m is model or (model and m.entry.name == model.entry.name):
            continue
        year = _year(tokens, m.end, max_year, short_ok=True)
        if year is not None:
            others.append(VehicleMention(make=m.entry.make, model=m.entry.name, year=year))
    return Mentions(
        vehicle=vehicle,
        others=tuple(others),
        brands=tuple(brands),
        lines=tuple(lines),
        branches=tuple(branches),
        spans=tuple(sorted(set(spans))),
    )
