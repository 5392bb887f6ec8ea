"""Chat latency on the offline model: p50/p95/p99 per turn over HTTP, open and closed loop.

    python bench/chat_latency.py [--rates 30] [--workers 1] [--duration 60]
                                 [--conversations 20] [--only open-loop|closed-loop|in-process]

open loop    the target's conditions: customers arrive on their own schedule, whatever the
             server is doing. Conversations start as a Poisson process and each next message
             follows the reply after an exponential think time (mean --think seconds), so the
             turns arrive as a Poisson stream at about --rates turns/s (a superposition of many
             sparse streams); the conversations are bench/conversations.py (multi-turn Spanish,
             written as customers write). Target: p95 < 100 ms at ~30 turns/s over HTTP.
closed loop  --conversations clients each send the product description's three turns (quote
             for a Jetta 2020, reserve the Continental with a payment link, thanks), the next
             one the moment a reply arrives (the server saturated), then with 1-3 s of typing.
in process   the same turns straight through ChatService from a thread pool (no HTTP).
saturated    --saturate clients send the conversations back-to-back for --saturate-seconds:
             the server's throughput (turns/s) per worker count, side by side, with the CPU
             per turn of the server, of PostgreSQL and of this client (they share the cores).

The server is `topllantas serve --workers N` (uvicorn) on loopback, with the demo data, in a
temporary data directory; each worker count is a fresh start. The store is the embedded SQLite
default, or PostgreSQL with --database-url (created and seeded on first use, kept for the next
run); --redis-url shares the rate-limit budgets among the workers as in production.

    python bench/chat_latency.py --workers 1,2 --only saturated,open-loop \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tl_bench_chat \
        --redis-url redis://127.0.0.1:6379/14
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_latency import percentile, wait_ready  # noqa: E402
from bench.conversations import CONVERSATIONS  # noqa: E402
from bench.lean_http import LeanClient  # noqa: E402
from domain.messages import TROUBLE_REPLY  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TURNS = CONVERSATIONS[0]  # the product description's conversation
TARGET_P95_MS = 100.0
TARGET_SPEEDUP = 1.7  # two workers against one, on 2 cores
MODES = ("open-loop", "closed-loop", "in-process", "saturated")


@dataclass
class Run:
    """The latencies of one mode and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    failed: int = 0  # the calm "tuve un problema" reply: the turn failed inside the service
    errors: int = 0  # HTTP errors
    rate: float | None = None  # achieved turns/s (open loop)
    offered: float | None = None
    cpu_ms: float | None = None  # server CPU per turn (HTTP modes, Linux)
    sent: int = 0  # every turn sent (open loop: also those outside the steady window)
    pg_cpu_ms: float | None = None  # PostgreSQL's CPU per turn (saturated, PostgreSQL only)
    client_cpu_ms: float | None = None  # this client's CPU per turn (saturated)
    error_kinds: dict[str, int] = field(default_factory=dict)  # what the errors were

    def error(self, kind: str) -> None:
        """Count an HTTP error of this kind."""
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def kinds_text(self) -> str:
        """The errors by kind: "ConnectionError x2, HTTP 500 x1"."""
        return ", ".join(f"{k} x{n}" for k, n in sorted(self.error_kinds.items()))


