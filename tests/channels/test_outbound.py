"""Outbound messages through the outbox to a Twilio-compatible server on loopback: order
notifications, the 24-hour window, opt-out, status callbacks, retries and deferred replies."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from adapters.channels.notifier import Notifier
from adapters.channels.twilio_whatsapp import parse_twiml
from api.app import create_app
from conversation.service import TurnResult
from core.settings import Settings, SmtpSettings
from db.engine import session_scope
from db.repositories.outbox import queue_message
from db.tables import AuditLog, Customer, InboundMessage, Order, Outbox
from domain.clock import utcnow
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.support import (
    ACCOUNT,
    SANDBOX,
    STATUS_PATH,
    TOKEN,
    form,
    post_signed,
    use_chat,
    with_twilio,
)
from tests.live_server import live_server

TEMPLATES = {"out_for_delivery": "HX" + "a" * 32}


@pytest.fixture(scope="module")
def twilio() -> Iterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio(ACCOUNT, TOKEN)
    with live_server(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake(twilio: tuple[FakeTwilio, str]) -> FakeTwilio:
    twilio[0].messages.clear()
    return twilio[0]


@pytest.fixture
def tw_settings(settings: Settings, twilio: tuple[FakeTwilio, str]) -> Settings:
    return with_twilio(
        settings, api_base_url=twilio[1], templates=TEMPLATES, reply_budget_seconds=0.05
    )


def an_order(engine: Engine) -> tuple[str, str, str]:
    """(folio, phone, first name) of a demo order whose customer takes notifications."""
    with Session(engine) as s:
        order, customer = s.exec(
            select(Order, Customer)
            .where(
                Order.customer_id == Customer.id,
                col(Customer.phone).is_not(None),
                Customer.consent_notifications,
            )
            .order_by(col(Order.id))
        ).first()  # type: ignore[misc]
        return str(order.folio), str(customer.phone), customer.name.split()[0]


def wrote_us(engine: Engine, phone: str, *, hours_ago: float) -> None:
    """The customer's last WhatsApp message was this long ago."""
    with session_scope(engine, write=True) as s:
        s.add(
            InboundMessage(
                provider_sid=f"SMold{phone[1:]}{int(hours_ago)}",
                phone=phone,
                status="replied",
                received_at=utcnow() - timedelta(hours=hours_ago),
            )
        )


def outbox_row(engine: Engine, outbox_id: int) -> Outbox:
    with Session(engine) as s:
        row = s.get(Outbox, outbox_id)
        assert row is not None
        return row


def status_callback(sid: str, status: str, phone: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT,
        "From": SANDBOX,
        "To": f"whatsapp:{phone}",
        "ApiVersion": "2010-04-01",
        "ChannelPrefix": "whatsapp",
        **extra,
    }


