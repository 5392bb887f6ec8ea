"""Backups: one archive with the store of record, the conversation checkpoints, the knowledge
base folders and the signing secret, plus a manifest (rows and a checksum per table, a checksum
per file). SQLite is copied online with its backup API; PostgreSQL with pg_dump inside the
same snapshot the manifest's checksums were read from."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from core.settings import Settings
from domain.clock import as_utc, utcnow

PREFIX = "topllantas-"
FOLDERS = ("kb", "kb_casos")  # Chroma persistent indexes under DATA_DIR
FILES = ("secret_key",)


class BackupError(Exception):
    """An archive is missing, corrupt, or does not match its manifest."""


@dataclass
class Created:
    """A new archive."""

    path: Path
    manifest: dict[str, Any]


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def table_digests(conn: Connection) -> dict[str, dict[str, Any]]:
    """Rows and a SHA-256 over every row (primary-key order) of each table."""
    digests: dict[str, dict[str, Any]] = {}
    inspector = sa.inspect(conn)
    for name in sorted(inspector.get_table_names()):
        table = sa.Table(name, sa.MetaData(), autoload_with=conn)
        order = list(table.primary_key.columns) or list(table.columns)
        digest, rows = hashlib.sha256(), 0
        for row in conn.execute(sa.select(table).order_by(*order)):
            digest.update(json.dumps(list(row), default=str, sort_keys=True).encode())
            rows += 1
        digests[name] = {"rows": rows, "sha256": digest.hexdigest()}
    return digests


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_copy(source: Path, target: Path) -> None:
    """An online, consistent copy (sqlite3's backup API), whatever writers are doing."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_digests(path: Path) -> dict[str, dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return table_digests(conn)
    finally:
        engine.dispose()


@contextmanager
def _pg_snapshot(url: str) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    """An exported snapshot (for pg_dump --snapshot) and the table digests read in it."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
                yield str(snapshot), table_digests(conn)
    finally:
        engine.dispose()


def create_backup(settings: Settings, target_dir: Path | None = None) -> Created:
    """Write ``topllantas-<UTC time>.tar.gz`` with its manifest; returns its path."""
    target_dir = target_dir or settings.backup.dir or settings.data_dir / "backups"
    target_dir.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    url = settings.resolved_database_url
    manifest: dict[str, Any] = {
        "format": 1,
        "created_at": now.isoformat(),
        "backend": "sqlite" if settings.is_sqlite else "postgresql",
        "tables": {},
        "files": {},
    }
    with tempfile.TemporaryDirectory(dir=target_dir) as tmp:
        stage = Path(tmp)
        (stage / "files").mkdir()
        if settings.is_sqlite:
            db_path = Path(make_url(url).database or "")
            _sqlite_copy(db_path, stage / "topllantas.db")
            manifest["tables"] = _sqlite_digests(stage / "topllantas.db")
            checkpoints = settings.data_dir / "checkpoints.sqlite"
            if checkpoints.exists():
                _sqlite_copy(checkpoints, stage / "files" / "checkpoints.sqlite")
        else:  # the checkpoints are tables of the same database: in the dump
            with _pg_snapshot(url) as (snapshot, digests):
                manifest["tables"] = digests
                subprocess.run(
                    ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                     f"--file={stage / 'topllantas.dump'}", libpq_url(url)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
        for folder in FOLDERS:
            if (settings.data_dir / folder).is_dir():
                shutil.copytree(settings.data_dir / folder, stage / "files" / folder)
        for name in FILES:
            if (settings.data_dir / name).is_file():
                shutil.copy2(settings.data_dir / name, stage / "files" / name)
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            rel = path.relative_to(stage).as_posix()
            manifest["files"][rel] = {"bytes": path.stat().st_size, "sha256": _file_sha(path)}
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        archive = target_dir / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}.tar.gz"
        partial = archive.with_suffix(".part")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(stage, arcname=".")
        partial.rename(archive)  # a crash mid-write never leaves a valid-looking archive
    return Created(archive, manifest)


def _extract(archive: Path, into: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
        manifest: dict[str, Any] = json.loads((into / "manifest.json").read_text())
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})") from exc
    return manifest


def _check_files(manifest: dict[str, Any], root: Path) -> list[str]:
    problems = []
    for rel, meta in manifest["files"].items():
        path = root / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif _file_sha(path) != meta["sha256"]:
            problems.append(f"{rel}: checksum differs")
    return problems


def verify_backup(archive: Path) -> dict[str, Any]:
    """Check every file against the manifest and, for SQLite, every table's rows and checksum.

    Raises:
        BackupError: what is wrong, one line per problem.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = _extract(archive, root)
        problems = _check_files(manifest, root)
        if not problems and manifest["backend"] == "sqlite":
            problems += _compare(manifest["tables"], _sqlite_digests(root / "topllantas.db"))
        elif not problems:
            listed = subprocess.run(
                ["pg_restore", "--list", str(root / "topllantas.dump")],
                capture_output=True, text=True,
            )  # fmt: skip
            if listed.returncode != 0:
                problems.append(f"topllantas.dump: pg_restore cannot read it ({listed.stderr})")
    if problems:
        raise BackupError("\n".join(problems))
    return manifest


def _compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = [f"table {t}: missing" for t in expected if t not in actual]
    for name, meta in expected.items():
        got = actual.get(name)
        if got is not None and got != meta:
            problems.append(f"table {name}: {got['rows']} rows / {meta['rows']} in the manifest")
    return problems


def restore_backup(archive: Path, settings: Settings, *, force: bool = False) -> dict[str, Any]:
    """Restore into the settings' data dir and database; then the tables are compared with
    the manifest. Refuses to overwrite an existing SQLite database unless ``force``."""
    verify_backup(archive)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = _extract(archive, root)
        url = settings.resolved_database_url
        if (manifest["backend"] == "sqlite") != settings.is_sqlite:
            raise BackupError(f"a {manifest['backend']} backup cannot restore into {url}")
        if settings.is_sqlite:
            db_path = Path(make_url(url).database or "")
            if db_path.exists() and not force:
                raise BackupError(f"{db_path} exists; restore into a fresh data dir or --force")
            for suffix in ("-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            shutil.copy2(root / "topllantas.db", db_path)
        else:
            done = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 f"--dbname={libpq_url(url)}", str(root / "topllantas.dump")],
                capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr[-2000:]}")
        files = root / "files"
        for path in sorted(p for p in files.rglob("*") if p.is_file()):
            target = settings.data_dir / path.relative_to(files)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            problems = _compare(manifest["tables"], table_digests(conn))
    finally:
        engine.dispose()
    if problems:
        raise BackupError("restored, but:\n" + "\n".join(problems))
    return manifest


def archives(folder: Path) -> list[Path]:
    """The backups in a folder, oldest first."""
    return sorted(folder.glob(f"{PREFIX}*.tar.gz")) if folder.is_dir() else []


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives; returns the deleted ones."""
    old = archives(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def backup_due(settings: Settings, now: datetime | None = None) -> bool:
    """Whether the schedule (TOPLLANTAS_BACKUP__INTERVAL_HOURS) wants a backup now."""
    hours = settings.backup.interval_hours
    if hours <= 0:
        return False
    found = archives(settings.backup.dir or settings.data_dir / "backups")
    if not found:
        return True
    stamp = found[-1].name.removeprefix(PREFIX).removesuffix(".tar.gz")
    last = as_utc(datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ"))
    return ((now or utcnow()) - last).total_seconds() >= hours * 3600


def scheduled_backup(settings: Settings) -> Path | None:
    """The sweep's step: a backup when due, then retention. Returns the new archive."""
    if not backup_due(settings):
        return None
    created = create_backup(settings)
    prune(created.path.parent, settings.backup.keep)
    return created.path
