"""Chat latency on the offline model: p50/p95 per turn in-process and over HTTP, 20 conversations.

    python bench/chat_latency.py [--conversations 20] [--data-dir DIR]

In-process runs turns straight through ChatService from a thread pool; HTTP starts
`topllantas serve` and drives /v1/chat from 20 concurrent clients. Each conversation is the
product description's: a quote for a Jetta 2020, the choice of the Continental with pickup
tomorrow (a reservation with a payment link), then an order-status question. Target: p95 <
100 ms per turn over HTTP on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_latency import percentile, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TURNS = (
    "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?",
    "Me interesa la Continental, ¿mañana las puedo recoger?",
    "gracias!",
)
TARGET_P95_MS = 100.0


def seed(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "cli.main", "seed"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def in_process(conversations: int) -> list[float]:
    from conversation.service import open_chat_service
    from core.settings import Settings
    from db.engine import make_engine, session_scope
    from db.repositories.chat import start_session

    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    latencies: list[float] = []
    with open_chat_service(settings, engine) as service:
        service.run_turn(_session(engine, start_session, session_scope), "hola")  # warm-up

        def conversation(_: int) -> list[float]:
            chat = _session(engine, start_session, session_scope)
            out = []
            for text in TURNS:
                start = time.perf_counter()
                service.run_turn(chat, text)
                out.append((time.perf_counter() - start) * 1000)
            return out

        with ThreadPoolExecutor(max_workers=conversations) as pool:
            for result in pool.map(conversation, range(conversations)):
                latencies.extend(result)
    engine.dispose()
    return latencies


def _session(engine, start_session, session_scope):  # type: ignore[no-untyped-def]
    with session_scope(engine, write=True) as s:
        return start_session(s, owner="bench", role="customer", channel="web", customer_id=None)


async def over_http(base: str, conversations: int, think_s: float = 0.0) -> list[float]:
    latencies: list[float] = []
    rng = random.Random(7)

    async def conversation() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            session_id = None
            await asyncio.sleep(rng.uniform(0, think_s))
            for text in TURNS:
                if session_id is not None:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)  # the customer types
                start = time.perf_counter()
                r = await client.post("/v1/chat", json={"session_id": session_id, "message": text})
                latencies.append((time.perf_counter() - start) * 1000)
                r.raise_for_status()
                session_id = r.json()["session_id"]

    async with httpx.AsyncClient(base_url=base, timeout=60) as warm:
        await warm.post("/v1/chat", json={"message": "hola"})
    await asyncio.gather(*(conversation() for _ in range(conversations)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tl-chat-bench-"))
    os.environ.update(
        {
            "TOPLLANTAS_DATA_DIR": str(data_dir),
            "TOPLLANTAS_LOG_LEVEL": "WARNING",
            "TOPLLANTAS_RATE_LIMIT__PER_MINUTE": "100000000",
            "TOPLLANTAS_RATE_LIMIT__BURST": "1000000",
        }
    )
    os.environ.pop("TOPLLANTAS_DATABASE_URL", None)
    env = dict(os.environ)
    print(f"data dir: {data_dir}; seeding (first run only)...", flush=True)
    seed(env)
    results = {"in-process": in_process(args.conversations)}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(args.port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        asyncio.run(wait_ready(base))
        results["HTTP"] = asyncio.run(over_http(base, args.conversations))
        results["HTTP, 2 s think"] = asyncio.run(over_http(base, args.conversations, think_s=2.0))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\n{args.conversations} concurrent conversations x {len(TURNS)} turns, offline model, SQLite"
    )
    print("(HTTP: every conversation sends its next message the moment it gets a reply, i.e. the")
    print(" server saturated; 'think': customers take 1-3 s to type, as on WhatsApp)")
    print(f"{'path':<16} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}  reference")
    for name, values in results.items():
        p95 = percentile(values, 95)
        verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
        ref = (
            f"target p95 <{TARGET_P95_MS:.0f} ms over HTTP: {verdict}"
            if name.startswith("HTTP")
            else ""
        )
        print(
            f"{name:<16} {len(values):>6} {percentile(values, 50):>8.1f} {p95:>8.1f} "
            f"{statistics.mean(values):>8.1f}  {ref}"
        )


if __name__ == "__main__":
    main()
