"""The first customer after `make run` on a fresh clone: time to ready and the first turn's latency.

    python bench/first_turn.py [--port 8767] [--keep]

Starts `topllantas serve` (what `make run` runs once .venv exists) on an empty data directory:
no database, no trained model, as on a fresh clone. It migrates, loads the demo data, trains the
intent classifier and only then listens, so the script waits until the port accepts connections,
sends the first chat message and prints both figures beside the target (first turn < 1 s).
A second start on the same directory shows the cached path (no seeding, model from the cache).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
FIRST_MESSAGE = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"
SECOND_MESSAGE = "Me interesa la Continental, ¿mañana las puedo recoger?"
TARGET_S = 1.0


def accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def echo_lines(stream: object, started: float, lines: list[str]) -> None:
    """Keep the server's output with the second it appeared (first-start steps)."""
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        line = raw.decode(errors="replace").rstrip()
        lines.append(f"  {time.perf_counter() - started:6.1f} s  {line}")


def start(data_dir: Path, port: int) -> dict[str, float]:
    env = {**os.environ, "TOPLLANTAS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    for name in ("TOPLLANTAS_DATABASE_URL", "TOPLLANTAS_CACHE_DIR"):
        env.pop(name, None)
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    threading.Thread(target=echo_lines, args=(server.stdout, began, lines), daemon=True).start()
    try:
        while not accepts(port):
            if server.poll() is not None:
                raise SystemExit("the server exited:\n" + "\n".join(lines))
            if time.perf_counter() - began > 300:
                raise SystemExit("the server did not listen within 300 s")
            time.sleep(0.02)
        ready = time.perf_counter() - began
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            t0 = time.perf_counter()
            first = client.post("/v1/chat", json={"message": FIRST_MESSAGE})
            first_s = time.perf_counter() - t0
            first.raise_for_status()
            t0 = time.perf_counter()
            second = client.post(
                "/v1/chat",
                json={"session_id": first.json()["session_id"], "message": SECOND_MESSAGE},
            )
            second_s = time.perf_counter() - t0
            second.raise_for_status()
        print("\n".join(line for line in lines if "GET /" not in line and "POST /" not in line))
        print(f"  first reply: {first.json()['reply'][:90]!r}...")
        return {"ready": ready, "first": first_s, "second": second_s}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="tl-first-turn-"))
    try:
        print(f"fresh clone: empty data directory {data_dir}")
        fresh = start(data_dir, args.port)
        print("second start, same directory:")
        again = start(data_dir, args.port)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\n{'start':<22} {'ready s':>8} {'1st turn ms':>12} {'2nd turn ms':>12}  reference")
    for name, run in (("fresh (empty DATA_DIR)", fresh), ("second start", again)):
        verdict = "met" if run["first"] < TARGET_S else "NOT met"
        print(
            f"{name:<22} {run['ready']:>8.1f} {run['first'] * 1000:>12.0f} "
            f"{run['second'] * 1000:>12.0f}  first turn < {TARGET_S:.0f} s: {verdict}"
        )


if __name__ == "__main__":
    main()
