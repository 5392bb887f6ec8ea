"""kill -9 of a real `topllantas serve` at random points of WhatsApp and web-chat turns: after
restarts, retries and the sweep, every message has exactly one reply and the database is
consistent (no stock held without its order, no twin reservations)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.channels.twilio_whatsapp import parse_twiml, split_bubbles
from conversation.service import load_nlu
from core.settings import Settings
from db.engine import make_engine, session_scope
from db.repositories.api_keys import create_key
from tests.channels.fake_twilio import FakeTwilio
from tests.channels.support import ACCOUNT, PATH, SANDBOX, TOKEN, form, signature
from tests.live_server import free_port, live_server

ROOT = Path(__file__).resolve().parents[2]
JETTA_1 = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"
JETTA_2 = "Me interesa la Continental, ¿mañana las puedo recoger?"
CONVERSATION = (JETTA_1, JETTA_2)  # the second message reserves 4 tires


class Server:
    """`topllantas serve` in a subprocess, killed with SIGKILL and started again."""

    def __init__(self, data_dir: Path, env: dict[str, str], port: int) -> None:
        self.data_dir, self.env, self.port = data_dir, env, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.startup_s: list[float] = []

    def start(self) -> None:
        log = (self.data_dir / f"serve-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.starts += 1
        began = time.monotonic()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.data_dir / "serve-0.log").read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    self.startup_s.append(time.monotonic() - began)
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def fake_twilio() -> Iterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio(ACCOUNT, TOKEN)
    with live_server(fake.app) as url:
        yield fake, url


def post(
    server: Server, client: httpx.Client, kill_after: float | None, path: str, **request: Any
) -> Any:
    """One request; with ``kill_after``, the server is killed that many seconds after it was
    sent. A request that dies with the server is retried, after a restart, until answered
    (what Twilio and a web client do)."""
    killer = None
    if kill_after is not None:
        killer = threading.Timer(kill_after, server.kill)
        killer.start()
    answer = None
    try:
        answer = client.post(server.url + path, timeout=60, **request)
    except httpx.HTTPError:
        if killer is None:
            raise
    finally:
        if killer is not None:
            killer.join()  # the kill lands mid-turn, or just after the answer went out
    if killer is not None:
        server.start()
    if answer is None:  # the request died with the server: the client sends it again
        return post(server, client, None, path, **request)
    return answer


def consistency(engine: Engine) -> dict[str, int]:
    """Units held on stock rows that no active reservation explains (the demo data has some;
    the number must not move), active reservations of orders no longer reserved and test
    customers with two open reservations (both must stay zero)."""
    queries = {
        "unexplained_held_units": """
            SELECT COALESCE(sum(s.reserved - COALESCE((SELECT sum(r.quantity) FROM reservation r
              WHERE r.product_id = s.product_id AND r.branch_id = s.branch_id
              AND r.status = 'active'), 0)), 0) FROM stock s""",
        "orphan_reservations": """
            SELECT count(*) FROM reservation r JOIN orders o ON o.id = r.order_id
            WHERE r.status = 'active' AND o.status != 'reserved'""",
        "twin_reservations": """
            SELECT count(*) FROM (SELECT o.customer_id FROM orders o JOIN customer c
              ON c.id = o.customer_id WHERE o.status = 'reserved' AND c.phone LIKE '+52155977%'
              GROUP BY o.customer_id HAVING count(*) > 1) t""",
    }
    with engine.connect() as conn:
        return {k: int(conn.execute(sa.text(q)).scalar_one()) for k, q in queries.items()}


def test_killed_mid_turn_every_message_is_answered_once_and_the_data_stays_whole(
    tmp_path: Path, sqlite_template: Path, model_cache: Path, fake_twilio: tuple[FakeTwilio, str]
) -> None:
    fake, fake_url = fake_twilio
    shutil.copy(sqlite_template, tmp_path / "topllantas.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'topllantas.db'}")
    with session_scope(engine, write=True) as session:
        admin, _ = create_key(session, role="admin", name="kill-test", actor="test")
    before = consistency(engine)
    # The Spanish model, trained once per test run (the server only loads it from the cache).
    load_nlu(Settings(environment="test", data_dir=tmp_path, cache_dir=model_cache), engine)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPLLANTAS_")}
    env |= {
        "TOPLLANTAS_ENVIRONMENT": "test",
        "TOPLLANTAS_DATA_DIR": str(tmp_path),
        "TOPLLANTAS_CACHE_DIR": str(model_cache),
        "TOPLLANTAS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TOPLLANTAS_AUTH__SECRET_KEY": "kill-test-" + "x" * 40,
        "TOPLLANTAS_RESERVATION_SWEEP_SECONDS": "0.5",
        "TOPLLANTAS_RECOVERY__LEASE_SECONDS": "3",
        "TOPLLANTAS_TWILIO__ACCOUNT_SID": ACCOUNT,
        "TOPLLANTAS_TWILIO__AUTH_TOKEN": TOKEN,
        "TOPLLANTAS_TWILIO__WHATSAPP_FROM": SANDBOX,
        "TOPLLANTAS_TWILIO__API_BASE_URL": fake_url,
        "TOPLLANTAS_LOG_LEVEL": "WARNING",
    }
    server = Server(tmp_path, env, port)
    rng = random.Random(13)
    kills_planned = {(0, 1), (1, 0)}  # (WhatsApp conversation, message) killed mid-turn
    twiml: dict[str, list[str]] = {}  # inbound MessageSid -> first bubble answered in TwiML
    web_replies: list[str] = []
    try:
        server.start()
        with httpx.Client() as client:
            for n in range(3):  # WhatsApp conversations (the third is not killed)
                phone = f"+52155977000{n}"
                for m, text in enumerate(CONVERSATION):
                    params = form(phone, text)
                    sig = signature(params, f"{server.url}{PATH}")
                    kill = rng.uniform(0.02, 0.4) if (n, m) in kills_planned else None
                    answer = post(
                        server, client, kill, PATH, data=params,
                        headers={"X-Twilio-Signature": sig},
                    )  # fmt: skip
                    assert answer.status_code == 200, answer.text
                    bubbles = parse_twiml(answer.text)
                    if bubbles:
                        twiml[params["MessageSid"]] = bubbles[0]
            for n in range(2):  # web-chat conversations, killed during the reservation
                session_id = None
                for m, text in enumerate(CONVERSATION):
                    body = {
                        "session_id": session_id,
                        "message": text,
                        "as": {"role": "customer", "phone": f"+52155977100{n}"},
                    }
                    kill = rng.uniform(0.02, 0.4) if (n, m) == (0, 1) else None
                    answer = post(
                        server, client, kill, "/v1/chat", json=body,
                        headers={"Authorization": f"Bearer {admin}"},
                    )  # fmt: skip
                    assert answer.status_code == 200, answer.text
                    session_id = answer.json()["session_id"]
                    web_replies.append(answer.json()["reply"])
        # The sweep (every 0.5 s) sends what is left; give it the leases' length and more (a loaded
        # CI machine needs far more than the 3 s lease: the loop ends as soon as all is sent).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                open_rows = conn.execute(
                    sa.text("SELECT count(*) FROM inbound_message "
                            "WHERE status IN ('processing', 'deferred')")
                ).scalar_one()  # fmt: skip
                unsent = conn.execute(
                    sa.text("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")
                ).scalar_one()
            if open_rows == 0 and unsent == 0:
                break
            time.sleep(0.25)
    finally:
        server.stop()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT provider_sid, phone, status, reply FROM inbound_message "
                    "WHERE phone LIKE '+52155977%' ORDER BY id")
        ).all()  # fmt: skip
    assert len(rows) == 6 and all(r.status in ("replied", "queued") for r in rows), rows
    sent = [(m["To"].removeprefix("whatsapp:"), m["Body"]) for m in fake.messages]
    answered = {}
    for sid, phone, _status, reply in rows:  # exactly one way out per message
        first = split_bubbles(reply)[0]
        by_twiml = int(twiml.get(sid) == first)
        by_rest = sum(1 for to, body in sent if to == phone and body == first)
        answered[sid] = by_twiml + by_rest
    lost = [s for s, n in answered.items() if n == 0]
    twice = [s for s, n in answered.items() if n > 1]
    sys.stdout.write(  # the figures, for -s runs and reports
        f"\nkills={server.starts - 1} whatsapp={len(rows)} web={len(web_replies)} "
        f"twiml={len(twiml)} rest_sends={len(sent)} lost={len(lost)} duplicated={len(twice)} "
        f"startups={[round(s, 1) for s in server.startup_s]}\n"
    )
    assert server.starts - 1 == 3  # every planned kill happened (and the server came back)
    assert not lost and not twice, answered
    assert all("Folio: TL-" in r for r in web_replies[1::2]), web_replies
    after = consistency(engine)
    assert after == before and after["orphan_reservations"] == after["twin_reservations"] == 0
    engine.dispose()
