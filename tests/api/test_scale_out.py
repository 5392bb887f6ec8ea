"""Scale-out on PostgreSQL and Redis with real processes: two `topllantas serve` as on two
machines (a data directory each, so no file lock is shared) share one rate-limit budget per
key, run one conversation's turns one at a time in the order they arrived, and refuse a revoked
key within the cache window; two `topllantas worker` processes run the nightly job once.

Skipped unless TOPLLANTAS_TEST_DATABASE_URL and TOPLLANTAS_TEST_REDIS_URL are set (CI sets
both); the servers start once for the module (about 20 s) to keep CI short.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from conversation.locks import CONVERSATION_LOCK, ConversationLocks
from conversation.service import load_nlu
from core.settings import Settings
from db.engine import make_engine, session_scope
from db.repositories.api_keys import create_key, revoke_key
from domain.clock import mexico_today
from tests.conftest import PG_URL, pg_create, pg_drop
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TOPLLANTAS_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not (PG_URL and REDIS_URL),
    reason="TOPLLANTAS_TEST_DATABASE_URL and TOPLLANTAS_TEST_REDIS_URL are not both set",
)
BURST = 10  # per key, refilled at 1 a minute: the budget is the burst during the test
KEY_CACHE_S = 1.0


@dataclass
class Process:
    """A `topllantas` command in a subprocess, its output in a log file."""

    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", *self.args],
            cwd=ROOT, env=self.env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Cluster:
    engine: Engine
    env: dict[str, str]
    urls: list[str]
    tmp: Path
    servers: list[Process] = field(default_factory=list)

    def key(self, role: str) -> str:
        return self.key_and_prefix(role)[0]

    def key_and_prefix(self, role: str) -> tuple[str, str]:
        with session_scope(self.engine, write=True) as session:
            key, info = create_key(session, role=role, name=f"scale-{role}", actor="test")
        return key, info.prefix


def _wait_ready(server: Process, url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert server.proc is not None and server.proc.poll() is None, server.output()
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not start:\n{server.output()}")


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, pg_template: str, model_cache: Path
) -> Iterator[Cluster]:
    assert REDIS_URL
    tmp = tmp_path_factory.mktemp("scale-out")
    name = f"tl_scale_{os.getpid()}"
    url = pg_create(name, pg_template)
    engine = make_engine(url)
    # The Spanish model, trained once per test run; the servers only load it.
    load_nlu(Settings(environment="test", data_dir=tmp, cache_dir=model_cache), engine)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPLLANTAS_")}
    env |= {
        "TOPLLANTAS_ENVIRONMENT": "test",
        "TOPLLANTAS_DATABASE_URL": url,
        "TOPLLANTAS_REDIS_URL": REDIS_URL,
        "TOPLLANTAS_CACHE_DIR": str(model_cache),
        "TOPLLANTAS_AUTH__SECRET_KEY": "scale-out-" + "x" * 40,
        "TOPLLANTAS_AUTH__KEY_CACHE_SECONDS": str(KEY_CACHE_S),
        "TOPLLANTAS_RATE_LIMIT__PER_MINUTE": "1",
        "TOPLLANTAS_RATE_LIMIT__BURST": str(BURST),
        "TOPLLANTAS_SWEEP_IN_SERVER": "false",  # the workers below run it
        "TOPLLANTAS_LOG_LEVEL": "WARNING",
    }
    cluster = Cluster(engine, env, [], tmp)
    try:
        for n in range(2):  # started side by side, as two machines would be
            port = free_port()
            data_dir = tmp / f"machine-{n}"
            server = Process(
                ["serve", "--port", str(port)],
                env | {"TOPLLANTAS_DATA_DIR": str(data_dir),
                       "TOPLLANTAS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
                tmp / f"serve-{n}.log",
            )  # fmt: skip
            data_dir.mkdir()
            server.start()
            cluster.servers.append(server)
            cluster.urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 180
        for server, base in zip(cluster.servers, cluster.urls, strict=True):
            _wait_ready(server, base, deadline)
        yield cluster
    finally:
        for server in cluster.servers:
            server.stop()
        engine.dispose()
        pg_drop(name)


def test_two_workers_share_one_rate_limit_budget(cluster: Cluster) -> None:
    key = cluster.key("integration")
    statuses: dict[str, list[int]] = {url: [] for url in cluster.urls}
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        for _ in range(BURST):  # twice the budget, alternating between the workers
            for url in cluster.urls:
                statuses[url].append(client.get(f"{url}/api/v1/branches").status_code)
    granted = sum(s == 200 for codes in statuses.values() for s in codes)
    assert granted == BURST, statuses  # once in all, not once per worker
    assert all(set(codes) <= {200, 429} for codes in statuses.values()), statuses
    assert all(429 in codes for codes in statuses.values())  # both refuse once it is spent


def _waiting_on_conversations(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = :ns AND NOT granted"
                ),
                {"ns": CONVERSATION_LOCK},
            ).scalar_one()
        )


def test_one_conversations_turns_run_one_at_a_time_in_arrival_order(cluster: Cluster) -> None:
    """The test holds the conversation's lock while messages reach alternate workers, each
    sent once the one before is seen waiting in PostgreSQL; when the test lets go, the turns
    must run one at a time in that order. Workers that ordered turns only within their machine
    would not wait at all (and then lose or interleave messages)."""
    a, b = cluster.urls
    first = httpx.post(f"{a}/v1/chat", json={"message": "Hola, buenas tardes"}, timeout=60)
    assert first.status_code == 200, first.text
    session_id = first.json()["session_id"]
    rounds = [
        [(a, "Necesito llantas 205/55R16"), (b, "¿Cuánto cuestan las más baratas?")],
        [(b, "¿Y en Monterrey tienen?"), (a, "Gracias, lo pienso")],
    ]
    replies: dict[str, str] = {}
    sent: list[str] = []
    locks = ConversationLocks(cluster.tmp / "test-locks", cluster.engine)
    try:
        for messages in rounds:
            threads = []
            with locks.hold(f"chat:{session_id}"):
                for n, (url, text) in enumerate(messages, start=1):

                    def send(url: str = url, text: str = text) -> None:
                        answer = httpx.post(
                            f"{url}/v1/chat",
                            json={"session_id": session_id, "message": text},
                            timeout=60,
                        )
                        replies[text] = answer.json()["reply"] if answer.is_success else answer.text

                    thread = threading.Thread(target=send)
                    thread.start()
                    threads.append(thread)
                    sent.append(text)
                    deadline = time.monotonic() + 30
                    while _waiting_on_conversations(cluster.engine) < n:
                        assert time.monotonic() < deadline, "the worker did not wait for the lock"
                        time.sleep(0.02)
            for thread in threads:
                thread.join(60)
    finally:
        locks.close()
    staff = cluster.key("staff")
    stored = httpx.get(
        f"{b}/v1/conversations/{session_id}",
        headers={"Authorization": f"Bearer {staff}"},
        timeout=30,
    ).json()["messages"]
    said = [m["content"] for m in stored if m["role"] == "customer"]
    assert said == ["Hola, buenas tardes", *sent]  # every message once, in arrival order
    for text in sent:  # each turn saw the one before it and answered its own message
        at = next(i for i, m in enumerate(stored) if m["role"] == "customer" and m["content"] == text)
        after = stored[at + 1 :]
        nxt = next((i for i, m in enumerate(after) if m["role"] == "customer"), len(after))
        answers = [m["content"] for m in after[:nxt] if m["role"] == "assistant" and m["content"]]
        assert answers and answers[-1] == replies[text], (text, answers, replies[text])


def test_a_revoked_key_and_its_tokens_are_refused_by_every_worker_within_the_cache_window(
    cluster: Cluster,
) -> None:
    key, prefix = cluster.key_and_prefix("integration")
    a, b = cluster.urls
    token = httpx.post(
        f"{a}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": prefix, "client_secret": key},
        timeout=30,
    )
    assert token.status_code == 200, token.text
    bearers = [key, token.json()["access_token"]]
    for credential in bearers:  # known (and cached) by both workers
        for url in (a, b):
            answer = httpx.get(
                f"{url}/api/v1/branches", headers={"Authorization": f"Bearer {credential}"}
            )
            assert answer.status_code == 200, answer.text
    with session_scope(cluster.engine, write=True) as session:
        revoke_key(session, prefix, actor="test")
    time.sleep(KEY_CACHE_S + 0.5)
    for credential in bearers:
        for url in (a, b):
            answer = httpx.get(
                f"{url}/api/v1/branches", headers={"Authorization": f"Bearer {credential}"}
            )
            assert answer.status_code == 401, (url, answer.text)


def test_two_workers_run_the_nightly_job_once(cluster: Cluster) -> None:
    env = cluster.env | {
        "TOPLLANTAS_INVENTORY__NIGHTLY_ENABLED": "true",
        "TOPLLANTAS_INVENTORY__NIGHTLY_HOUR": "0",
        # a short history and horizon: the job in seconds, its locking unchanged
        "TOPLLANTAS_INVENTORY__HISTORY_WEEKS": "24",
        "TOPLLANTAS_INVENTORY__HORIZON_WEEKS": "2",
        # the forecast in processes of its own, as with the demo's 300+ series: the job's
        # process must be allowed children (a daemonic one failed every nightly run)
        "TOPLLANTAS_INVENTORY__FORECAST_PROCESSES": "2",
    }
    workers = []
    for n in range(2):
        data_dir = cluster.tmp / f"worker-{n}"
        data_dir.mkdir()
        workers.append(
            Process(
                ["worker", "--once"],
                env | {"TOPLLANTAS_DATA_DIR": str(data_dir)},
                cluster.tmp / f"worker-{n}.log",
            )
        )
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            assert worker.proc is not None
            assert worker.proc.wait(timeout=300) == 0, worker.output()
    finally:
        for worker in workers:
            worker.stop()
    with cluster.engine.connect() as conn:
        runs = conn.execute(
            sa.text("SELECT count(*) FROM forecast_run WHERE run_date = :d"),
            {"d": mexico_today()},
        ).scalar_one()
    assert runs == 1, [w.output() for w in workers]