def seed(env: dict[str, str]) -> None:
    """The demo data, and the knowledge base's index built before any server starts: a fresh
    data dir's first server embeds the guides and product sheets in the background (a minute
    of CPU), which would be measured as the chat's."""
    for command in (["seed"], ["kb", "refresh"]):
        subprocess.run(
            [sys.executable, "-m", "cli.main", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )


def release_holds() -> int:
    """Give back every unit the earlier runs reserved (the bench's customers reserve the same
    few products): each run starts from the same stock, or a later run would find it gone
    and measure the cheaper "no stock" turns."""
    from datetime import timedelta

    from core.settings import Settings
    from db.engine import make_engine, session_scope
    from db.repositories.orders import expire_reservations
    from domain.clock import utcnow

    engine = make_engine(Settings().resolved_database_url)
    try:
        with session_scope(engine, write=True) as session:
            later = utcnow() + timedelta(days=365)
            return len(expire_reservations(session, actor="bench", now=later))
    finally:
        engine.dispose()


def in_process(conversations: int) -> Run:
    from conversation.service import open_chat_service
    from core.settings import Settings
    from db.engine import make_engine, session_scope
    from db.repositories.chat import start_session

    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    run = Run()

    def new_session():  # type: ignore[no-untyped-def]
        with session_scope(engine, write=True) as s:
            return start_session(s, owner="bench", role="customer", channel="web", customer_id=None)

    with open_chat_service(settings, engine) as service:
        service.run_turn(new_session(), "hola")  # warm-up

        def conversation(_: int) -> list[tuple[float, str]]:
            chat = new_session()
            out = []
            for text in TURNS:
                start = time.perf_counter()
                reply = service.run_turn(chat, text).reply
                out.append(((time.perf_counter() - start) * 1000, reply))
            return out

        with ThreadPoolExecutor(max_workers=conversations) as pool:
            for result in pool.map(conversation, range(conversations)):
                for ms, reply in result:
                    run.latencies.append(ms)
                    run.failed += reply == TROUBLE_REPLY
    engine.dispose()
    return run


async def _send(
    client: LeanClient, run: Run, session_id: str | None, text: str
) -> tuple[str | None, float]:
    """One turn: the session to continue and its latency in ms (recorded in ``run``)."""
    start = time.perf_counter()
    try:
        status, body = await client.post_json(
            "/v1/chat", {"session_id": session_id, "message": text}
        )
    except (OSError, ValueError) as exc:  # transport failure, or a body that is not JSON
        run.error(type(exc).__name__)
        return session_id, float("nan")
    ms = (time.perf_counter() - start) * 1000
    run.latencies.append(ms)
    if status != 200:
        run.error(f"HTTP {status}")
        return session_id, ms
    run.failed += body["reply"] == TROUBLE_REPLY
    return body["session_id"] or session_id, ms


async def _warm_up(base: str, turns: int = 5) -> None:
    """A few turns before measuring (not counted)."""
    async with lean_client(base) as client:
        for _ in range(turns):
            await client.post_json("/v1/chat", {"message": "hola, buenas"})


async def closed_loop(base: str, conversations: int, think_s: float = 0.0) -> Run:
    run = Run()
    rng = random.Random(7)

    async def conversation(client: LeanClient) -> None:
        session_id = None
        await asyncio.sleep(rng.uniform(0, think_s))
        for n, text in enumerate(TURNS):
            if n:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)  # the customer types
            session_id, _ = await _send(client, run, session_id, text)

    await _warm_up(base, 1)

    async def with_own_connection() -> None:  # as a browser tab each
        async with lean_client(base) as client:
            await conversation(client)

    await asyncio.gather(*(with_own_connection() for _ in range(conversations)))
    return run


async def open_loop(base: str, rate: float, duration_s: float, think_s: float) -> Run:
    """Conversations arrive as a Poisson process; their turns follow replies after think time.

    Figures count the turns sent in the steady part of the arrival window: after the first
    conversations have had time to reach their later turns, before arrivals stop.
    """
    everything = Run()
    rng = random.Random(11)
    mean_turns = statistics.mean(len(c) for c in CONVERSATIONS)
    timed: list[tuple[float, float]] = []  # (sent at, ms)
    loop = asyncio.get_running_loop()

    async def conversation(number: int, at: float, script: tuple[str, ...]) -> None:
        session_id = None
        think = random.Random(rng.random())
        await asyncio.sleep(max(0.0, at - loop.time()))
        async with customer_client(base, number) as client:  # each customer its own address
            for n, text in enumerate(script):
                if n:
                    await asyncio.sleep(think.expovariate(1 / think_s))
                sent = loop.time()
                session_id, ms = await _send(client, everything, session_id, text)
                timed.append((sent, ms))

    await _warm_up(base)
    start = loop.time() + 0.1
    tasks, at = [], start
    while (at := at + rng.expovariate(rate / mean_turns)) < start + duration_s:
        script = CONVERSATIONS[rng.randrange(len(CONVERSATIONS))]
        tasks.append(asyncio.create_task(conversation(len(tasks), at, script)))
    await asyncio.gather(*tasks)
    ramp = min(duration_s / 4, think_s * (mean_turns - 1) + 1)
    steady = [ms for sent, ms in timed if start + ramp <= sent < start + duration_s]
    return Run(
        latencies=[ms for ms in steady if ms == ms],  # NaN: an HTTP error, counted below
        failed=everything.failed,
        errors=everything.errors,
        error_kinds=everything.error_kinds,
        rate=len(steady) / (duration_s - ramp),
        offered=rate,
        sent=len(timed),
    )


