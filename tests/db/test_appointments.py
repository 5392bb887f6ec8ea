"""Appointments in the database: capacity taken under a lock (two sessions cannot overfill a
slot), the day-before reminders in the outbox, and migration 0006 down and up."""

from __future__ import annotations

import threading
import time as clock
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.errors import Conflict
from db.engine import session_scope
from db.migrate import alembic_config
from db.repositories import appointments as repo
from db.tables import Appointment, Customer, Outbox
from domain.appointments import REMINDER_KIND, ServiceKind, local_start
from domain.clock import mexico_today

TABLES = {"service_bay", "appointment"}


def _customers(engine: Engine, n: int) -> list[int]:
    with Session(engine) as s:
        ids = s.exec(
            select(Customer.id)
            .where(Customer.phone.is_not(None), Customer.consent_notifications)
            .order_by(Customer.id)
            .limit(n)  # type: ignore[union-attr]
        ).all()
    return [i for i in ids if i is not None]


def _book(engine: Engine, customer_id: int, branch: str, service: ServiceKind, at: datetime) -> str:
    with session_scope(engine, write=True) as s:
        row = repo.book(s, customer_id=customer_id, branch=repo.branch_by_code(s, branch),
                        service=service, start=at, vehicle=None, channel="whatsapp",
                        session_id=None, actor="test")  # fmt: skip
        assert row.number is not None
        return row.number


def _slot(days: int = 5, at: time = time(10, 30)) -> datetime:
    day = mexico_today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return local_start(day, at)


