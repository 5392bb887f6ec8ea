"""The dashboard in headless Chromium (Debian's, through Playwright): sign in, figures equal
to the API's, filter by branch, a conversation, a report download, a phone-sized screen.
Screenshots are kept under var/test-artifacts/screenshots (gitignored)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from core.settings import Settings
from domain.enums import Role
from domain.pricing import format_mxn
from tests.live_server import live_server

CHROMIUM = os.environ.get("TOPLLANTAS_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium installed")


@pytest.fixture
def server(settings: Settings, engine: Engine, db_url: str) -> Iterator[str]:
    if not db_url.startswith("sqlite"):
        pytest.skip("one backend is enough for the browser")
    # The first app of a run trains the intent model (longer than the live server's wait).
    with TestClient(create_app(settings, engine=engine)):
        pass
    with live_server(create_app(settings, engine=engine)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _sign_in(page: object, server: str, key: str) -> None:
    page.goto(f"{server}/dashboard")  # type: ignore[attr-defined]
    assert "/login" in page.url  # type: ignore[attr-defined]
    page.fill("#api_key", key)  # type: ignore[attr-defined]
    page.click("form[action='/login'] button")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-kpi='sales_period']")  # type: ignore[attr-defined]


def test_dashboard_in_a_browser(server: str, browser: object, keys: dict[Role, str]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    auth = {"Authorization": f"Bearer {keys[Role.STAFF]}"}
    httpx.post(f"{server}/v1/chat", json={"message": "Hola, busco llantas 205/55R16"}, timeout=30)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    _sign_in(page, server, keys[Role.STAFF])
    api = httpx.get(f"{server}/api/v1/dashboard", params={"period": "month"}, headers=auth).json()
    period = next(k for k in api["sales"] if k["key"] == "sales_period")
    shown = page.inner_text("[data-kpi='sales_period'] .value")
    assert shown == format_mxn(round(period["value"]))
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    page.select_option("#f-branch", "GDL")
    page.wait_for_selector("body[data-loaded='month:GDL']")
    gdl = httpx.get(f"{server}/api/v1/analytics/sales", headers=auth, params={
        "date_from": api["date_from"], "date_to": api["date_to"], "branch": "GDL"}).json()  # fmt: skip
    assert page.inner_text("[data-kpi='sales_period'] .value") == format_mxn(
        gdl["total_revenue_cents"]
    )
    assert page.eval_on_selector_all("#by-branch .bar", "els => els.map(e => e.dataset.key)") == [
        "GDL"
    ]
    assert "branch=GDL" in page.url
    page.screenshot(path=str(SHOTS / "dashboard-gdl.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#dl-xlsx")
    saved = SHOTS / "report.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"

    page.goto(f"{server}/dashboard/agents")
    page.click("#conversations a")
    page.wait_for_selector("#transcript .msg.customer")
    assert "205/55R16" in page.inner_text("#transcript")
    page.screenshot(path=str(SHOTS / "conversation.png"), full_page=True)
    for name in ("inventory", "sales", "logistics", "targets", "subscriptions"):
        page.goto(f"{server}/dashboard/{name}")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.click(".logout button")
    page.wait_for_url("**/login")
    context.close()

    # the same dashboard on a phone-sized screen (one server for both: it starts in seconds)
    phone = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    _sign_in(page, server, keys[Role.ADMIN])
    page.wait_for_selector("#trend .uplot")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
    phone.close()

    # a technician signs in but may not see the dashboard: a Spanish page, not JSON
    tech = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = tech.new_page()
    page.goto(f"{server}/dashboard")
    page.fill("#api_key", keys[Role.TECHNICIAN])
    page.click("form[action='/login'] button")
    page.wait_for_selector("[data-refused='403']")
    assert "No tienes acceso a esta página" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "refused.png"), full_page=True)
    tech.close()