def test_pedido_en_camino_goes_through_the_outbox_to_twilio_and_the_status_callback_tracks_it(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    folio, phone, first = an_order(engine)
    wrote_us(engine, phone, hours_ago=2)  # inside the 24-hour window: free text
    with TestClient(create_app(tw_settings, engine=engine)) as client:
        row = Notifier(engine, tw_settings).notify_order(folio, "out_for_delivery", actor="test")
        assert row.status == "sent" and row.attempts == 1 and row.kind == "out_for_delivery"
        [sent] = fake.messages
        assert sent["To"] == f"whatsapp:{phone}" and sent["From"] == SANDBOX
        assert sent["Body"].startswith(f"¡Hola, {first}! Tu pedido #{folio} salió del almacén")
        assert "ContentSid" not in sent and row.provider_sid == sent["Sid"]
        assert sent["StatusCallback"] == tw_settings.public_base_url + STATUS_PATH

        unsigned = client.post(STATUS_PATH, data=status_callback(sent["Sid"], "delivered", phone))
        assert unsigned.status_code == 403 and outbox_row(engine, row.id).status == "sent"
        for status, expected in (
            ("delivered", "delivered"),
            ("sent", "delivered"),
            ("read", "read"),
            ("delivered", "read"),
        ):
            r = post_signed(
                client,
                status_callback(sent["Sid"], status, phone),
                settings=tw_settings,
                path=STATUS_PATH,
            )
            assert r.status_code == 204, r.text
            assert (
                outbox_row(engine, row.id).status == expected
            )  # callbacks out of order never go back
    with Session(engine) as s:
        audit = s.exec(
            select(AuditLog).where(AuditLog.entity == "outbox", AuditLog.entity_id == str(row.id))
        ).one()
        assert audit.action == "notify" and audit.actor == "test"


def test_outside_the_24_hour_window_only_an_approved_template_is_sent(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    folio, phone, first = an_order(engine)
    wrote_us(engine, phone, hours_ago=25)
    notifier = Notifier(engine, tw_settings)
    row = notifier.notify_order(folio, "out_for_delivery")
    [sent] = fake.messages
    assert "Body" not in sent and sent["ContentSid"] == TEMPLATES["out_for_delivery"]
    assert json.loads(sent["ContentVariables"]) == {"1": first, "2": folio}
    assert (
        row.status == "sent"
        and row.body is None
        and row.content_variables == {"1": first, "2": folio}
    )
    # No approved template for this kind: recorded as failed, nothing reaches Twilio.
    ready = notifier.notify_order(folio, "order_ready")
    assert (
        ready.status == "failed" and "template" in (ready.error or "") and len(fake.messages) == 1
    )


def test_an_opted_out_number_gets_no_notifications_until_alta(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    folio, phone, _ = an_order(engine)
    with TestClient(create_app(tw_settings, engine=engine)) as client:
        assert (
            "ALTA"
            in parse_twiml(post_signed(client, form(phone, "STOP"), settings=tw_settings).text)[0]
        )
        notifier = Notifier(engine, tw_settings)
        blocked = notifier.notify_order(folio, "out_for_delivery")
        assert blocked.status == "blocked" and fake.messages == []
        post_signed(client, form(phone, "alta"), settings=tw_settings)
        assert (
            notifier.notify_order(folio, "out_for_delivery").status == "sent"
        )  # in the window: they wrote
        assert len(fake.messages) == 1 and "Body" in fake.messages[0]


def test_a_technicians_answer_reaches_an_opted_out_customer_but_a_survey_does_not(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    _, phone, _ = an_order(engine)
    with TestClient(create_app(tw_settings, engine=engine)) as client:
        post_signed(client, form(phone, "STOP"), settings=tw_settings)
    # The server is stopped: its outbox sender cannot race this test's own deliveries.
    sent_before = len(fake.messages)  # the reply to STOP
    notifier = Notifier(engine, tw_settings)
    with session_scope(engine, write=True) as s:
        answer = queue_message(
            s, kind="case_reply", channel="whatsapp", to=phone, body="Te marco en 10 min"
        ).id
        survey = queue_message(
            s, kind="case_survey", channel="whatsapp", to=phone, body="¿Del 1 al 5?"
        ).id
    assert answer is not None and survey is not None
    assert notifier.deliver(answer).status == "sent"
    assert notifier.deliver(survey).status == "blocked"
    assert [m.get("Body") for m in fake.messages[sent_before:]] == ["Te marco en 10 min"]


def test_free_text_outside_the_window_goes_as_a_template_or_not_at_all(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    _, phone, _ = an_order(engine)  # never wrote us: outside the 24-hour window
    case_sid = "HX" + "b" * 32
    twilio = tw_settings.twilio.model_copy(
        update={"templates": {**TEMPLATES, "case_reply": case_sid}}
    )
    settings = tw_settings.model_copy(update={"twilio": twilio})
    notifier = Notifier(engine, settings)
    with session_scope(engine, write=True) as s:
        reply = queue_message(s, kind="case_reply", channel="whatsapp", to=phone, body="Ya quedó")
        reminder = queue_message(
            s, kind="appointment_reminder", channel="whatsapp", to=phone, body="Mañana 10:00"
        )
    assert reply.id is not None and reminder.id is not None
    assert notifier.deliver(reply.id).status == "sent"
    sent = fake.messages[-1]
    assert sent.get("ContentSid") == case_sid and "Ya quedó" in sent.get("ContentVariables", "")
    failed = notifier.deliver(reminder.id)
    assert failed.status == "failed" and "template" in (failed.error or "")
    assert len(fake.messages) == 1


def test_transient_twilio_errors_are_retried_and_bad_credentials_are_not(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    folio, phone, _ = an_order(engine)
    wrote_us(engine, phone, hours_ago=1)
    fake.fail_next(503)
    row = Notifier(engine, tw_settings, max_wait_s=0.01).notify_order(folio, "out_for_delivery")
    assert row.status == "sent" and row.attempts == 2 and len(fake.messages) == 1
    wrong = with_twilio(
        tw_settings, api_base_url=tw_settings.twilio.api_base_url, auth_token="wrong"
    )
    failed = Notifier(engine, wrong, max_wait_s=0.01).notify_order(folio, "out_for_delivery")
    assert failed.status == "failed" and failed.attempts == 1 and "401" in (failed.error or "")
    assert len(fake.messages) == 1


def test_without_credentials_the_outbox_records_and_a_local_sender_logs(
    settings: Settings, engine: Engine
) -> None:
    folio, phone, _ = an_order(engine)
    wrote_us(engine, phone, hours_ago=1)
    row = Notifier(engine, settings).notify_order(folio, "out_for_delivery")
    assert row.status == "sent" and (row.provider_sid or "").startswith("local-") and row.body


class GatedService:
    """A chat service whose turns wait for the test to open the gate."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.gate = threading.Event()
        self.calls = 0

    def run_turn(self, chat: Any, text: str, **_: Any) -> TurnResult:
        self.calls += 1
        assert self.gate.wait(20)
        return TurnResult(reply=self.reply, agent="logistics")


def test_a_slow_turn_is_acknowledged_at_once_and_its_reply_follows_through_the_rest_api(
    tw_settings: Settings, engine: Engine, fake: FakeTwilio
) -> None:
    phone = "+5215590000101"
    slow = GatedService("Tu pedido TL-000123 va en camino; llega hoy entre 4 y 6 pm.")
    params = form(phone, "¿dónde está mi pedido?")
    with TestClient(create_app(tw_settings, engine=engine)) as client:
        use_chat(client, slow)
        ack = post_signed(client, params, settings=tw_settings)
        assert ack.status_code == 200 and parse_twiml(ack.text) == []
        retry = post_signed(client, params, settings=tw_settings)  # Twilio retries while we work
        assert parse_twiml(retry.text) == [] and slow.calls == 1
        slow.gate.set()
        deadline = time.monotonic() + 20
        while not fake.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        [sent] = fake.messages
        assert sent["To"] == f"whatsapp:{phone}" and sent["Body"] == slow.reply
        after = post_signed(client, params, settings=tw_settings)  # a late retry: nothing twice
        assert parse_twiml(after.text) == [] and slow.calls == 1 and len(fake.messages) == 1
    with Session(engine) as s:
        inbound = s.exec(select(InboundMessage).where(InboundMessage.phone == phone)).one()
        assert inbound.status == "queued" and inbound.reply == slow.reply
        row = s.exec(select(Outbox).where(Outbox.to == phone)).one()
        assert row.kind == "reply" and row.status == "sent" and row.provider_sid == sent["Sid"]


def test_messages_of_one_number_are_processed_one_at_a_time(
    tw_settings: Settings, engine: Engine
) -> None:
    active, most = [0], [0]
    lock = threading.Lock()

    class Counting:
        def run_turn(self, chat: Any, text: str, **_: Any) -> TurnResult:
            with lock:
                active[0] += 1
                most[0] = max(most[0], active[0])
            time.sleep(0.15)
            with lock:
                active[0] -= 1
            return TurnResult(reply=f"eco: {text}", agent="sales")

    relaxed = with_twilio(
        tw_settings, api_base_url=tw_settings.twilio.api_base_url, reply_budget_seconds=10
    )
    with TestClient(create_app(relaxed, engine=engine)) as client:
        use_chat(client, Counting())
        post_signed(client, form("+5215590000102", "hola"), settings=relaxed)  # first contact
        answers: list[list[str]] = []

        def send(n: int) -> None:
            r = post_signed(client, form("+5215590000102", f"mensaje {n}"), settings=relaxed)
            answers.append(parse_twiml(r.text))

        threads = [threading.Thread(target=send, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert most[0] == 1 and sorted(answers) == [
        ["eco: mensaje 0"],
        ["eco: mensaje 1"],
        ["eco: mensaje 2"],
    ]


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for one message per connection."""

    def handle(self) -> None:
        self.wfile.write(b"220 fake ESMTP\r\n")
        mail: dict[str, Any] = {"rcpt": []}
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-fake\r\n250 8BITMIME\r\n")
            elif verb == "MAIL":
                mail["from"] = line.decode().strip()
                self.wfile.write(b"250 OK\r\n")
            elif verb == "RCPT":
                mail["rcpt"].append(line.decode().strip())
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                mail["message"] = email.message_from_bytes(data, policy=email.policy.default)
                self.server.mails.append(mail)  # type: ignore[attr-defined]
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


def test_an_email_notification_goes_out_over_smtp(settings: Settings, engine: Engine) -> None:
    with Session(engine) as s:
        order, customer = s.exec(
            select(Order, Customer)
            .where(
                Order.customer_id == Customer.id,
                col(Customer.email).is_not(None),
                Customer.consent_notifications,
            )
            .order_by(col(Order.id))
        ).first()  # type: ignore[misc]
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.mails = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        smtp = SmtpSettings(
            host="127.0.0.1",
            port=server.server_address[1],
            from_addr="TopLlantas <avisos@topllantas.mx>",
        )
        row = Notifier(engine, settings.model_copy(update={"smtp": smtp})).notify_order(
            str(order.folio), "order_ready", channel="email"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert row.status == "sent" and row.to == customer.email
    [mail] = server.mails  # type: ignore[attr-defined]
    message = mail["message"]
    assert message["To"] == customer.email and message["Subject"] == "Tu pedido está listo"
    assert f"Tu pedido #{order.folio} ya está listo para recoger" in message.get_content()
    assert message["Message-ID"] == row.provider_sid


def test_the_server_sends_outbox_messages_left_unsent(settings: Settings, engine: Engine) -> None:
    """A crash between writing a message and sending it: the server's sweep sends it."""
    import time

    from fastapi.testclient import TestClient

    from api.app import create_app
    from db.engine import session_scope
    from db.tables.channels import Outbox

    with session_scope(engine, write=True) as session:
        row_id = queue_message(
            session,
            kind="order_ready",
            channel="whatsapp",
            to="+5215500001111",
            body="Tu pedido está listo para recoger",
        ).id
    fast = settings.model_copy(update={"reservation_sweep_seconds": 0.05})
    with TestClient(create_app(fast, engine=engine)):
        deadline = time.monotonic() + 10
        status = "queued"
        while status == "queued" and time.monotonic() < deadline:
            time.sleep(0.05)
            with Session(engine) as s:
                row = s.get(Outbox, row_id)
                assert row is not None
                status = row.status
    assert status == "sent"
