"""Resolve Spanish date and time expressions ("el viernes en la tarde", "mañana a las 3")."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from adapters.llm.offline.nlu.lexicon import NUMBER_WORDS

WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
HOUR_WORDS = {word: n for word, n in NUMBER_WORDS.items() if word not in ("un", "uno") and n <= 12}
# Fixed hours for parts of the day, as the business books them.
MORNING, AFTERNOON, EVENING, NOON = time(10, 0), time(16, 0), time(19, 0), time(12, 0)

# "desde el martes" and "el martes pasado" look back; only coming days are resolved.
_WEEKDAY = re.compile(
    r"(?<!desde el )(?<!desde )\b(este |el |proximo |el proximo )?("
    + "|".join(WEEKDAYS)
    + r")\b(?! pasado)"
)
_MONTH_DAY = re.compile(r"\b(\d{1,2}) de (" + "|".join(MONTHS) + r")\b")
# "el 15", "el dia 15", "para el 3"; not "con el 2" (an option) nor "el 2 de rin".
_DAY = re.compile(
    r"(?<!con )\b(?:el|al) (?:dia )?(\d{1,2})\b"
    r"(?! (?:llantas?|piezas?|de rin|rin|%|de (?:" + "|".join(MONTHS) + r")))"
)
_HOUR_WORD = "|".join(HOUR_WORDS)
_CLOCK = re.compile(
    r"\b(?:a las|a la|las|la|tipo|como a las|despues de las|antes de las)\s+"
    r"(\d{1,2}|" + _HOUR_WORD + r")(?::(\d{2}))?\s*(am|pm|hrs|horas|h)?"
    r"(?:\s+y\s+(media|cuarto))?"
    r"(?:\s+de\s+la\s+(manana|tarde|noche))?\b"
)
_BARE_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|hrs)\b|\b(\d{1,2}):(\d{2})\b")
_TOMORROW = re.compile(r"(?<!\bla )(?<!\besta )(?<!\blas )(?<!\bpasado )\bmanana\b")
_TODAY = re.compile(r"\bhoy\b|\besta (?:manana|tarde|noche)\b")
_WEEKEND = re.compile(r"(?<!buen )\bfin de semana\b")
_NEXT_WEEK = re.compile(r"\b(?:proxima semana|semana que (?:entra|viene))\b")
_MORNING = re.compile(r"\b(?:en la|por la|esta|de la) manana\b|\btemprano\b")
_AFTERNOON = re.compile(r"\b(?:en la|por la|esta|de la) tarde\b|\btardecita\b")
_EVENING = re.compile(r"\b(?:en la|por la|esta|de la) noche\b|\bnochecita\b")


def _next_day_of_month(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    if day <= today.day:
        month += 1
    for _ in range(3):
        if month > 12:
            year, month = year + 1, month - 12
        try:
            return date(year, month, day)
        except ValueError:
            month += 1
    return None


def _date_candidates(text: str, today: date) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    for match in re.finditer(r"\bpasado manana\b", text):
        found.append((match.start(), today + timedelta(days=2)))
    for match in _MONTH_DAY.finditer(text):
        try:
            day = date(today.year, MONTHS.index(match[2]) + 1, int(match[1]))
        except ValueError:
            continue
        found.append((match.start(), day if day >= today else day.replace(year=today.year + 1)))
    for match in _DAY.finditer(text):
        next_day = _next_day_of_month(today, int(match[1])) if 1 <= int(match[1]) <= 31 else None
        if next_day is not None:
            found.append((match.start(), next_day))
    found += [(m.start(), today + timedelta(days=1)) for m in _TOMORROW.finditer(text)]
    found += [(m.start(), today) for m in _TODAY.finditer(text)]
    for match in _WEEKDAY.finditer(text):
        ahead = (WEEKDAYS.index(match[2]) - today.weekday()) % 7 or 7
        found.append((match.start(), today + timedelta(days=ahead)))
    for match in _WEEKEND.finditer(text):
        found.append((match.start(), today + timedelta(days=(5 - today.weekday()) % 7 or 7)))
    for match in _NEXT_WEEK.finditer(text):
        found.append((match.start(), today + timedelta(days=7 - today.weekday())))
    return found


def _date_part(text: str, today: date) -> date | None:
    # When several days are named the last one is the wish: "hoy no puedo, mejor el lunes".
    found = _date_candidates(text, today)
    return max(found, key=lambda item: item[0])[1] if found else None


def _hour(raw: str) -> int:
    return HOUR_WORDS[raw] if raw in HOUR_WORDS else int(raw)


def _clock(hour: int, minute: int, suffix: str | None, part: str | None) -> time | None:
    if suffix == "pm" or part in ("tarde", "noche"):
        hour += 12 if hour < 12 else 0
    elif suffix == "am" or part == "manana":
        hour = 0 if hour == 12 else hour
    elif suffix not in ("hrs", "horas", "h") and 1 <= hour <= 7:
        # Nobody books a tire fitting at 3 a.m.: a bare "a las 3" is in the afternoon.
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _time_part(text: str) -> time | None:
    match = _CLOCK.search(text)
    if match and (
        match[0].startswith(("a ", "tipo", "como", "despues", "antes"))
        or match[3]
        or match[2]
        or match[5]
    ):
        minute = int(match[2]) if match[2] else {"media": 30, "cuarto": 15}.get(match[4] or "", 0)
        return _clock(_hour(match[1]), minute, match[3], match[5])
    match = _BARE_CLOCK.search(text)
    if match:
        if match[1]:
            return _clock(int(match[1]), int(match[2] or 0), match[3], None)
        return _clock(int(match[4]), int(match[5]), None, None)
    if re.search(r"\bmedio ?dia\b", text):
        return NOON
    if _AFTERNOON.search(text):
        return AFTERNOON
    if _EVENING.search(text):
        return EVENING
    if _MORNING.search(text):
        return MORNING
    return None


def resolve_when(text: str, now: datetime) -> datetime | None:
    """The moment a normalised message refers to, relative to ``now``.

    Args:
        text: normalised text (lower case, no accents).
        now: timezone-aware current time; results share its timezone.

    Returns:
        The date and time meant; a date without a time of day comes back at 00:00, a time
        without a date is the next such time (today if still ahead). None when no date or
        time is mentioned.
    """
    today = now.date()
    day = _date_part(text, today)
    clock = _time_part(text)
    if day is None and clock is None:
        return None
    if day is None and clock is not None:
        candidate = datetime.combine(today, clock, tzinfo=now.tzinfo)
        return candidate if candidate > now else candidate + timedelta(days=1)
    assert day is not None
    return datetime.combine(day, clock or time(0, 0), tzinfo=now.tzinfo)
