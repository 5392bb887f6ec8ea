"""Soak: mixed traffic for --minutes on PostgreSQL with `serve --workers 2`, then the checks.

    python bench/soak.py [--minutes 10] [--workers 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/tl_bench_soak]
        [--redis-url redis://127.0.0.1:6379/13]

Traffic, each stream open loop (Poisson arrivals, whatever the server is doing):
  chat       anonymous web conversations (bench/conversations.py: quotes, reservations, support)
  reads      product search, inventory, orders list (an admin key)
  orders     orders of 1-3 tires on a few SKUs with little stock at one branch, so they
             compete for the same units (a deposit link each); half are then paid through the
             link's checkout
  webhooks   signed WhatsApp messages from a pool of numbers, one at a time per number; one in
             ten is delivered twice (Twilio's retry: same MessageSid)

Checks at the end: 0 errors (5xx, transport errors, the chat's trouble reply, an unexpected 4xx;
a 409 "not enough stock" is a correct answer), 0 oversell (no stock row with more reserved than
on hand or negative, no reserved units without their reservation, active or confirmed by a
paid deposit, beyond what the demo data had), 0 lost or duplicated WhatsApp messages (one inbound row per message, each replied,
a retry answered with the first reply), memory flat (RSS of the server processes, first
minute against the last).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_latency import percentile, wait_ready  # noqa: E402
from bench.chat_latency import customer_address, prepare_database, seed, settle  # noqa: E402
from bench.conversations import CONVERSATIONS  # noqa: E402
from domain.messages import TROUBLE_REPLY  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "soak-twilio-token-" + "x" * 14
WEBHOOK = "/webhooks/twilio/whatsapp"
WA_TEXTS = (
    "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?",
    "¿Y la más barata?",
    "¿A qué hora abren el sábado?",
    "Gracias",
)


@dataclass
class Tally:
    """Outcomes per stream."""

    ok: dict[str, int] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    ms: dict[str, list[float]] = field(default_factory=dict)

    def good(self, stream: str, ms: float) -> None:
        self.ok[stream] = self.ok.get(stream, 0) + 1
        self.ms.setdefault(stream, []).append(ms)

    def bad(self, stream: str, what: str) -> None:
        self.errors.setdefault(stream, []).append(what)


@dataclass
class WhatsAppLog:
    """What the bench sent and got back per MessageSid."""

    replies: dict[str, str] = field(default_factory=dict)
    retried: dict[str, tuple[str, str]] = field(default_factory=dict)  # sid -> (first, retry)


def customer_client(base: str, n: int) -> httpx.AsyncClient:
    """An httpx client that connects from ``customer_address(n)`` (the soak checks answers,
    not throughput: httpx's CPU is no matter here)."""
    transport = httpx.AsyncHTTPTransport(local_address=customer_address(n))
    return httpx.AsyncClient(base_url=base, timeout=60, transport=transport)


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the uvicorn workers), in KB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if status.parent.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def consistency(engine: sa.Engine) -> dict[str, int]:
    queries = {
        "oversold_rows": "SELECT count(*) FROM stock WHERE reserved > on_hand OR reserved < 0 "
        "OR on_hand < 0",
        "unexplained_held_units": """
            SELECT COALESCE(sum(s.reserved - COALESCE((SELECT sum(r.quantity) FROM reservation r
              WHERE r.product_id = s.product_id AND r.branch_id = s.branch_id
              AND r.status IN ('active', 'confirmed')), 0)), 0) FROM stock s""",
    }
    with engine.connect() as conn:
        return {k: int(conn.execute(sa.text(q)).scalar_one()) for k, q in queries.items()}


