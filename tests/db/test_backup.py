"""Backups taken while the server writes restore into a fresh data dir with the same rows and
checksums; verify catches a corrupt archive; the schedule keeps the newest archives."""

from __future__ import annotations

import io
import json
import os
import tarfile
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from core.settings import AbuseSettings, BackupSettings, Settings
from db.backup import (
    BackupError,
    backup_due,
    create_backup,
    prune,
    restore_backup,
    table_digests,
    verify_backup,
)
from tests.conftest import pg_create, pg_drop

JETTA = "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?"


def test_a_backup_of_a_running_server_restores_with_the_same_rows_and_checksums(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    stop = threading.Event()
    # The chatter writes as fast as it can from one address: lift the keyless chat's budget.
    roomy = AbuseSettings(chat_ip_per_minute=1_000_000, chat_ip_burst=100_000)
    app = create_app(settings.model_copy(update={"abuse": roomy}), engine=engine)
    with TestClient(app) as client:
        first = client.post("/v1/chat", json={"message": JETTA})
        assert first.status_code == 200

        def chatter() -> None:  # the server keeps writing while the backup runs
            while not stop.is_set():
                client.post("/v1/chat", json={"message": JETTA})

        writer = threading.Thread(target=chatter)
        writer.start()
        try:
            began = time.monotonic()
            created = create_backup(settings, tmp_path / "backups")
            took = time.monotonic() - began
        finally:
            stop.set()
            writer.join()
    manifest = created.manifest
    assert manifest["tables"]["chat_session"]["rows"] >= 1
    assert manifest["tables"]["product"]["rows"] >= 600 and took >= 0
    verify_backup(created.path)

    fresh = tmp_path / "restored"
    target = settings.model_copy(update={"data_dir": fresh, "database_url": None})
    name = f"tl_restore_{os.getpid()}"
    if not settings.is_sqlite:
        target = target.model_copy(update={"database_url": pg_create(name)})
    try:
        restore_backup(created.path, target)  # compares every table with the manifest
        restored = sa.create_engine(target.resolved_database_url)
        with restored.connect() as conn:
            assert table_digests(conn) == manifest["tables"]
        restored.dispose()
    finally:
        if not settings.is_sqlite:
            pg_drop(name)
    if settings.is_sqlite:  # the conversations: the checkpoint file came back whole
        assert (fresh / "checkpoints.sqlite").stat().st_size > 0
        assert "files/checkpoints.sqlite" in manifest["files"]
    secret = settings.data_dir / "secret_key"  # generated when no secret is configured
    assert not secret.exists() or (fresh / "secret_key").read_bytes() == secret.read_bytes()


def _rewrite(archive: Path, member: str, change: bytes) -> Path:
    """A copy of the archive with one member's bytes replaced."""
    bad = archive.with_name("bad-" + archive.name)
    with tarfile.open(archive, "r:gz") as src, tarfile.open(bad, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read() if info.isfile() else None  # type: ignore[union-attr]
            if info.name == member:
                data = change
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data) if data is not None else None)
    return bad


def test_verify_exits_non_zero_on_a_corrupt_archive(
    settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not settings.is_sqlite:
        pytest.skip("one backend is enough for the archive checks")
    created = create_backup(settings, tmp_path / "b")
    monkeypatch.setenv("TOPLLANTAS_DATA_DIR", str(settings.data_dir))
    ok = CliRunner().invoke(cli, ["backup", "verify", str(created.path)])
    assert ok.exit_code == 0 and ok.output.startswith("OK: sqlite backup")

    manifest = dict(created.manifest)
    manifest["tables"] = {**manifest["tables"], "product": {"rows": 1, "sha256": "0" * 64}}
    lying = _rewrite(created.path, "./manifest.json", json.dumps(manifest).encode())
    with pytest.raises(BackupError, match="table product"):
        verify_backup(lying)
    truncated = _rewrite(created.path, "./topllantas.db", b"SQLite format 3\x00")
    bad = CliRunner().invoke(cli, ["backup", "verify", str(truncated)])
    assert bad.exit_code == 1 and "topllantas.db: checksum differs" in bad.output
    garbage = tmp_path / "b" / "garbage.tar.gz"
    garbage.write_bytes(b"not a tarball")
    assert CliRunner().invoke(cli, ["backup", "verify", str(garbage)]).exit_code == 1


def test_the_schedule_makes_a_backup_when_due_and_keeps_the_newest(
    settings: Settings, tmp_path: Path
) -> None:
    if not settings.is_sqlite:
        pytest.skip("the schedule does not depend on the backend")
    folder = tmp_path / "sched"
    assert not backup_due(settings)  # off by default
    on = settings.model_copy(
        update={"backup": BackupSettings(dir=folder, interval_hours=1, keep=2)}
    )
    assert backup_due(on)
    for _ in range(3):
        create_backup(on)
    assert not backup_due(on)  # the newest is minutes old
    assert len(prune(folder, 2)) == 1 and len(list(folder.glob("topllantas-*.tar.gz"))) == 2
