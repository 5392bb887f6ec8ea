"""The driver and tracking pages in headless Chromium (Debian's /usr/bin/chromium) on a real
uvicorn server: sign in with the link, see the route, salí, GPS pings, entregado with a photo;
the tracking page shows the driver's first name and moves the truck after a ping."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import db.tables as t
from api.app import create_app
from tests.live_server import live_server
from tests.logistics.conftest import Day, first_pending

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)
# Where the driver's phone is: near Providencia, Guadalajara.
PHONE: dict[str, float] = {"latitude": 20.69, "longitude": -103.39}


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        yield chromium
        chromium.close()


def test_a_driver_works_the_route_and_the_customer_tracks_it(
    day: Day, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    photo = tmp_path / "proof.png"
    photo.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    stop = first_pending(day.engine, day.route_id)
    with Session(day.engine) as s:
        driver = s.get(t.Driver, day.driver_id)
        assert driver is not None
        first_name = driver.name.split()[0]
    # Started and stopped once first: the intent model is trained into the cache (a minute when
    # cold), so the live server below starts within its deadline.
    with TestClient(create_app(day.settings, engine=day.engine)):
        pass
    with live_server(create_app(day.settings, engine=day.engine)) as base:
        phone = browser.new_context(
            geolocation=PHONE,  # type: ignore[arg-type]  # a Geolocation TypedDict
            permissions=["geolocation"],
            viewport={"width": 390, "height": 844},
        )
        page = phone.new_page()
        page.goto(f"{base}/driver/login?key={day.driver_key}")
        expect(page.locator("#driver-name")).to_have_text(driver.name)
        expect(page.locator("#route-summary")).to_contain_text("paradas")
        page.click("#depart")
        expect(page.locator("#next")).to_be_visible()
        expect(page.locator("#next-phone")).to_have_attribute(
            "href", f"tel:{stop_phone(day, stop)}"
        )
        expect(page.locator("#next-nav")).to_have_attribute(
            "href",
            f"https://www.google.com/maps/dir/?api=1&destination={stop.latitude},{stop.longitude}",
        )
        expect(page.locator("#gps")).to_contain_text("GPS enviado", timeout=10_000)

        customer = browser.new_context().new_page()
        customer.goto(f"{base}/track/{stop.tracking_token}?refresh=2")
        expect(customer.locator("#driver")).to_have_text(first_name)
        expect(customer.locator("#status")).to_have_text("En camino")
        expect(customer.locator("#track")).to_have_attribute(
            "data-position", "20.69,-103.39", timeout=10_000
        )
        phone.set_geolocation({"latitude": 20.70, "longitude": -103.38})
        expect(customer.locator("#track")).to_have_attribute(
            "data-position", "20.7,-103.38", timeout=15_000
        )

        page.click("#arrive")
        expect(page.locator("#message")).to_have_text("Llegada registrada.")
        page.fill("#recipient", "Juan Pérez")
        page.set_input_files("#photo", str(photo))
        page.click("#deliver-form button[type=submit]")
        expect(page.locator("#message")).to_have_text("Entrega registrada.")
        expect(customer.locator("#status")).to_have_text("Entregado", timeout=10_000)
        phone.close()
    with Session(day.engine) as s:
        row = s.get(t.Delivery, stop.id)
        assert row is not None and row.status == "delivered" and row.proof_photo
        assert (
            day.settings.data_dir / "proofs" / row.proof_photo
        ).read_bytes() == photo.read_bytes()


def stop_phone(day: Day, delivery: t.Delivery) -> str:
    with Session(day.engine) as s:
        order = s.get(t.Order, delivery.order_id)
        customer = s.get(t.Customer, order.customer_id) if order else None
        return (customer.phone if customer else None) or ""
