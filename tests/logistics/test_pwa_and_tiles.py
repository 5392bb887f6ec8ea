"""The driver page installs as an app (manifest, service worker under /driver), and the
tracking map draws on tiles from the settings' URL, or plainly when tiles cannot load."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import db.tables as t
from api.app import create_app
from core.settings import LogisticsSettings, Settings
from evals.deliveries import make_delivery
from evals.models import DeliverySetup
from tests.live_server import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
# A 1x1 PNG: what a tile server answers, as far as the page can tell.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_the_driver_page_is_an_installable_app(engine: Engine, settings: Settings) -> None:
    with TestClient(create_app(settings, engine=engine)) as client:
        page = client.get("/driver")
        assert '<link rel="manifest" href="/driver/manifest.webmanifest">' in page.text
        manifest = client.get("/driver/manifest.webmanifest")
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        data = manifest.json()
        assert data["start_url"] == "/driver" and data["display"] == "standalone"
        icon = client.get(data["icons"][0]["src"])
        assert icon.status_code == 200 and icon.text.startswith("<svg")
        worker = client.get("/driver/sw.js")
        assert worker.headers["service-worker-allowed"] == "/driver"
        assert "caches.open" in worker.text


@pytest.fixture
def token(engine: Engine) -> str:
    with Session(engine) as session:
        customer = session.exec(
            select(t.Customer).where(col(t.Customer.phone).is_not(None)).order_by(col(t.Customer.id))
        ).first()
        assert customer is not None
    made = make_delivery(engine, DeliverySetup(status="out_for_delivery"), customer)
    with Session(engine) as session:
        row = session.get(t.Delivery, made.delivery_id)
        assert row is not None and row.tracking_token
        return row.tracking_token


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        yield chromium
        chromium.close()


def test_the_tracking_map_uses_tiles_and_falls_back_to_a_plain_drawing(
    engine: Engine, settings: Settings, token: str, browser: object
) -> None:
    from playwright.sync_api import Browser, Route, expect

    assert isinstance(browser, Browser)
    tiled = settings.model_copy(update={"logistics": LogisticsSettings(map_tile_url=TILES)})
    with TestClient(create_app(tiled, engine=engine)):
        pass  # the intent model into the cache first, so the live server starts in time
    with live_server(create_app(tiled, engine=engine)) as base:
        asked: list[str] = []

        def serve(route: Route) -> None:
            asked.append(route.request.url)
            route.fulfill(body=PNG, content_type="image/png")

        ok = browser.new_context()
        ok.route("https://tiles.example.test/**", serve)
        page = ok.new_page()
        page.goto(f"{base}/track/{token}")
        expect(page.locator("#map")).to_have_attribute("data-map", "tiles", timeout=10_000)
        assert asked and all(re.fullmatch(r"https://tiles\.example\.test/\d+/\d+/\d+\.png", u)
                             for u in asked)  # fmt: skip

        down = browser.new_context()
        down.route("https://tiles.example.test/**", lambda route: route.abort())
        page = down.new_page()
        page.goto(f"{base}/track/{token}")
        expect(page.locator("#map")).to_have_attribute("data-map", "plain", timeout=10_000)
