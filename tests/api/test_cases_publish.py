"""A resolved case, reviewed by staff, becomes a "casos resueltos" guide the agents can find."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from core.settings import Settings
from domain.enums import Role
from knowledge_base import KnowledgeBase
from knowledge_base.resolved_cases import folder
from tests.api.test_cases import customer_chat, error, open_case
from tests.conftest import bearer


def test_a_resolved_case_is_published_without_personal_data_and_found(
    client: TestClient, keys: dict[Role, str], engine: Engine, settings: Settings
) -> None:
    session_id = customer_chat(client, keys, "le salió un chipote a mi llanta")
    number = open_case(engine, settings, session_id)
    staff, tech = bearer(keys[Role.STAFF]), bearer(keys[Role.TECHNICIAN])
    body = {"symptoms": "Le salió una bola en el costado después de pegarle a un bache"}

    early = client.post(f"/api/v1/cases/{number}/publish", json=body, headers=staff)
    assert error(early, 409)["field"] == "status"
    done = client.post(
        f"/api/v1/cases/{number}/resolve",
        json={"resolution_code": "replaced", "note": "Cuerda rota por impacto; llanta nueva."},
        headers=tech,
    )
    assert done.status_code == 200, done.text
    error(client.post(f"/api/v1/cases/{number}/publish", json=body, headers=tech), 403)

    published = client.post(f"/api/v1/cases/{number}/publish", json=body, headers=staff)
    assert published.status_code == 200, published.text
    assert published.json()["chunks"] >= 1
    text = (folder(settings) / f"{number.lower()}.md").read_text()
    assert "bache" in text and "llanta nueva" in text and "+52" not in text

    kb = KnowledgeBase(settings, include_bundled=False)
    hits = kb.search("me salio una bola en la llanta despues de un bache", k=3)
    assert hits and hits[0].id.startswith(f"caso-{number.lower()}")
    again = client.post(f"/api/v1/cases/{number}/publish", json=body, headers=staff).json()
    assert again["added"] == 0  # the same guide: nothing new in the index
