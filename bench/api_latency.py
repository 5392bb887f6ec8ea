"""API latency under load: product search and order creation, 20 concurrent clients over loopback HTTP.

Starts `topllantas serve` on the embedded default (SQLite, demo data) in a temporary data
directory, then runs closed-loop clients (each sends its next request when the previous one
answered) and prints p50/p95 beside the product description's "<200 ms" criterion and our
search target (p95 < 50 ms on this machine).

    python bench/api_latency.py [--clients 20] [--requests 40] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SIZES = (
    "205/55R16",
    "205 55 16",
    "185/65R15",
    "195/65 R15",
    "175/70R14",
    "215/65R16",
    "P225/45R17 94W",
    "265/70R17",
)
REFERENCE_MS = 200.0
SEARCH_TARGET_P95_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


async def wait_ready(base: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server did not become ready")


async def run_clients(
    base: str, key: str, clients: int, requests: int, make_request
) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0

    async def one_client(index: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as client:
            for n in range(requests):
                method, url, kwargs, ok = make_request(index, n)
                start = time.perf_counter()
                response = await client.request(method, url, **kwargs)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code not in ok:
                    errors += 1

    await asyncio.gather(*(one_client(i) for i in range(clients)))
    return latencies, errors


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="requests per client per scenario")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse a seeded data directory")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tl-bench-"))
    env = {
        **os.environ,
        "TOPLLANTAS_DATA_DIR": str(data_dir),
        "TOPLLANTAS_LOG_LEVEL": "WARNING",
        "TOPLLANTAS_RATE_LIMIT__PER_MINUTE": "100000000",
        "TOPLLANTAS_RATE_LIMIT__BURST": "1000000",
    }
    env.pop("TOPLLANTAS_DATABASE_URL", None)
    print(f"data dir: {data_dir}; seeding the demo data (first run only)...", flush=True)
    cli(env, "seed")
    key = cli(env, "keys", "create", "--role", "integration", "--name", "bench")
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(args.port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        await wait_ready(base)
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {key}"}
        ) as c:
            customer = (await c.get("/api/v1/customers", params={"limit": 1})).json()["items"][0][
                "id"
            ]
            stocked = (
                await c.get("/api/v1/inventory", params={"branch": "CDMX", "limit": 200})
            ).json()["items"]
        skus = [i["sku"] for i in stocked if i["available"] >= 10] or [stocked[0]["sku"]]

        def search(index: int, n: int):  # type: ignore[no-untyped-def]
            size = SIZES[(index + n) % len(SIZES)]
            return (
                "GET",
                "/api/v1/products",
                {"params": {"size": size, "in_stock": "true", "limit": 20}},
                {200},
            )

        def search_uncached(index: int, n: int):  # type: ignore[no-untyped-def]
            # A price bound no product reaches: same answer, but a new cache key every time.
            method, url, kwargs, ok = search(index, n)
            kwargs["params"]["max_price_cents"] = 10**9 + index * 10_000 + n
            return method, url, kwargs, ok

        def order(index: int, n: int):  # type: ignore[no-untyped-def]
            body = {
                "customer_id": customer,
                "branch_code": "CDMX",
                "lines": [{"sku": skus[(index * 7 + n) % len(skus)], "quantity": 1}],
            }
            headers = {"Idempotency-Key": f"bench-{time.time_ns()}-{index}-{n}"}
            return "POST", "/api/v1/orders", {"json": body, "headers": headers}, {201, 409}

        await run_clients(base, key, args.clients, 5, search)  # warm-up
        results = {}
        scenarios = (
            ("product search", search),
            ("search, no cache", search_uncached),
            ("order creation", order),
        )
        for name, make in scenarios:
            started = time.perf_counter()
            latencies, errors = await run_clients(base, key, args.clients, args.requests, make)
            elapsed = time.perf_counter() - started
            results[name] = (latencies, errors, len(latencies) / elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\n{args.clients} concurrent clients x {args.requests} requests, loopback HTTP, one uvicorn process, SQLite"
    )
    print(
        f"{'scenario':<16} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'req/s':>7} {'errors':>7}  reference"
    )
    for name, (latencies, errors, rps) in results.items():
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        ref = f"<{REFERENCE_MS:.0f} ms (product description): {'met' if p95 < REFERENCE_MS else 'NOT met'}"
        if name.startswith(("product search", "search")):
            ref += f"; target p95 <{SEARCH_TARGET_P95_MS:.0f} ms: {'met' if p95 < SEARCH_TARGET_P95_MS else 'NOT met'}"
        print(
            f"{name:<16} {p50:>8.1f} {p95:>8.1f} {statistics.mean(latencies):>8.1f} {rps:>7.0f} {errors:>7}  {ref}"
        )


if __name__ == "__main__":
    asyncio.run(main())
