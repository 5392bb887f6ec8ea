"""Follow-ups that lean on a guide's answer ("¿y a cuánto la inflo?"), through the HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def talk(client: TestClient, *messages: str) -> list[dict[str, Any]]:
    session_id = None
    replies = []
    for text in messages:
        r = client.post("/v1/chat", json={"session_id": session_id, "message": text})
        assert r.status_code == 200, r.text
        replies.append(r.json())
        session_id = replies[-1]["session_id"]
    return replies


def test_a_follow_up_is_answered_from_the_guide_it_follows(client: TestClient) -> None:
    first, follow = talk(
        client,
        "traigo puesta la de refaccion, la delgadita, puedo andar asi toda la semana?",
        "y a cuanto la inflo?",
    )
    assert "80 km/h" in first["reply"]
    # searched alone, "a cuánto la inflo" found the general pressure guide (door label, 30-35)
    assert follow["agent"] == "support" and "60 PSI" in follow["reply"], follow["reply"]
    assert len(follow["reply"]) < len(first["reply"])  # the sentence about it, not all again


def test_short_follow_ups_stay_with_the_guides_and_find_their_own_words(
    client: TestClient,
) -> None:
    _, sun, bag = talk(
        client,
        "cuanto dura una llanta sin usar guardada",
        "y si la tengo al sol?",  # was "con eso no te puedo ayudar"
        "y en una bolsa?",
    )
    assert sun["agent"] == "support" and "sol" in sun["reply"], sun["reply"]
    assert bag["agent"] == "support" and "bolsas" in bag["reply"], bag["reply"]


def test_a_price_follow_up_still_gets_the_shop_prices(client: TestClient) -> None:
    _, price = talk(client, "cada cuanto debo rotar las llantas", "y eso cuanto sale?")
    assert "$" in price["reply"] and "IVA" in price["reply"], price["reply"]


def test_what_the_thin_spare_can_take_is_supports_even_unasked_if_it_is_on(
    client: TestClient,
) -> None:
    (limits,) = talk(client, "oye la galleta hasta cuantos km aguanta")
    assert limits["agent"] == "support" and "80 km/h" in limits["reply"], limits["reply"]
    (buying,) = talk(client, "cuanto cuesta una galleta para un versa 2019")
    assert buying["agent"] == "sales"