def contested_skus(engine: sa.Engine) -> list[str]:
    """A few SKUs with 6-12 units free at CDMX: orders for them soon run out and compete."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT p.sku FROM stock s JOIN product p ON p.id = s.product_id "
                "JOIN branch b ON b.id = s.branch_id WHERE b.code = 'CDMX' "
                "AND s.on_hand - s.reserved BETWEEN 6 AND 12 ORDER BY p.sku LIMIT 6"
            )
        ).all()
    return [r.sku for r in rows]


def a_customer(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT min(id) FROM customer")).scalar_one())


async def poisson(rate: float, end: float, rng: random.Random, start_one) -> None:  # type: ignore[no-untyped-def]
    """Start ``start_one()`` tasks at Poisson times until ``end``; wait for them all."""
    loop = asyncio.get_running_loop()
    tasks = []
    at = loop.time()
    while (at := at + rng.expovariate(rate)) < end:
        await asyncio.sleep(max(0.0, at - loop.time()))
        tasks.append(asyncio.create_task(start_one()))
    await asyncio.gather(*tasks)


async def traffic(
    base: str, key: str, engine: sa.Engine, args: argparse.Namespace
) -> tuple[Tally, WhatsAppLog]:
    tally, wa = Tally(), WhatsAppLog()
    loop = asyncio.get_running_loop()
    end = loop.time() + args.minutes * 60
    skus = contested_skus(engine)
    customer_id = a_customer(engine)
    validator = RequestValidator(TOKEN)
    auth = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    phones = [f"+5215598{n:06d}" for n in range(args.phones)]
    free_phones: asyncio.Queue[str] = asyncio.Queue()
    for phone in phones:
        free_phones.put_nowait(phone)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def timed(
            stream: str, method: str, url: str, ok: tuple[int, ...] = (200,), via=None, **kw
        ):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                r = await (via or client).request(method, url, **kw)
            except httpx.HTTPError as exc:
                tally.bad(stream, f"{method} {url}: {type(exc).__name__}")
                return None
            if r.status_code not in ok:
                tally.bad(stream, f"{method} {url}: {r.status_code} {r.text[:120]}")
                return None
            tally.good(stream, (time.perf_counter() - start) * 1000)
            return r

        numbers = iter(range(10**6))

        async def conversation() -> None:
            rng = random.Random()
            session_id = None
            # each customer from an address of its own (the keyless per-IP rules)
            async with customer_client(base, next(numbers)) as own:
                for n, text in enumerate(CONVERSATIONS[rng.randrange(len(CONVERSATIONS))]):
                    if n:
                        await asyncio.sleep(rng.expovariate(1 / 3.0))
                    r = await timed(
                        "chat",
                        "POST",
                        "/v1/chat",
                        via=own,
                        json={"session_id": session_id, "message": text},
                    )
                    if r is None:
                        return
                    body = r.json()
                    if body["reply"] == TROUBLE_REPLY:
                        tally.bad("chat", f"trouble reply to {text!r}")
                    session_id = body["session_id"] or session_id

        async def read() -> None:
            path = random.choice(
                (
                    "/api/v1/products?size=205%2055%2016&in_stock=true",
                    "/api/v1/products?brand=Michelin&limit=20",
                    "/api/v1/inventory?low_stock=true&limit=20",
                    "/api/v1/orders?limit=5",
                )
            )
            await timed("reads", "GET", path, headers=auth)

        async def order() -> None:
            body = {
                "customer_id": customer_id,
                "branch_code": "CDMX",
                "lines": [{"sku": random.choice(skus), "quantity": random.randint(1, 3)}],
                "deposit_cents": 50_000,
                "with_deposit_link": True,
            }
            headers = auth | {"Idempotency-Key": str(uuid.uuid4())}
            r = await timed(
                "orders", "POST", "/api/v1/orders", ok=(201, 200, 409), json=body, headers=headers
            )
            if r is None or r.status_code == 409 or random.random() < 0.5:
                return
            links = r.json().get("payment_links") or []
            if not links:
                tally.bad("orders", "no deposit link on a reserved order")
                return
            await timed("payments", "POST", f"/pay/{links[0]['token']}/confirm", ok=(303,))

        async def whatsapp() -> None:
            phone = await free_phones.get()  # one message at a time per number, like a person
            try:
                sid = "SM" + uuid.uuid4().hex
                params = {
                    "MessageSid": sid, "From": f"whatsapp:{phone}", "To": "whatsapp:+14155238886",
                    "Body": random.choice(WA_TEXTS), "ProfileName": "Soak", "NumMedia": "0",
                    "AccountSid": "AC" + "0" * 32,
                }  # fmt: skip
                headers = {
                    "X-Twilio-Signature": validator.compute_signature(base + WEBHOOK, params)
                }
                r = await timed("webhooks", "POST", WEBHOOK, data=params, headers=headers)
                if r is None:
                    return
                wa.replies[sid] = r.text
                if random.random() < 0.1:  # Twilio delivers it again
                    again = await timed("webhooks", "POST", WEBHOOK, data=params, headers=headers)
                    if again is not None:
                        wa.retried[sid] = (r.text, again.text)
            finally:
                free_phones.put_nowait(phone)

        mean_turns = sum(len(c) for c in CONVERSATIONS) / len(CONVERSATIONS)
        await asyncio.gather(
            poisson(args.chat_rate / mean_turns, end, random.Random(1), conversation),
            poisson(args.read_rate, end, random.Random(2), read),
            poisson(args.order_rate, end, random.Random(3), order),
            poisson(args.webhook_rate, end, random.Random(4), whatsapp),
        )
    return tally, wa


def whatsapp_checks(engine: sa.Engine, wa: WhatsAppLog) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT provider_sid, status, reply FROM inbound_message WHERE phone LIKE '+5215598%'"
            )
        ).all()
    by_sid: dict[str, list[str]] = {}
    for sid, status, _reply in rows:
        by_sid.setdefault(sid, []).append(status)
    sent = set(wa.replies)
    return {
        "sent": len(sent),
        "lost": sum(1 for sid in sent if sid not in by_sid),
        "duplicated_rows": sum(1 for sid in sent if len(by_sid.get(sid, [])) > 1),
        "not_replied": sum(1 for sid in sent if by_sid.get(sid) and by_sid[sid][0] != "replied"),
        "retries": len(wa.retried),
        "retry_other_reply": sum(1 for first, again in wa.retried.values() if first != again),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/tl_bench_soak"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--chat-rate", type=float, default=8.0, help="chat turns/s")
    parser.add_argument("--read-rate", type=float, default=15.0, help="API reads/s")
    parser.add_argument("--order-rate", type=float, default=2.0, help="orders/s")
    parser.add_argument("--webhook-rate", type=float, default=2.0, help="WhatsApp messages/s")
    parser.add_argument("--phones", type=int, default=40, help="WhatsApp numbers writing")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tl-soak-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    lifted = "100000000"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPLLANTAS_")} | {
        "TOPLLANTAS_DATA_DIR": str(data_dir),
        "TOPLLANTAS_DATABASE_URL": args.database_url,
        "TOPLLANTAS_REDIS_URL": args.redis_url,
        "TOPLLANTAS_LOG_LEVEL": "WARNING",
        "TOPLLANTAS_PUBLIC_BASE_URL": base,
        "TOPLLANTAS_TWILIO__AUTH_TOKEN": TOKEN,  # signed webhooks; no account: replies logged
        "TOPLLANTAS_RATE_LIMIT__PER_MINUTE": lifted,
        "TOPLLANTAS_RATE_LIMIT__BURST": lifted,
        # one client address plays every customer: lift the keyless budgets
        **{f"TOPLLANTAS_ABUSE__{b}_{k}": lifted
           for b in ("CHAT_IP", "CHAT_SESSION", "PAY_IP", "PAY_LINK", "OAUTH_IP", "OAUTH_CLIENT")
           for k in ("PER_MINUTE", "BURST")},
        "TOPLLANTAS_INVENTORY__NIGHTLY_ENABLED": "false",
        "TOPLLANTAS_LOGISTICS__PLAN_ENABLED": "false",
        "TOPLLANTAS_RESERVATION_SWEEP_SECONDS": "10",
    }  # fmt: skip
    prepare_database(args.database_url)
    print(
        f"data dir {data_dir}; load average at the start {os.getloadavg()[0]:.1f}; seeding (first run only)...",
        flush=True,
    )
    seed(env)
    key = subprocess.run(
        [sys.executable, "-m", "cli.main", "keys", "create", "--role", "admin", "--name", "soak"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    engine = sa.create_engine(args.database_url)
    before = consistency(engine)
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env, cwd=ROOT, stdout=(data_dir / "serve.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    memory: list[tuple[float, int]] = []
    try:
        asyncio.run(wait_ready(base, timeout_s=300))
        settle(server.pid)
        print(f"{args.workers} workers ready; {args.minutes:g} min of mixed traffic...", flush=True)
        started = time.monotonic()

        async def run() -> tuple[Tally, WhatsAppLog]:
            async def sample() -> None:
                while True:
                    memory.append((time.monotonic() - started, rss_kb(server.pid)))
                    await asyncio.sleep(10)

            sampler = asyncio.create_task(sample())
            try:
                return await traffic(base, key, engine, args)
            finally:
                sampler.cancel()

        tally, wa = asyncio.run(run())
        memory.append((time.monotonic() - started, rss_kb(server.pid)))
        time.sleep(3)  # replies that went through the outbox
    finally:
        server.terminate()
        server.wait(timeout=60)
    after = consistency(engine)
    checks = whatsapp_checks(engine, wa)
    engine.dispose()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nSoak: {args.minutes:g} min, {args.workers} workers, PostgreSQL + Redis; load average {load} at the end"
    )
    print(f"{'stream':<10} {'ok':>7} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for stream in ("chat", "reads", "orders", "payments", "webhooks"):
        ms = tally.ms.get(stream, [])
        p50 = f"{percentile(ms, 50):.1f}" if ms else "-"
        p95 = f"{percentile(ms, 95):.1f}" if ms else "-"
        print(
            f"{stream:<10} {tally.ok.get(stream, 0):>7} {len(tally.errors.get(stream, [])):>7} {p50:>8} {p95:>8}"
        )
    errors = sum(len(v) for v in tally.errors.values())
    for stream, what in tally.errors.items():
        for line in what[:5]:
            print(f"  {stream}: {line}")
    oversell = after["oversold_rows"] + max(
        0, after["unexplained_held_units"] - before["unexplained_held_units"]
    )
    print(f"stock: {after} (before {before})")
    print(f"WhatsApp: {checks}")
    steady = [kb for t, kb in memory if t >= 60] or [kb for _, kb in memory]
    growth = (steady[-1] - steady[0]) / steady[0] * 100 if steady and steady[0] else 0.0
    print(
        "memory (RSS of the server processes, MB): "
        + ", ".join(f"{t:.0f}s {kb / 1024:.0f}" for t, kb in memory[:: max(1, len(memory) // 8)])
        + f"; from the first minute to the end {growth:+.1f} %"
    )
    lost = (
        checks["lost"]
        + checks["duplicated_rows"]
        + checks["not_replied"]
        + checks["retry_other_reply"]
    )
    verdict = {
        "0 errors": errors == 0,
        "0 oversell": oversell == 0,
        "0 lost or duplicated messages": lost == 0,
        "memory flat (< 10 % after the first minute)": growth < 10,
    }
    for name, met in verdict.items():
        print(f"{name}: {'met' if met else 'NOT met'}")
    sys.exit(0 if all(verdict.values()) else 1)


if __name__ == "__main__":
    main()
