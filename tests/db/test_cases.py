"""Support cases in the repository, on the seeded demo database (SQLite, and PostgreSQL when
configured): one open case per customer and problem, the status machine, outbox rows."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.errors import Conflict, InvalidRequest, NotFound
from db.engine import session_scope
from db.repositories import cases as repo
from db.repositories.api_keys import create_key
from db.repositories.cases import CaseFilter, CaseOpening, Staffer
from db.repositories.technicians import save_technician, set_on_duty
from db.tables import CaseEvent, Customer, Outbox, SupportCase
from domain.cases import CasePriority, CaseStatus, NotifyChannel, ResolutionCode

ALICE = Staffer(key_prefix="aaaa1111", name="Alicia", actor="key:aaaa1111:Alicia")
BETO = Staffer(key_prefix="bbbb2222", name="Beto", actor="key:bbbb2222:Beto")


def _customer(engine: Engine, index: int = 0) -> Customer:
    with Session(engine) as s:
        found = s.exec(
            select(Customer).where(col(Customer.phone).is_not(None)).order_by(col(Customer.id))
        ).all()
    return found[index]


def _opening(customer: Customer, session_id: str = "chat-1", **kw: object) -> CaseOpening:
    values: dict[str, object] = {
        "session_id": session_id,
        "channel": "whatsapp",
        "customer_id": customer.id,
        "customer_phone": customer.phone,
        "symptoms": "le salió un chipote a la llanta",
        "problem_codes": ["bulge"],
        "transcript": ["Cliente: le salió un chipote", "TopLlantas: no la uses en carretera"],
    }
    values.update(kw)
    return CaseOpening(**values)  # type: ignore[arg-type]


def _open(engine: Engine, opening: CaseOpening) -> tuple[str, bool]:
    with session_scope(engine, write=True) as s:
        case, created = repo.open_case(s, opening, actor="chat:test")
        assert case.number is not None
        return case.number, created


def _outbox(engine: Engine, kind: str) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).where(Outbox.kind == kind).order_by(col(Outbox.id))))


def _on_duty_technicians(engine: Engine) -> None:
    with session_scope(engine, write=True) as s:
        _, wa = create_key(s, role="technician", name="Técnico WA", actor="test")
        _, mail = create_key(s, role="technician", name="Técnico correo", actor="test")
        _, off = create_key(s, role="technician", name="Técnico libre", actor="test")
        save_technician(s, key_prefix=wa.prefix, phone="+5215511112222", email=None,
                        notify_channel=NotifyChannel.WHATSAPP, on_duty=True, actor="test")  # fmt: skip
        save_technician(s, key_prefix=mail.prefix, phone=None, email="tec@topllantas.mx",
                        notify_channel=NotifyChannel.EMAIL, on_duty=True, actor="test")  # fmt: skip
        save_technician(s, key_prefix=off.prefix, phone="+5215533334444", email=None,
                        notify_channel=NotifyChannel.WHATSAPP, on_duty=True, actor="test")  # fmt: skip
        set_on_duty(s, off.prefix, False, actor="test")


def test_a_new_case_has_a_number_priority_sla_and_tells_the_technicians_on_duty(
    engine: Engine,
) -> None:
    _on_duty_technicians(engine)
    number, created = _open(engine, _opening(_customer(engine)))
    assert created and number.startswith("CS-")
    with Session(engine) as s:
        case = repo.get_case(s, number)
        assert case.status == CaseStatus.NEW and case.priority == CasePriority.URGENT
        assert case.problem_kind == "bulge" and case.transcript[0].startswith("Cliente:")
        detail = repo.detail(s, case)
        assert detail.sla_due_at > detail.created_at and not detail.overdue
        assert [e.kind for e in detail.events][:1] == ["created"]
    notices = _outbox(engine, "case_new")
    assert sorted((n.channel, n.to) for n in notices) == [
        ("email", "tec@topllantas.mx"),
        ("whatsapp", "+5215511112222"),
    ]
    assert all(number in (n.body or "") for n in notices)
    assert next(n for n in notices if n.channel == "email").subject


def test_nobody_on_duty_leaves_the_case_in_the_queue_with_a_note(engine: Engine) -> None:
    number, _ = _open(engine, _opening(_customer(engine)))
    assert _outbox(engine, "case_new") == []
    with Session(engine) as s:
        events = repo.detail(s, repo.get_case(s, number)).events
    assert any(e.kind == "notified" and "guardia" in (e.text or "") for e in events)


def test_one_open_case_per_customer_and_problem(engine: Engine) -> None:
    alice = _customer(engine)
    first, _ = _open(engine, _opening(alice))
    # "¿ya me van a hablar?" in the same conversation, no problem named: the same case.
    again, created = _open(
        engine,
        _opening(alice, symptoms="ya me van a hablar?", problem_codes=[],
                 transcript=["Cliente: le salió un chipote", "Cliente: ya me van a hablar?"]),
    )  # fmt: skip
    assert (again, created) == (first, False)
    # Another conversation from the same phone, same problem: still the same case.
    third, created = _open(engine, _opening(alice, session_id="chat-2", vehicle="Jetta 2020"))
    assert (third, created) == (first, False)
    # A different problem is a different case.
    other, created = _open(
        engine,
        _opening(alice, session_id="chat-2", symptoms="vibra a 100", problem_codes=["vibration"]),
    )
    assert created and other != first
    # Another customer never joins Alice's case.
    bob_case, created = _open(engine, _opening(_customer(engine, 1), session_id="chat-3"))
    assert created and bob_case not in (first, other)
    with Session(engine) as s:
        case = repo.get_case(s, first)
        # The later message is in the transcript once (the line already there is not repeated).
        assert case.transcript.count("Cliente: ya me van a hablar?") == 1
        assert case.transcript.count("Cliente: le salió un chipote") == 1
        assert case.vehicle == "Jetta 2020"  # filled by the later message
        kinds = [e.kind for e in repo.detail(s, case).events]
        assert kinds.count("customer_message") == 2 and kinds.count("created") == 1
        assert s.exec(select(SupportCase).where(SupportCase.customer_id == alice.id)).all()


def test_unknown_problem_codes_and_empty_symptoms_are_refused_naming_the_field(
    engine: Engine,
) -> None:
    alice = _customer(engine)
    with pytest.raises(InvalidRequest) as err:
        _open(engine, _opening(alice, problem_codes=["flat_banana"]))
    assert err.value.field == "problem_codes"
    with pytest.raises(InvalidRequest) as err:
        _open(engine, _opening(alice, symptoms="   "))
    assert err.value.field == "symptoms"
    with Session(engine) as s:
        assert s.exec(select(SupportCase)).all() == []  # nothing half-written


def test_the_life_of_a_case_and_the_messages_to_the_customer(engine: Engine) -> None:
    alice = _customer(engine)
    number, _ = _open(engine, _opening(alice))
    with session_scope(engine, write=True) as s:
        case = repo.get_case(s, number)
        with pytest.raises(Conflict) as err:
            repo.close(s, case, ALICE)
        assert err.value.field == "status"
    with session_scope(engine, write=True) as s:
        repo.claim(s, repo.get_case(s, number), ALICE)
    with session_scope(engine, write=True) as s, pytest.raises(Conflict) as err:
        repo.claim(s, repo.get_case(s, number), BETO)
    assert err.value.field == "assignee"
    with session_scope(engine, write=True) as s:
        case, sent = repo.reply(s, repo.get_case(s, number), "¿Nos mandas foto?", ALICE)
        assert case.status == CaseStatus.WAITING_CUSTOMER and sent.to == alice.phone
        repo.comment(s, case, "pidió foto", ALICE)
    (reply,) = _outbox(engine, "case_reply")
    assert reply.to == alice.phone and reply.channel == "whatsapp"
    assert "¿Nos mandas foto?" in (reply.body or "") and number in (reply.body or "")
    # The customer answers: the case goes back to the technician.
    _open(engine, _opening(alice, symptoms="ya te la mandé", problem_codes=[], transcript=[]))
    with session_scope(engine, write=True) as s:
        case = repo.get_case(s, number)
        assert case.status == CaseStatus.ASSIGNED
        with pytest.raises(Conflict):
            repo.rate(s, case, 5, None, actor="chat:test")  # still open
    with session_scope(engine, write=True) as s:
        case, survey = repo.resolve(
            s, repo.get_case(s, number), ResolutionCode.REPLACED, "cambio en garantía", ALICE
        )
        assert case.status == CaseStatus.RESOLVED and survey.outbox_id is not None
    (row,) = _outbox(engine, "case_survey")
    assert row.to == alice.phone and "1 al 5" in (row.body or "")
    with session_scope(engine, write=True) as s:
        with pytest.raises(InvalidRequest) as bad:
            repo.rate(s, repo.get_case(s, number), 6, None, actor="chat:test")
        assert bad.value.field == "rating"
    with session_scope(engine, write=True) as s:
        repo.rate(s, repo.get_case(s, number), 4, " rápido ", actor="chat:test")
        repo.close(s, repo.get_case(s, number), ALICE)
    with session_scope(engine, write=True) as s:
        case = repo.get_case(s, number)
        assert (case.status, case.satisfaction, case.satisfaction_comment) == (
            "closed",
            4,
            "rápido",
        )
        with pytest.raises(Conflict):
            repo.reply(s, case, "hola", ALICE)
        with pytest.raises(Conflict):
            repo.claim(s, case, ALICE)  # closed is final
        moves = [
            (e.from_status, e.to_status) for e in repo.detail(s, case).events if e.kind == "status"
        ]
    assert moves == [
        ("new", "assigned"), ("assigned", "waiting_customer"), ("waiting_customer", "assigned"),
        ("assigned", "resolved"), ("resolved", "closed"),
    ]  # fmt: skip
    # A closed case: a new message opens a new one.
    again, created = _open(engine, _opening(alice))
    assert created and again != number


def test_resolving_a_new_case_claims_it_and_replies_wait_for_the_customer(engine: Engine) -> None:
    number, _ = _open(engine, _opening(_customer(engine)))
    with session_scope(engine, write=True) as s:
        case, _ = repo.resolve(s, repo.get_case(s, number), ResolutionCode.ADVICE_GIVEN, "", BETO)
        assert case.assignee == BETO.key_prefix and case.status == CaseStatus.RESOLVED
    with session_scope(engine, write=True) as s, pytest.raises(Conflict):
        repo.resolve(s, repo.get_case(s, number), ResolutionCode.OTHER, "", BETO)


def test_lists_filter_by_status_assignee_and_phone_most_urgent_first(engine: Engine) -> None:
    alice, bob = _customer(engine), _customer(engine, 1)
    slow, _ = _open(engine, _opening(alice, symptoms="ruido raro", problem_codes=["noise"]))
    urgent, _ = _open(engine, _opening(bob, session_id="chat-b"))
    with session_scope(engine, write=True) as s:
        repo.claim(s, repo.get_case(s, slow), ALICE)
    with Session(engine) as s:
        everything = repo.list_cases(s, CaseFilter())
        assert [c.number for c in everything.items] == [urgent, slow] and everything.total == 2
        mine = repo.list_cases(s, CaseFilter(assignee=ALICE.key_prefix))
        assert [c.number for c in mine.items] == [slow]
        free = repo.list_cases(s, CaseFilter(unassigned=True, statuses=[CaseStatus.NEW]))
        assert [c.number for c in free.items] == [urgent]
        by_phone = repo.list_cases(s, CaseFilter(customer_phone=bob.phone))
        assert [c.number for c in by_phone.items] == [urgent]
        assert by_phone.items[0].customer_name == bob.name
        page = repo.list_cases(s, CaseFilter(), limit=1, offset=1)
        assert [c.number for c in page.items] == [slow] and page.total == 2


def test_a_customer_reaches_only_their_own_cases(engine: Engine) -> None:
    alice, bob = _customer(engine), _customer(engine, 1)
    number, _ = _open(engine, _opening(alice))
    with Session(engine) as s:
        assert repo.customer_case(s, number, alice.id).number == number
        assert repo.customer_case(s, None, alice.id).number == number
        with pytest.raises(NotFound):
            repo.customer_case(s, number, bob.id)
        with pytest.raises(NotFound):
            repo.customer_case(s, None, bob.id)
        with pytest.raises(InvalidRequest):
            repo.get_case(s, "TL-000001")
        assert repo.session_has_case(s, "chat-1") and not repo.session_has_case(s, "other")


def test_replies_wait_to_be_appended_to_the_conversation(engine: Engine) -> None:
    number, _ = _open(engine, _opening(_customer(engine)))
    with session_scope(engine, write=True) as s:
        repo.reply(s, repo.get_case(s, number), "Te llamo en 10 min", ALICE)
    with session_scope(engine, write=True) as s:
        pending = repo.pending_for_conversation(s)
        assert [(sid, "Te llamo en 10 min" in text, kind) for _, sid, text, kind in pending] == [
            ("chat-1", True, "reply")
        ]
        repo.mark_in_conversation(s, pending[0][0])
    with Session(engine) as s:
        assert repo.pending_for_conversation(s) == []
        assert s.exec(select(CaseEvent).where(CaseEvent.kind == "reply")).one().in_conversation
