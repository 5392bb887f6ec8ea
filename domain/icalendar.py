"""iCalendar (RFC 5545) text for a branch's booking feed: CRLF lines, escaped text, lines
folded at 75 octets, instants in UTC (``Z``) so no VTIMEZONE block is needed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.clock import as_utc

PRODID = "-//TopLlantas//Citas de servicio//ES"
LINE_OCTETS = 75


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT: a booking as staff calendars show it."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE, CANCELLED
    sequence: int = 0  # bumped on every change, so clients take the new version
    last_modified: datetime | None = None


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def utc_stamp(at: datetime) -> str:
    """``20261201T163000Z``."""
    return as_utc(at).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into CRLF + space continuations of at most 75 octets each, never
    inside a UTF-8 character (RFC 5545 §3.1)."""
    out: list[str] = []
    current, size = "", 0
    limit = LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            out.append(current)
            current, size = " ", 1  # the continuation's leading space counts
        current += char
        size += octets
    out.append(current)
    return "\r\n".join(out)


def _event_lines(event: CalendarEvent, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape(event.summary)}",
        f"STATUS:{event.status}",
        f"SEQUENCE:{event.sequence}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{utc_stamp(event.last_modified)}")
    lines.append("END:VEVENT")
    return lines


def calendar(name: str, events: Iterable[CalendarEvent], *, stamp: datetime) -> str:
    """A VCALENDAR with the events; ``stamp`` (when the feed was made) is every DTSTAMP."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:America/Mexico_City",
        "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
        "X-PUBLISHED-TTL:PT15M",
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