def test_a_second_session_waits_for_the_first_and_then_finds_the_slot_full(
    engine: Engine,
) -> None:
    """GDL has one alignment bay: the first session holds the bay row until it commits; the
    second blocks on it, then counts the committed booking and is refused."""
    first_id, second_id = _customers(engine, 2)
    start = _slot()
    booked = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with session_scope(engine, write=True) as s:
            repo.book(s, customer_id=first_id, branch=repo.branch_by_code(s, "GDL"),
                      service=ServiceKind.ALIGNMENT, start=start, vehicle=None,
                      channel="web", session_id=None, actor="test:1")  # fmt: skip
            booked.set()
            release.wait(10)

    def second() -> None:
        booked.wait(10)
        try:
            outcome["number"] = _book(engine, second_id, "GDL", ServiceKind.ALIGNMENT, start)
        except Conflict as exc:
            outcome["conflict"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    booked.wait(10)
    clock.sleep(0.5)
    assert not outcome, "the second booking must wait for the first to commit"
    release.set()
    for t in threads:
        t.join(20)
    assert isinstance(outcome.get("conflict"), Conflict)
    assert outcome["conflict"].field == "starts_at"  # type: ignore[attr-defined]
    with Session(engine) as s:
        assert len(s.exec(select(Appointment)).all()) == 1


def test_many_concurrent_bookings_fill_a_slot_exactly_to_its_bays(engine: Engine) -> None:
    """CDMX has two alignment bays: of six customers racing for one slot, two get it."""
    customers = _customers(engine, 6)
    start = _slot(6, time(9, 30))
    gate = threading.Barrier(len(customers))
    won: list[str] = []
    lost: list[Conflict] = []

    def race(customer_id: int) -> None:
        gate.wait(10)
        try:
            won.append(_book(engine, customer_id, "CDMX", ServiceKind.ALIGNMENT, start))
        except Conflict as exc:
            lost.append(exc)

    threads = [threading.Thread(target=race, args=(c,)) for c in customers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(won) == 2 and len(lost) == 4
    with Session(engine) as s:
        branch = repo.branch_by_code(s, "CDMX")
        assert branch.id is not None
        taken = repo.booked_by_start(s, branch.id, ServiceKind.ALIGNMENT, [start])
    assert list(taken.values()) == [2]


def test_reminders_are_written_once_for_tomorrows_booked_appointments(engine: Engine) -> None:
    a, b, c = _customers(engine, 3)
    tomorrow = mexico_today() + timedelta(days=1)
    at_ten = local_start(tomorrow, time(10))
    first = _book(engine, a, "CDMX", ServiceKind.BALANCING, at_ten)
    second = _book(engine, b, "MTY", ServiceKind.ROTATION, local_start(tomorrow, time(12)))
    later = _book(
        engine,
        c,
        "CDMX",
        ServiceKind.BALANCING,
        local_start(tomorrow + timedelta(days=1), time(10)),
    )
    gone = _book(engine, c, "GDL", ServiceKind.BALANCING, at_ten)
    with session_scope(engine, write=True) as s:
        row = s.exec(select(Appointment).where(Appointment.number == gone)).one()
        repo.cancel(s, row, actor="test")
        opted_out = s.get(Customer, b)
        assert opted_out is not None
        opted_out.consent_notifications = False
        s.add(opted_out)

    with session_scope(engine, write=True) as s:
        ids = repo.queue_reminders(s, tomorrow, actor="test")
    with session_scope(engine, write=True) as s:
        assert repo.queue_reminders(s, tomorrow, actor="test") == []  # idempotent
    with Session(engine) as s:
        rows = [s.get(Outbox, i) for i in ids]
        phones = {cid: s.get(Customer, cid).phone for cid in (a, b)}  # type: ignore[union-attr]
    assert [r.kind for r in rows if r] == [REMINDER_KIND] * 2
    by_customer = {r.customer_id: r for r in rows if r}
    assert set(by_customer) == {a, b}
    mine = by_customer[a]
    assert mine.channel == "whatsapp" and mine.to == phones[a] and mine.status == "queued"
    assert (
        first in (mine.body or "")
        and "mañana" in (mine.body or "")
        and "10:00" in (mine.body or "")
    )
    assert "balanceo" in (mine.body or "") and "TopLlantas Insurgentes" in (mine.body or "")
    assert by_customer[b].status == "blocked" and second in (by_customer[b].body or "")
    with Session(engine) as s:
        pending = s.exec(select(Appointment).where(Appointment.number == later)).one()
    assert pending.reminder_outbox_id is None


def test_a_moved_appointment_is_reminded_again_for_its_new_day(engine: Engine) -> None:
    (a,) = _customers(engine, 1)
    tomorrow = mexico_today() + timedelta(days=1)
    number = _book(engine, a, "CDMX", ServiceKind.ROTATION, local_start(tomorrow, time(9)))
    with session_scope(engine, write=True) as s:
        assert len(repo.queue_reminders(s, tomorrow, actor="test")) == 1
        row = s.exec(select(Appointment).where(Appointment.number == number)).one()
        repo.move(
            s, row, branch=repo.branch_by_code(s, "CDMX"), start=_slot(4, time(11)), actor="test"
        )
        assert row.reminder_outbox_id is None


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0006_downgrades_and_upgrades_on_a_database_with_data(engine: Engine) -> None:
    def tables() -> set[str]:
        return set(sa.inspect(engine).get_table_names())

    assert tables() >= TABLES
    with engine.connect() as c:
        orders_before = c.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    _to(engine, "0005", down=True)
    assert not TABLES & tables() and "support_case" in tables()
    _to(engine, "head")
    assert tables() >= TABLES
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM orders")).scalar_one() == orders_before
        assert c.execute(sa.text("SELECT count(*) FROM service_bay")).scalar_one() == 0


def test_the_demo_seeds_bays_for_every_service_at_every_branch(engine: Engine) -> None:
    with Session(engine) as s:
        for code in ("CDMX", "GDL", "MTY"):
            branch = repo.branch_by_code(s, code)
            assert branch.id is not None
            assert all(repo.bays(s, branch.id, service) >= 1 for service in ServiceKind)
        assert [b.code for b in repo.branches_offering(s, ServiceKind.ALIGNMENT)] == [
            "CDMX",
            "GDL",
            "MTY",
        ]
