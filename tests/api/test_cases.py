"""/api/v1/cases over HTTP on the real app: roles, filters, the status machine with clear 4xx,
the reply and the survey through the outbox and into the customer's conversation."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from db.tables import ChatSession, Outbox
from domain.case_results import OpenedCase
from domain.enums import Role
from tests.conftest import bearer
from tools.base import ToolContext, run_tool
from tools.cases import OPEN_SUPPORT_CASE, REPLY_TO_CASE_CUSTOMER

PHONE = "+5215587654321"


def prefix(key: str) -> str:
    return key.split("_")[1]


def customer_chat(client: TestClient, keys: dict[Role, str], text: str) -> str:
    """A customer's web conversation (an evaluator key speaking as the customer's phone)."""
    r = client.post(
        "/v1/chat",
        json={"message": text, "as": {"role": "customer", "phone": PHONE}},
        headers=bearer(keys[Role.EVALUATOR]),
    )
    assert r.status_code == 200, r.text
    session_id: str = r.json()["session_id"]
    return session_id


def open_case(engine: Engine, settings: Settings, session_id: str) -> str:
    """The customer escalates in that conversation (the support agent's tool)."""
    with Session(engine) as s:
        chat = s.get(ChatSession, session_id)
    assert chat is not None
    ctx = ToolContext(
        engine=engine, settings=settings, session_id=chat.id, channel=chat.channel,
        role="customer", customer_id=chat.customer_id,
        transcript=["Cliente: le salió un chipote a la llanta"],
    )  # fmt: skip
    content, ok = run_tool(
        OPEN_SUPPORT_CASE, {"symptoms": "chipote en la llanta", "problem_codes": ["bulge"]}, ctx
    )
    assert ok, content
    return OpenedCase.model_validate_json(content).number


def error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def test_only_technicians_staff_and_admins_work_cases(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    number = open_case(engine, settings, customer_chat(client, keys, "hola"))
    assert error(client.get("/api/v1/cases"), 401)["field"] == "Authorization"
    for role in (Role.EVALUATOR, Role.INTEGRATION):
        assert error(client.get("/api/v1/cases", headers=bearer(keys[role])), 403)
        assert error(client.get(f"/api/v1/cases/{number}", headers=bearer(keys[role])), 403)
        assert error(client.post(f"/api/v1/cases/{number}/claim", headers=bearer(keys[role])), 403)
    for role in (Role.TECHNICIAN, Role.STAFF, Role.ADMIN):
        page = client.get("/api/v1/cases", headers=bearer(keys[role])).json()
        assert [c["number"] for c in page["items"]] == [number] and page["total"] == 1


def test_list_filters_and_clear_errors(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    number = open_case(engine, settings, customer_chat(client, keys, "hola"))
    tech = bearer(keys[Role.TECHNICIAN])

    def numbers(**params: Any) -> list[str]:
        r = client.get("/api/v1/cases", params=params, headers=tech)
        assert r.status_code == 200, r.text
        return [c["number"] for c in r.json()["items"]]

    assert numbers(status="new", customer_phone=PHONE) == [number]
    assert numbers(status=["assigned", "closed"]) == []
    assert numbers(unassigned=True, limit=1, offset=0) == [number]
    assert numbers(assignee=prefix(keys[Role.TECHNICIAN])) == []
    assert numbers(created_from="2000-01-01T00:00:00Z", created_to="2100-01-01T00:00:00Z") == [
        number
    ]
    assert numbers(created_from="2100-01-01T00:00:00Z") == []
    assert error(client.get("/api/v1/cases?status=open", headers=tech), 422)["field"] == "status.0"
    bad_phone = client.get("/api/v1/cases", params={"customer_phone": "5512"}, headers=tech)
    assert error(bad_phone, 422)["field"] == "customer_phone"
    assert error(client.get("/api/v1/cases?limit=0", headers=tech), 422)["field"] == "limit"
    assert error(client.get("/api/v1/cases/CS-999999", headers=tech), 404)["field"] == "number"
    assert error(client.get("/api/v1/cases/TL-000001", headers=tech), 422)["field"] == "number"
    one = client.get(f"/api/v1/cases/{number.lower()}", headers=tech).json()
    assert one["number"] == number and one["priority"] == "urgent"
    assert one["customer_phone"] == PHONE and one["transcript"] and one["events"]


def test_a_case_from_claim_to_close_reaches_the_customer(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    session_id = customer_chat(client, keys, "le salió un chipote a mi llanta")
    other_session = customer_chat(client, keys, "hola")
    number = open_case(engine, settings, session_id)
    tech, staff = bearer(keys[Role.TECHNICIAN]), bearer(keys[Role.STAFF])
    # Technicians read the conversation of a case, and only those.
    assert client.get(f"/v1/conversations/{session_id}", headers=tech).status_code == 200
    assert error(client.get(f"/v1/conversations/{other_session}", headers=tech), 403)

    closing = client.post(f"/api/v1/cases/{number}/close", headers=tech)
    assert error(closing, 409)["field"] == "status"
    claimed = client.post(f"/api/v1/cases/{number}/claim", headers=tech)
    assert claimed.status_code == 200 and claimed.json()["status"] == "assigned"
    assert claimed.json()["assignee"] == prefix(keys[Role.TECHNICIAN])
    taken = client.post(f"/api/v1/cases/{number}/claim", headers=staff)
    assert error(taken, 409)["field"] == "assignee"
    empty = client.post(f"/api/v1/cases/{number}/comment", json={"text": ""}, headers=tech)
    assert error(empty, 422)["field"] == "text"
    noted = client.post(
        f"/api/v1/cases/{number}/comment", json={"text": "pedir foto"}, headers=tech
    )
    assert noted.json()["events"][-1]["kind"] == "comment"

    replied = client.post(
        f"/api/v1/cases/{number}/reply", json={"text": "¿Nos mandas una foto?"}, headers=tech
    )
    assert replied.status_code == 200 and replied.json()["status"] == "waiting_customer"
    reply_event = next(e for e in replied.json()["events"] if e["kind"] == "reply")
    with Session(engine) as s:
        row = s.get(Outbox, reply_event["outbox_id"])
        assert row is not None and row.to == PHONE and row.kind == "case_reply"
        assert row.status == "sent" and "¿Nos mandas una foto?" in (row.body or "")
    said = client.get(f"/v1/conversations/{session_id}", headers=tech).json()["messages"]
    assert said[-1]["agent"] == "technician" and "¿Nos mandas una foto?" in said[-1]["content"]

    bad_code = client.post(
        f"/api/v1/cases/{number}/resolve", json={"resolution_code": "magic"}, headers=tech
    )
    assert error(bad_code, 422)["field"] == "resolution_code"
    resolved = client.post(
        f"/api/v1/cases/{number}/resolve",
        json={"resolution_code": "replaced", "note": "cambio en garantía"},
        headers=tech,
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution_code"] == "replaced"
    again = client.post(
        f"/api/v1/cases/{number}/resolve", json={"resolution_code": "other"}, headers=tech
    )
    assert error(again, 409)["field"] == "status"
    with Session(engine) as s:
        surveys = s.exec(select(Outbox).where(Outbox.kind == "case_survey")).all()
    assert [(o.to, o.status) for o in surveys] == [(PHONE, "sent")]
    assert "1 al 5" in (surveys[0].body or "")
    said = client.get(f"/v1/conversations/{session_id}", headers=staff).json()["messages"]
    assert "1 al 5" in said[-1]["content"]

    closed = client.post(f"/api/v1/cases/{number}/close", headers=tech)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = client.post(f"/api/v1/cases/{number}/reply", json={"text": "hola"}, headers=tech)
    assert error(late, 409)["field"] == "status"
    statuses = [e["to_status"] for e in closed.json()["events"] if e["kind"] == "status"]
    assert statuses == ["assigned", "waiting_customer", "resolved", "closed"]


def test_technicians_on_duty_are_told_of_new_cases(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    me = prefix(keys[Role.TECHNICIAN])
    tech, staff = bearer(keys[Role.TECHNICIAN]), bearer(keys[Role.STAFF])
    no_phone = client.put(f"/api/v1/technicians/{me}", json={"on_duty": True}, headers=tech)
    assert error(no_phone, 422)["field"] == "phone"
    others = client.put(f"/api/v1/technicians/{prefix(keys[Role.STAFF])}", json={}, headers=tech)
    assert error(others, 403)["field"] == "key_prefix"
    assert error(client.put("/api/v1/technicians/nobody", json={}, headers=staff), 404)
    saved = client.put(
        f"/api/v1/technicians/{me}",
        json={"phone": "+5215500001111", "on_duty": True},
        headers=tech,
    )
    assert saved.status_code == 200 and saved.json()["on_duty"] is True
    assert [t["key_prefix"] for t in client.get("/api/v1/technicians", headers=staff).json()] == [
        me
    ]
    number = open_case(engine, settings, customer_chat(client, keys, "hola"))
    with Session(engine) as s:
        notices = s.exec(
            select(Outbox).where(Outbox.kind == "case_new").order_by(col(Outbox.id))
        ).all()
    assert [(n.channel, n.to) for n in notices] == [("whatsapp", "+5215500001111")]
    assert number in (notices[0].body or "")


def test_a_reply_made_in_the_technicians_chat_reaches_the_customers_conversation(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    session_id = customer_chat(client, keys, "le salió un chipote a mi llanta")
    number = open_case(engine, settings, session_id)
    tech = bearer(keys[Role.TECHNICIAN])
    # The technician's own conversation, owned by their key; the tool runs in it.
    first = client.post("/v1/chat", json={"message": "hola"}, headers=tech)
    assert first.status_code == 200
    ctx = ToolContext(
        engine=engine, settings=settings, session_id=first.json()["session_id"],
        channel="web", role="technician",
    )  # fmt: skip
    content, ok = run_tool(
        REPLY_TO_CASE_CUSTOMER, {"number": number, "text": "Te marco en 10 minutos"}, ctx
    )
    assert ok, content
    # The technician's next turn puts the reply in the customer's conversation.
    again = {"session_id": first.json()["session_id"], "message": "gracias"}
    assert client.post("/v1/chat", json=again, headers=tech).status_code == 200
    said = client.get(f"/v1/conversations/{session_id}", headers=tech).json()["messages"]
    assert said[-1]["agent"] == "technician" and "Te marco en 10 minutos" in said[-1]["content"]