async def saturated(base: str, clients: int, duration_s: float) -> Run:
    """``clients`` customers each send their conversation's turns back-to-back (the next the
    moment the reply arrives; a new conversation when one ends) for ``duration_s``: the
    server's throughput. Counts the turns answered after the first fifth of the window."""
    timed: list[tuple[float, float]] = []  # (answered at, ms)
    everything = Run()
    loop = asyncio.get_running_loop()

    async def customer(n: int, end: float) -> None:
        rng = random.Random(n)
        conversations = 0
        while loop.time() < end:
            # each conversation from an address of its own, as different people
            async with customer_client(base, n * 1000 + conversations) as client:
                conversations += 1
                session_id = None
                for text in CONVERSATIONS[rng.randrange(len(CONVERSATIONS))]:
                    if loop.time() >= end:
                        return
                    session_id, ms = await _send(client, everything, session_id, text)
                    timed.append((loop.time(), ms))

    await _warm_up(base)
    start = loop.time()
    end = start + duration_s
    await asyncio.gather(*(customer(n, end) for n in range(clients)))
    steady_from = start + duration_s / 5
    steady = [ms for done, ms in timed if steady_from <= done <= end and ms == ms]
    return Run(
        latencies=steady,
        failed=everything.failed,
        errors=everything.errors,
        error_kinds=everything.error_kinds,
        rate=len(steady) / (end - steady_from),
        sent=len(timed),
    )


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on this machine (its backends serve the bench)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        if name.startswith("postgres"):
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured_saturated(pid: int, clients: int, duration_s: float) -> Run:
    """A saturated run with the CPU per turn of the server, PostgreSQL and this client."""
    server, pg, client = cpu_seconds(pid), postgres_cpu_seconds(), time.process_time()
    run: Run = asyncio.run(saturated(f"http://127.0.0.1:{PORT[0]}", clients, duration_s))
    if run.sent:
        run.cpu_ms = (cpu_seconds(pid) - server) * 1000 / run.sent
        run.pg_cpu_ms = (postgres_cpu_seconds() - pg) * 1000 / run.sent
        run.client_cpu_ms = (time.process_time() - client) * 1000 / run.sent
    return run


PORT = [8766]  # the server's port, set from --port


def customer_address(n: int) -> str:
    """A loopback address of its own per simulated customer (127.0.1.1, 127.0.1.2, ...): real
    customers write from many addresses, and the keyless per-IP rules (budgets, the open holds
    of an address) would otherwise see every customer of the bench as one. Linux answers on
    all of 127.0.0.0/8."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def lean_client(base: str, local_address: str | None = None) -> LeanClient:
    """The load generator's client for ``base`` (http://host:port): bench/lean_http.py says
    why not httpx here."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return LeanClient(host, int(port), local_address=local_address)


def customer_client(base: str, n: int) -> LeanClient:
    """An HTTP client that connects from ``customer_address(n)``."""
    return lean_client(base, customer_address(n))


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (uvicorn workers), from /proc; 0 elsewhere."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measured(pid: int, coroutine: Any) -> Run:
    """Run a load and note the server's CPU per answered turn."""
    before = cpu_seconds(pid)
    run: Run = asyncio.run(coroutine)
    sent = run.sent or len(run.latencies)
    if sent:
        run.cpu_ms = (cpu_seconds(pid) - before) * 1000 / sent
    return run


