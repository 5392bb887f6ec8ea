"""The real `topllantas` command, run as a process on a fresh data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOPLLANTAS_DATA_DIR": str(data_dir)}
    env.pop("TOPLLANTAS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    first = run(path, "seed", "--anchor", "2026-11-20", "--history-days", "40")
    assert first.returncode == 0, first.stderr
    assert "Seeded:" in first.stdout and (path / "topllantas.db").exists()
    return path


def test_seed_is_idempotent(data_dir: Path) -> None:
    again = run(data_dir, "seed")
    assert again.returncode == 0 and "nothing done" in again.stdout


def test_keys_create_list_revoke(data_dir: Path) -> None:
    created = run(data_dir, "keys", "create", "--role", "integration", "--name", "erp-sap")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("tl_") and len(key) > 40
    prefix = key.split("_")[1]
    listed = run(data_dir, "keys", "list").stdout
    assert prefix in listed and "erp-sap" in listed and key not in listed
    assert run(data_dir, "keys", "revoke", prefix).returncode == 0
    assert "revoked" in run(data_dir, "keys", "list").stdout
    bad = run(data_dir, "keys", "create", "--role", "king", "--name", "x")
    assert (
        bad.returncode == 2
        and "unknown role 'king'" in bad.stderr
        and "Traceback" not in bad.stderr
    )


def test_fitment_import_reports_bad_lines_and_keeps_good_data(
    data_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "fitment.csv"
    good.write_text(
        "make,model,year_from,year_to,trim,front_size,rear_size,notes\nNissan,Prueba,2020,2024,,205/55 R16,,\n"
    )
    ok = run(data_dir, "fitment", "import", str(good))
    assert ok.returncode == 0 and "1 rows (1 new" in ok.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "make,model,year_from,year_to,trim,front_size,rear_size,notes\nNissan,Otra,2020,2024,,205/55 R16,,\nNissan,Mala,20x0,,,,,\n"
    )
    failed = run(data_dir, "fitment", "import", str(bad))
    assert failed.returncode == 2
    assert "nothing imported" in failed.stderr and "line 3: year_from '20x0'" in failed.stderr
    assert run(data_dir, "fitment", "import", str(tmp_path / "missing.csv")).returncode == 2


def test_expire_reservations_command(data_dir: Path) -> None:
    result = run(data_dir, "expire-reservations")
    assert result.returncode == 0 and result.stdout.startswith("Expired ")


def test_terminal_chat(data_dir: Path) -> None:
    env = {**os.environ, "TOPLLANTAS_DATA_DIR": str(data_dir)}
    env.pop("TOPLLANTAS_DATABASE_URL", None)
    talk = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?\nla mas barata\nsalir\n"
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "chat", "--as", "customer", "--phone", "+525512340000"],
        input=talk,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert "[sales]" in result.stdout and "205/55R16" in result.stdout
    assert "Total: $" in result.stdout  # the quote of the cheapest option
    bad = run(data_dir, "chat", "--as", "king")
    assert bad.returncode == 2 and "--as" in bad.stderr
