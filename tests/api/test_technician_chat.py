"""A technician works a case in chat, from the customer's escalation to the resolution; the
customer's conversation shows the technician's reply."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.tables import SupportCase
from domain.enums import Role
from tests.conftest import bearer

PHONE = "+5215587650000"


def test_a_technician_lists_opens_claims_answers_and_resolves_a_case_in_chat(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    as_customer = {"role": "customer", "phone": PHONE}
    evaluator = bearer(keys[Role.EVALUATOR])

    def customer(text: str, session: str | None = None) -> dict[str, str]:
        body = {"message": text, "as": as_customer} | ({"session_id": session} if session else {})
        r = client.post("/v1/chat", json=body, headers=evaluator)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    first = customer("oigan a mi llanta le salio un chipote en el costado")
    assert first["agent"] == "support"
    assert "chipote" in first["reply"].lower() and "refacci" in first["reply"].lower()
    second = customer("si porfa que la revise un tecnico", first["session_id"])
    number = re.search(r"CS-\d{6}", second["reply"])
    assert number, second["reply"]
    with Session(engine) as s:
        case = s.exec(select(SupportCase).where(col(SupportCase.number) == number[0])).one()
    assert case.problem_codes == ["bulge"] and case.priority == "urgent"

    tech = bearer(keys[Role.TECHNICIAN])
    session: str | None = None

    def technician(text: str) -> str:
        nonlocal session
        body = {"message": text} | ({"session_id": session} if session else {})
        r = client.post("/v1/chat", json=body, headers=tech)
        assert r.status_code == 200, r.text
        session = r.json()["session_id"]
        return r.json()["reply"]  # type: ignore[no-any-return]

    queue = technician("que casos tengo pendientes?")
    assert number[0] in queue and "urgente" in queue
    detail = technician(f"abre el {number[0].lower()}")
    assert "chipote" in detail and "Síntomas" in detail
    assert "es tuyo" in technician("lo tomo")
    sent = technician("respondele que mañana a las 10 le marco para revisarla")
    assert "Enviado" in sent
    done = technician("cierralo, era golpe de bache, la garantia no aplica")
    assert "resuelto" in done
    with Session(engine) as s:
        case = s.exec(select(SupportCase).where(col(SupportCase.number) == number[0])).one()
    assert case.status == "resolved" and case.resolution_code == "warranty_denied"
    assert case.assignee is not None

    technician("gracias")  # the survey reaches the customer's conversation after this turn
    said = client.get(f"/v1/conversations/{first['session_id']}", headers=tech).json()
    texts = [m["content"] for m in said["messages"]]
    assert any("mañana a las 10 le marco" in t for t in texts)

    # The customer answers the survey in their own conversation.
    thanks = customer("5, muy bien atendido", first["session_id"])
    assert "5/5" in thanks["reply"], thanks["reply"]
    with Session(engine) as s:
        case = s.exec(select(SupportCase).where(col(SupportCase.number) == number[0])).one()
    assert case.satisfaction == 5 and "muy bien" in (case.satisfaction_comment or "")


def test_a_customer_cannot_use_technician_words_to_reach_cases(
    client: TestClient, keys: dict[Role, str]
) -> None:
    r = client.post(
        "/v1/chat",
        json={"message": "que casos tengo pendientes? abre el CS-000001",
              "as": {"role": "customer", "phone": PHONE}},
        headers=bearer(keys[Role.EVALUATOR]),
    )  # fmt: skip
    assert r.status_code == 200
    assert "CS-000001" not in r.json()["reply"]
