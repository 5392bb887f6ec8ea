from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.enums import Role
from tests.conftest import bearer


def test_search_by_size_in_any_format_returns_the_same_in_stock_products(
    client: TestClient, keys: dict[Role, str]
) -> None:
    results = []
    for size in ("205/55R16", "205 55 16", "205/55/16", "20555r16", "P205/55R16 91V"):
        r = client.get(
            "/api/v1/products",
            params={"size": size, "in_stock": "true", "limit": 200},
            headers=bearer(keys[Role.STAFF]),
        )
        assert r.status_code == 200, r.text
        results.append([p["sku"] for p in r.json()["items"]])
    assert results[0], "the demo catalogue has 205/55R16 tires in stock"
    assert all(r == results[0] for r in results)
    body = client.get(
        "/api/v1/products",
        params={"size": "205 55 16", "in_stock": "true"},
        headers=bearer(keys[Role.STAFF]),
    ).json()
    for item in body["items"]:
        assert item["size"] == "205/55R16"
        assert item["available"] > 0
        assert (
            item["price"]["total_cents"] == item["price"]["net_cents"] + item["price"]["iva_cents"]
        )
    prices = [p["price"]["net_cents"] for p in body["items"]]
    assert prices == sorted(prices)


def test_in_stock_filter_at_a_branch_only_returns_units_available_there(
    client: TestClient, keys: dict[Role, str]
) -> None:
    r = client.get(
        "/api/v1/products",
        params={"branch": "gdl", "in_stock": "true", "limit": 100},
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code == 200
    for item in r.json()["items"]:
        assert [s["branch_code"] for s in item["stock"]] == ["GDL"]
        assert item["stock"][0]["available"] > 0
    all_items = client.get(
        "/api/v1/products", params={"limit": 1}, headers=bearer(keys[Role.STAFF])
    ).json()
    assert all_items["total"] > r.json()["total"] > 0


def test_filters_combine_and_paginate(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.INTEGRATION])
    page1 = client.get(
        "/api/v1/products", params={"brand": "michelin", "limit": 5, "sort": "brand"}, headers=h
    ).json()
    page2 = client.get(
        "/api/v1/products",
        params={"brand": "Michelin", "limit": 5, "offset": 5, "sort": "brand"},
        headers=h,
    ).json()
    assert page1["total"] == page2["total"] > 10
    assert {p["brand"] for p in page1["items"] + page2["items"]} == {"Michelin"}
    assert not {p["sku"] for p in page1["items"]} & {p["sku"] for p in page2["items"]}
    cheap = client.get(
        "/api/v1/products", params={"max_price_cents": 150000, "vehicle_type": "auto"}, headers=h
    ).json()
    assert cheap["items"] and all(
        p["price"]["net_cents"] <= 150000 and p["vehicle_type"] == "auto" for p in cheap["items"]
    )


def test_search_by_vehicle_uses_the_fitment_table(
    client: TestClient, keys: dict[Role, str]
) -> None:
    h = bearer(keys[Role.STAFF])
    fit = client.get(
        "/api/v1/fitment", params={"make": "volkswagen", "model": "jetta", "year": 2020}, headers=h
    )
    assert fit.status_code == 200 and fit.json(), fit.text
    sizes = {f["front_size"] for f in fit.json()} | {
        f["rear_size"] for f in fit.json() if f["rear_size"]
    }
    assert "205/55R16" in sizes
    r = client.get(
        "/api/v1/products",
        params={
            "vehicle_make": "Volkswagen",
            "vehicle_model": "Jetta",
            "vehicle_year": 2020,
            "in_stock": "true",
            "limit": 200,
        },
        headers=h,
    )
    assert r.status_code == 200
    items = r.json()["items"]
    assert {p["size"] for p in items} <= sizes
    assert {"Continental", "Pirelli"} <= {p["brand"] for p in items if p["size"] == "205/55R16"}


def test_unknown_vehicle_is_a_404_that_names_it(client: TestClient, keys: dict[Role, str]) -> None:
    r = client.get(
        "/api/v1/products",
        params={"vehicle_make": "Nissan", "vehicle_model": "Batimovil", "vehicle_year": 2020},
        headers=bearer(keys[Role.STAFF]),
    )
    assert r.status_code == 404
    assert "Batimovil" in r.json()["message"] and r.json()["field"] == "vehicle_model"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"size": "hola"}, "size"),
        ({"size": "207/55R16"}, "size"),
        ({"limit": 0}, "limit"),
        ({"vehicle_year": 1800}, "vehicle_year"),
        ({"branch": "XYZ"}, "branch"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_field(
    client: TestClient, keys: dict[Role, str], params: dict[str, object], field: str
) -> None:
    r = client.get("/api/v1/products", params=params, headers=bearer(keys[Role.STAFF]))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert r.json()["message"]


def test_product_detail_and_404(client: TestClient, keys: dict[Role, str]) -> None:
    h = bearer(keys[Role.TECHNICIAN])
    first = client.get("/api/v1/products", params={"limit": 1}, headers=h).json()["items"][0]
    detail = client.get(f"/api/v1/products/{first['id']}", headers=h)
    assert detail.status_code == 200
    assert detail.json()["sku"] == first["sku"]
    assert {s["branch_code"] for s in detail.json()["stock"]} == {"CDMX", "GDL", "MTY"}
    missing = client.get("/api/v1/products/999999", headers=h)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get("/api/v1/products/abc", headers=h).status_code == 422


def test_no_key_or_a_bad_key_is_401(client: TestClient) -> None:
    r = client.get("/api/v1/products")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["field"] == "Authorization"
    for bad in ("tl_nothere_secret", "garbage", "tl_"):
        assert client.get("/api/v1/products", headers=bearer(bad)).status_code == 401


def test_cached_search_never_hides_this_process_writes(
    client: TestClient, keys: dict[Role, str]
) -> None:
    h = bearer(keys[Role.STAFF])
    params = {"size": "205/55R16", "branch": "CDMX", "in_stock": "true", "limit": 200}
    first = client.get("/api/v1/products", params=params, headers=h).json()
    target = first["items"][0]
    assert (
        client.get("/api/v1/products", params={**params, "size": "205 55 16"}, headers=h).json()
        == first
    )
    customer = client.get("/api/v1/customers", params={"limit": 1}, headers=h).json()["items"][0][
        "id"
    ]
    body = {
        "customer_id": customer,
        "branch_code": "CDMX",
        "lines": [{"sku": target["sku"], "quantity": target["available"]}],
    }
    assert client.post("/api/v1/orders", json=body, headers=h).status_code == 201
    after = client.get("/api/v1/products", params=params, headers=h).json()
    assert target["sku"] not in {p["sku"] for p in after["items"]}
    assert after["total"] == first["total"] - 1


def test_response_cache_expires_and_stays_bounded() -> None:
    from api.cache import ResponseCache

    cache = ResponseCache(ttl_s=0.05, max_entries=2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    cache.put("c", b"3")
    assert cache.get("a") is None and cache.get("c") == b"3"
    import time

    time.sleep(0.06)
    assert cache.get("c") is None
    assert not ResponseCache(ttl_s=0).enabled
