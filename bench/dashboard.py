"""The dashboard's first load (HTML + its JSON refresh) on the demo's two years of history,
over loopback HTTP to a real server; prints each figure beside the 1 s target.

    python bench/dashboard.py [--data-dir DIR] [--runs 5]

The data directory is seeded with the full demo (760 days) when empty (about a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-dashboard"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    env = {**os.environ, "TOPLLANTAS_DATA_DIR": args.data_dir, "TOPLLANTAS_PORT": str(args.port),
           "TOPLLANTAS_KB__INDEX_ON_START": "false", "TOPLLANTAS_RESERVATION_SWEEP_SECONDS": "0",
           "TOPLLANTAS_RATE_LIMIT__PER_MINUTE": "100000"}  # fmt: skip
    topllantas = str(Path(sys.executable).parent / "topllantas")
    subprocess.run([topllantas, "seed"], env=env, check=True)
    key = subprocess.run(
        [topllantas, "keys", "create", "--role", "staff", "--name", "bench-dashboard"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    server = subprocess.Popen([topllantas, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        rows: dict[str, list[float]] = {}
        for _ in range(args.runs):
            with httpx.Client(base_url=base, timeout=30) as client:
                login = client.get("/login")
                csrf = login.text.split('name="csrf" value="')[1].split('"')[0]
                client.post("/login", data={"api_key": key, "csrf": csrf})
                for period in ("month", "week", "day", "year"):
                    started = time.perf_counter()
                    html = client.get("/dashboard", params={"period": period})
                    assets = [client.get(f"/static/{a}") for a in
                              ("dashboard.css", "dashboard.js", "uplot.iife.min.js", "uplot.min.css")]  # fmt: skip
                    html_done = time.perf_counter()
                    data = client.get("/dashboard/data.json", params={"period": period})
                    ended = time.perf_counter()
                    assert html.status_code == data.status_code == 200
                    assert all(a.status_code == 200 for a in assets)
                    rows.setdefault(f"{period}: HTML + assets", []).append(html_done - started)
                    rows.setdefault(f"{period}: JSON refresh", []).append(ended - html_done)
                    rows.setdefault(f"{period}: first load (both)", []).append(ended - started)
        print(f"dashboard, {args.runs} runs, demo history of two years ({args.data_dir})")
        print(f"{'load':34} {'median':>9} {'max':>9}  target")
        for name, values in rows.items():
            med, worst = statistics.median(values), max(values)
            verdict = "met" if med < 1.0 else "NOT met"
            print(f"{name:34} {med * 1000:7.0f} ms {worst * 1000:7.0f} ms  < 1 s: {verdict}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
