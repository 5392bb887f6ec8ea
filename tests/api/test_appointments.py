"""Staff appointment routes and the branch iCalendar feed over HTTP: a good signature gives
valid RFC 5545 text, a bad or missing one 403."""

from __future__ import annotations

from datetime import time as wall
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from db.engine import session_scope
from db.repositories import appointments as repo
from db.tables import Customer
from domain.appointments import ServiceKind, local_start
from domain.clock import mexico_today
from domain.enums import Role
from domain.icalendar import fold
from tests.conftest import bearer


def _book(engine: Engine, branch: str = "CDMX") -> tuple[str, str]:
    day = mexico_today() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with session_scope(engine, write=True) as s:
        customer = s.exec(select(Customer).order_by(col(Customer.id))).first()
        assert customer is not None and customer.id is not None
        row = repo.book(s, customer_id=customer.id, branch=repo.branch_by_code(s, branch),
                        service=ServiceKind.ALIGNMENT, start=local_start(day, wall(10, 30)),
                        vehicle="Jetta 2020; rin 16, gris", channel="whatsapp", session_id=None,
                        actor="test")  # fmt: skip
        assert row.number is not None
        return row.number, day.isoformat()


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_signed_feed_is_rfc5545_and_a_bad_signature_is_403(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    number, _ = _book(engine)
    got = client.get("/api/v1/calendar/cdmx/url", headers=bearer(keys[Role.STAFF]))
    assert got.status_code == 200, got.text
    url = urlsplit(got.json()["url"])
    assert url.path == "/calendar/CDMX.ics" and url.query.startswith("sig=")

    feed = client.get(f"{url.path}?{url.query}")
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    raw = feed.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = _unfold(feed.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    event = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT") + 1]
    props = {line.split(":", 1)[0]: line.split(":", 1)[1] for line in event}
    assert props["UID"] == f"{number}@topllantas"
    assert props["DTSTART"].endswith("Z") and props["DTSTART"][9:13] == "1630"  # 10:30 CDMX
    assert props["DTEND"][9:13] == "1730" and props["DTSTAMP"].endswith("Z")
    assert props["STATUS"] == "CONFIRMED" and "Alineación" in props["SUMMARY"]
    assert "Vehículo: Jetta 2020\\; rin 16\\, gris" in props["DESCRIPTION"]

    for bad in ("", "?sig=" + "0" * 64, "?sig=nothex"):
        assert client.get(f"{url.path}{bad}").status_code == 403
    other = urlsplit(
        client.get("/api/v1/calendar/GDL/url", headers=bearer(keys[Role.STAFF])).json()["url"]
    )
    assert client.get(f"{url.path}?{other.query}").status_code == 403  # GDL's key, CDMX's feed
    assert client.get(f"{other.path}?{other.query}").status_code == 200


def test_staff_list_a_branch_day_and_other_roles_are_refused(
    client: TestClient, engine: Engine, keys: dict[Role, str]
) -> None:
    number, day = _book(engine, "MTY")
    got = client.get(
        "/api/v1/appointments",
        params={"branch": "MTY", "day": day},
        headers=bearer(keys[Role.STAFF]),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["branch"]["code"] == "MTY" and body["bays"]["alignment"] == 1
    assert [(b["number"], b["time"], b["status"]) for b in body["bookings"]] == [
        (number, "10:30", "booked")
    ]
    assert body["bookings"][0]["customer_name"]
    for role in (Role.EVALUATOR, Role.INTEGRATION):
        assert client.get("/api/v1/calendar/MTY/url", headers=bearer(keys[role])).status_code == 403
    assert client.get("/api/v1/calendar/MTY/url").status_code == 401
    assert (
        client.get("/api/v1/appointments?branch=XXX", headers=bearer(keys[Role.STAFF])).status_code
        == 404
    )


def test_folding_never_splits_a_character_and_keeps_lines_to_75_octets() -> None:
    line = "DESCRIPTION:" + "ñandú " * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts) and len(parts) > 3
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line