def settle(pid: int, timeout_s: float = 120) -> None:
    """Wait until the server's processes stop using CPU (workers still loading the model)."""
    deadline = time.monotonic() + timeout_s
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds(pid)
        if now - last < 0.1:
            return
        last = now


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    log = Path(env["TOPLLANTAS_DATA_DIR"]) / f"serve-{workers}-workers.log"
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def report(results: dict[str, Run]) -> None:
    print(f"\n{'path':<38} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  reference")
    for name, run in results.items():
        values = run.latencies
        if not values:
            print(f"{name:<38} no turns answered ({run.errors} HTTP errors)")
            continue
        p95 = percentile(values, 95)
        verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
        ref = f"p95 < {TARGET_P95_MS:.0f} ms over HTTP: {verdict}" if "HTTP" in name else ""
        print(
            f"{name:<38} {len(values):>6} {percentile(values, 50):>8.1f} {p95:>8.1f} "
            f"{percentile(values, 99):>8.1f}  {ref}"
        )
        if run.rate is not None:
            print(f"{'':<38} achieved {run.rate:.1f} turns/s (offered {run.offered:.0f}/s)")
        if run.cpu_ms is not None:
            print(f"{'':<38} server CPU {run.cpu_ms:.1f} ms per turn (all turns of the run)")
        if run.failed or run.errors:
            kinds = run.kinds_text()
            print(
                f"{'':<38} {run.failed} failed turns (trouble reply), {run.errors} HTTP errors"
                + (f" ({kinds})" if kinds else "")
            )


def report_saturated(results: dict[int, Run], clients: int, store: str) -> None:
    """Throughput per worker count side by side, and the speed-up against one worker."""
    print(
        f"\nSaturated: {clients} clients back-to-back on {store}"
        f"\n{'workers':>7} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'server CPU':>11} "
        f"{'PG CPU':>7} {'client CPU':>11} {'errors':>7}  speed-up (ms of CPU per turn)"
    )
    base = results.get(min(results)) if results else None
    for workers, run in sorted(results.items()):
        if not run.latencies or run.rate is None:
            print(f"{workers:>7} no turns answered ({run.errors} HTTP errors)")
            continue
        speedup = ""
        if base is not None and base.rate and workers != min(results):
            ratio = run.rate / base.rate
            verdict = "met" if ratio >= TARGET_SPEEDUP else "NOT met"
            speedup = f"{ratio:.2f}x (target >= {TARGET_SPEEDUP}x: {verdict})"
        print(
            f"{workers:>7} {run.rate:>8.1f} {percentile(run.latencies, 50):>8.1f} "
            f"{percentile(run.latencies, 95):>8.1f} {run.cpu_ms or 0:>11.1f} "
            f"{run.pg_cpu_ms or 0:>7.1f} {run.client_cpu_ms or 0:>11.1f} "
            f"{run.failed + run.errors:>7}  {speedup}"
        )
        if run.error_kinds:
            print(f"{'':>7} errors: {run.kinds_text()}")
    top = results[max(results)] if results else None
    if base is not None and base.rate and top is not None and top is not base and top.cpu_ms:
        # Every core busy with nothing idle: the most these CPU costs per turn allow when the
        # server, PostgreSQL and the load generator share this machine's cores.
        spent = top.cpu_ms + (top.pg_cpu_ms or 0) + (top.client_cpu_ms or 0)
        cores = os.cpu_count() or 1
        ceiling = cores * 1000 / spent
        print(
            f"\nCeiling here: {cores} cores / {spent:.1f} ms of CPU per turn (server + PostgreSQL "
            f"+ client at {max(results)} workers) = {ceiling:.0f} turns/s, "
            f"{ceiling / base.rate:.2f}x one worker; measured {top.rate / base.rate:.2f}x "
            f"({top.rate * spent / 10 / cores:.0f}% of the cores busy)"
        )


