"""The Twilio adapter's pure parts (bubbles, TwiML, form parsing, signatures), the cross-process
turn lock on PostgreSQL, and `topllantas whatsapp simulate` against a live server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from adapters.channels.twilio_whatsapp import (
    BUBBLE_CHARS,
    parse_inbound,
    parse_twiml,
    signature_ok,
    split_bubbles,
    twiml,
)
from api.app import create_app
from cli.main import app as cli
from core.errors import InvalidRequest
from core.settings import Settings, get_settings
from db.engine import TURN_LOCK, advisory_key
from db.repositories.inbound import conversation_lock
from tests.channels.support import PATH, TOKEN, form, signature, with_twilio
from tests.live_server import live_server


def test_short_replies_are_one_bubble_and_empty_ones_none() -> None:
    assert split_bubbles("  Hola 👋  ") == ["Hola 👋"]
    assert split_bubbles(" \n ") == []


def test_long_replies_split_on_paragraphs_then_lines_then_words() -> None:
    paragraphs = [f"Opción {n}: " + "x" * 700 for n in range(4)]
    bubbles = split_bubbles("\n\n".join(paragraphs))
    assert bubbles == ["\n\n".join(paragraphs[:2]), "\n\n".join(paragraphs[2:])]
    lines = "\n".join(f"línea {n} " + "y" * 90 for n in range(40))
    cut = split_bubbles(lines)
    assert all(len(b) <= BUBBLE_CHARS for b in cut) and "\n".join(cut) == lines
    words = " ".join(["palabra"] * 600)
    cut = split_bubbles(words)
    assert len(cut) > 1 and all(len(b) <= BUBBLE_CHARS for b in cut) and " ".join(cut) == words
    blob = "z" * 4000
    assert split_bubbles(blob) == ["z" * 1600, "z" * 1600, "z" * 800]


def test_twiml_escapes_xml_and_drops_illegal_characters() -> None:
    doc = twiml(["Precio < $2,000 & 4 llantas > 3", 'Dijo "sí"\x00\x07'])
    assert "&lt; $2,000 &amp; 4 llantas &gt; 3" in doc
    assert parse_twiml(doc) == ["Precio < $2,000 & 4 llantas > 3", 'Dijo "sí"']
    assert parse_twiml(twiml([])) == [] and twiml([]).endswith("<Response></Response>")


def test_the_form_is_parsed_with_media_location_and_buttons() -> None:
    msg = parse_inbound(
        form(
            "+5215512345678",
            "",
            NumMedia="1",
            MediaUrl0="https://m/1",
            MediaContentType0="application/pdf",
            ButtonText="Sí, confirmo",
            ButtonPayload="confirm_order",
        )
    )
    assert (
        msg.phone == "+5215512345678"
        and msg.wa_id == "5215512345678"
        and msg.profile_name == "Juan Pérez"
    )
    assert msg.agent_text() == "Sí, confirmo\n[archivo adjunto: application/pdf]"
    assert parse_inbound(form("+5215512345678", "  ¡Baja! ")).opt_change is False
    assert parse_inbound(form("+5215512345678", "start")).opt_change is True
    assert parse_inbound(form("+5215512345678", "baja la presión?")).opt_change is None
    for bad in (
        {"From": "whatsapp:5512345678"},
        {"MessageSid": "", "SmsMessageSid": "", "SmsSid": ""},
        {"SmsMessageSid": "", "SmsSid": "", "MessageSid": "x"},
        {"Latitude": "norte"},
        {"NumMedia": "dos"},
    ):
        with pytest.raises(InvalidRequest):
            parse_inbound({**form("+5215512345678", "hola"), **bad})


def test_signatures_follow_twilios_scheme() -> None:
    params = form("+5215512345678", "hola")
    url = "https://api.topllantas.mx/webhooks/twilio/whatsapp?x=1"
    good = signature(params, url)
    assert signature_ok(TOKEN, [url], params, good)
    assert signature_ok(TOKEN, ["https://otra.mx/", url], params, good)
    assert not signature_ok(TOKEN, [url.replace("?x=1", "")], params, good)
    assert not signature_ok(TOKEN, [url], {**params, "Body": "adiós"}, good)
    assert not signature_ok(TOKEN, [url], params, None)


def test_on_postgresql_a_turn_holds_an_advisory_lock_other_workers_wait_on(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; the embedded SQLite default is one process")
    phone = "+5215512345678"
    inside, release = threading.Event(), threading.Event()

    def turn() -> None:
        with conversation_lock(engine, phone):
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=turn)
    worker.start()
    assert inside.wait(10)
    other_process = sa.text("SELECT pg_try_advisory_lock(:ns, :key)")
    with engine.connect() as conn:  # another worker's connection
        assert (
            conn.execute(other_process, {"ns": TURN_LOCK, "key": advisory_key(phone)}).scalar()
            is False
        )
        release.set()
        worker.join()
        assert (
            conn.execute(other_process, {"ns": TURN_LOCK, "key": advisory_key(phone)}).scalar() is True
        )
        conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOPLLANTAS_TWILIO__AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("TOPLLANTAS_PUBLIC_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_simulate_sends_signed_webhooks_and_prints_the_twiml_replies(
    settings: Settings, engine: Engine, cli_env: None
) -> None:
    signed = with_twilio(settings)
    with live_server(create_app(signed, engine=engine)) as url:
        result = CliRunner().invoke(
            cli,
            ["whatsapp", "simulate", "--from", "+5215590000201", "--url", url, "--message", "BAJA"],
        )
        assert result.exit_code == 0, result.output
        assert "TopLlantas> " in result.output and "ALTA" in result.output
        unsigned = CliRunner().invoke(
            cli,
            [
                "whatsapp",
                "simulate",
                "--from",
                "+5215590000201",
                "--url",
                url.replace("127.0.0.1", "localhost"),
                "--message",
                "ALTA",
            ],
        )
        assert unsigned.exit_code == 0, unsigned.output  # signed over --url, whatever host it names
    bad = CliRunner().invoke(cli, ["whatsapp", "simulate", "--from", "55123", "--message", "hola"])
    assert bad.exit_code == 2 and "10 digits" in bad.output
    assert PATH == "/webhooks/twilio/whatsapp"
