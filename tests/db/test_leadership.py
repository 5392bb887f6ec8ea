"""One process at a time for the sweep and for each scheduled job, on SQLite (file locks on one
machine) and PostgreSQL (advisory locks, any machine); a job runs once however many reach it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from api.app import run_exclusive
from core.settings import Settings
from db.leadership import Leadership
from tests.conftest import ANCHOR, PG_URL

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from db.engine import make_engine
from db.leadership import Leadership
role = Leadership(make_engine(sys.argv[1]), __import__("pathlib").Path(sys.argv[2]), "sweep")
print("held" if role.hold() else "free", flush=True)
time.sleep(600)
"""


def test_one_holder_at_a_time_until_it_lets_go(engine: Engine, tmp_path: Path) -> None:
    first = Leadership(engine, tmp_path / "locks", "sweep")
    second = Leadership(engine, tmp_path / "other-machine" / "locks", "sweep")
    if engine.dialect.name != "postgresql":  # file locks hold among one machine's processes
        second = Leadership(engine, tmp_path / "locks", "sweep")
    try:
        assert first.hold() and first.hold()  # taken, and still held on the next pass
        assert not second.hold()
        assert Leadership(engine, tmp_path / "locks", "job:nightly").hold()  # another role
        first.release()
        assert second.hold() and not first.hold()
    finally:
        first.close()
        second.close()


def test_the_role_ends_with_the_process_that_held_it(engine: Engine, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, engine.url.render_as_string(hide_password=False),
         str(tmp_path / "locks")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    role = Leadership(engine, tmp_path / "locks", "sweep")
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not role.hold()
        holder.kill()  # SIGKILL: no clean-up runs
        holder.wait()
        deadline = time.monotonic() + 10
        while not role.hold():
            assert time.monotonic() < deadline, "the dead process still holds the role"
            time.sleep(0.05)
    finally:
        holder.kill()
        role.close()


def test_on_postgresql_a_holder_that_lost_its_connection_knows_it(
    engine: Engine, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite's file lock cannot be lost while the process lives
    first = Leadership(engine, tmp_path / "a", "sweep")
    second = Leadership(engine, tmp_path / "b", "sweep")
    try:
        assert first.hold()
        with engine.connect() as conn:  # the holder's backend goes away (a failover, a kill)
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND classid = 4 AND granted"
                )
            )
        deadline = time.monotonic() + 10
        while not second.hold():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert not first.hold()  # it notices, and does not think it still leads
    finally:
        first.close()
        second.close()


def test_two_processes_reaching_the_nightly_job_run_it_once(
    engine: Engine, settings: Settings
) -> None:
    """Two sweeps (threads here, each with its own lock like two processes) reach the nightly
    job for the same day at once: one runs it, the other skips; a third, later, finds it done.
    The job takes half a minute on a loaded machine: run on one backend (the lock primitives
    are tested on both above)."""
    if engine.dialect.name == "sqlite" and PG_URL:
        pytest.skip("run once, on PostgreSQL")
    day: date = ANCHOR
    start = threading.Barrier(2)
    ran: list[bool] = []

    def sweep() -> None:
        start.wait()
        ran.append(run_exclusive(engine, settings, "nightly", day))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ran) == [False, True]
    assert run_exclusive(engine, settings, "nightly", day) is False  # done already
    with engine.connect() as conn:
        runs = conn.execute(
            sa.text("SELECT count(*) FROM forecast_run WHERE run_date = :d"), {"d": day}
        ).scalar_one()
    assert runs == 1


def test_inventory_nightly_by_hand_refuses_while_the_job_runs_elsewhere(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from cli.main import app as cli
    from core.settings import get_settings

    monkeypatch.setenv("TOPLLANTAS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TOPLLANTAS_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    running = Leadership(engine, settings.data_dir / "locks", "job:nightly")
    try:
        assert running.hold()  # a scheduled run in another process
        result = CliRunner().invoke(cli, ["inventory", "nightly", "--no-send"])
        assert result.exit_code == 1, result.output
        assert "running in another process" in result.output
    finally:
        running.close()
        get_settings.cache_clear()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM forecast_run")).scalar_one() == 0