def prepare_database(url: str) -> None:
    """Create the PostgreSQL database the first time (it is kept, seeded, for later runs)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--rates",
        type=lambda v: [float(r) for r in v.split(",")],
        default=[30.0],
        help="open loop: turns per second, comma-separated for several runs (default 30)",
    )
    parser.add_argument("--duration", type=float, default=60.0, help="open loop: seconds")
    parser.add_argument("--think", type=float, default=3.0, help="open loop: mean think time s")
    parser.add_argument(
        "--workers",
        type=lambda v: [int(w) for w in v.split(",")],
        default=[1],
        help="server worker processes, comma-separated for several runs (default 1)",
    )
    parser.add_argument("--conversations", type=int, default=20, help="closed loop clients")
    parser.add_argument(
        "--only",
        type=lambda v: set(v.split(",")),
        default=None,
        help=f"comma-separated modes among {', '.join(MODES)} (default: all but saturated)",
    )
    parser.add_argument("--saturate", type=int, default=20, help="saturated: clients")
    parser.add_argument("--saturate-seconds", type=float, default=40.0, help="saturated: s")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of SQLite")
    parser.add_argument("--redis-url", default=None, help="shared rate-limit budgets")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    PORT[0] = args.port
    if args.only and not args.only <= set(MODES):
        parser.error(f"--only takes {', '.join(MODES)}")
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tl-chat-bench-"))
    os.environ.update(
        {
            "TOPLLANTAS_DATA_DIR": str(data_dir),
            "TOPLLANTAS_LOG_LEVEL": "WARNING",
            "TOPLLANTAS_RATE_LIMIT__PER_MINUTE": "100000000",
            "TOPLLANTAS_RATE_LIMIT__BURST": "1000000",
            # every customer of the bench writes from 127.0.0.1: lift the keyless budgets
            "TOPLLANTAS_ABUSE__CHAT_IP_PER_MINUTE": "100000000",
            "TOPLLANTAS_ABUSE__CHAT_IP_BURST": "1000000",
            "TOPLLANTAS_ABUSE__CHAT_SESSION_PER_MINUTE": "100000000",
            "TOPLLANTAS_ABUSE__CHAT_SESSION_BURST": "1000000",
            # ... and the cap on unpaid anonymous holds per address (each client reserves)
            "TOPLLANTAS_ABUSE__GUEST_OPEN_HOLDS_PER_IP": "1000000",
            # scheduled jobs of a minute's CPU would land in the middle of a measurement
            "TOPLLANTAS_INVENTORY__NIGHTLY_ENABLED": "false",
            "TOPLLANTAS_LOGISTICS__PLAN_ENABLED": "false",
        }
    )
    for name in ("TOPLLANTAS_DATABASE_URL", "TOPLLANTAS_REDIS_URL"):
        os.environ.pop(name, None)
    store = "SQLite"
    if args.database_url:
        prepare_database(args.database_url)
        os.environ["TOPLLANTAS_DATABASE_URL"] = args.database_url
        store = "PostgreSQL"
    if args.redis_url:
        os.environ["TOPLLANTAS_REDIS_URL"] = args.redis_url
        store += " + Redis"
    env = dict(os.environ)
    start_load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"data dir: {data_dir}; store: {store}; load average at the start {start_load}")
    print("seeding (first run only) and indexing the knowledge base...", flush=True)
    seed(env)
    wanted = args.only or {"open-loop", "closed-loop", "in-process"}
    results: dict[str, Run] = {}
    saturated_runs: dict[int, Run] = {}
    for workers in args.workers if wanted & {"open-loop", "closed-loop", "saturated"} else []:
        label = f"{workers} worker{'s' if workers > 1 else ''}"
        released = release_holds()
        print(f"{label}: {released} holds of earlier runs released", flush=True)
        server = serve(env, args.port, workers)
        base = f"http://127.0.0.1:{args.port}"
        try:
            asyncio.run(wait_ready(base, timeout_s=300))
            settle(server.pid)  # every worker started, not just the first one listening
            if "saturated" in wanted:
                print(
                    f"{label}: saturated, {args.saturate} clients for "
                    f"{args.saturate_seconds:g} s...",
                    flush=True,
                )
                saturated_runs[workers] = measured_saturated(
                    server.pid, args.saturate, args.saturate_seconds
                )
            if "open-loop" in wanted:
                for rate in args.rates:
                    print(
                        f"{label}: open loop {rate:g} turns/s for {args.duration:g} s...",
                        flush=True,
                    )
                    results[f"HTTP {label}, open loop {rate:g}/s"] = measured(
                        server.pid, open_loop(base, rate, args.duration, args.think)
                    )
            if "closed-loop" in wanted and workers == args.workers[0]:
                n = args.conversations
                results[f"HTTP {label}, {n} back-to-back"] = measured(
                    server.pid, closed_loop(base, n)
                )
                results[f"HTTP {label}, {n} typing 1-3 s"] = measured(
                    server.pid, closed_loop(base, n, 2.0)
                )
        finally:
            server.terminate()
            server.wait(timeout=60)
    if "in-process" in wanted:
        release_holds()
        results[f"in process, {args.conversations} back-to-back"] = in_process(args.conversations)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nOffline model, {store}; {os.cpu_count()} CPUs, load average "
        f"{load} (1/5/15 min) at the end: other work on the machine slows every figure."
    )
    if results:
        report(results)
    if saturated_runs:
        report_saturated(saturated_runs, args.saturate, store)


if __name__ == "__main__":
    main()
