"""topllantas backup: create, verify and restore archives of the database, checkpoints and KB."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from core.settings import get_settings
from db.backup import BackupError, create_backup, prune, restore_backup, verify_backup

backup_app = typer.Typer(
    no_args_is_help=True, add_completion=False,
    help="Backups: the database (SQLite backup API or pg_dump), the conversation checkpoints, "
    "the knowledge-base folders and a manifest of row counts and checksums.",
)  # fmt: skip


@backup_app.command("create")
def create(
    to: Annotated[
        Path | None, typer.Option(help="Folder; default TOPLLANTAS_BACKUP__DIR or DATA_DIR/backups")
    ] = None,
    keep: Annotated[
        int | None, typer.Option(help="Then keep only this many archives in the folder")
    ] = None,
) -> None:
    """A consistent copy while the server runs; prints the archive's path."""
    settings = get_settings()
    began = time.monotonic()
    created = create_backup(settings, to)
    rows = sum(t["rows"] for t in created.manifest["tables"].values())
    typer.echo(
        f"{created.path} ({created.path.stat().st_size / 1e6:.1f} MB, "
        f"{len(created.manifest['tables'])} tables, {rows} rows, "
        f"{time.monotonic() - began:.1f} s)"
    )
    if keep is not None:
        for old in prune(created.path.parent, keep):
            typer.echo(f"deleted {old}")


@backup_app.command("verify")
def verify(archive: Path) -> None:
    """Check the archive against its manifest; exit 1 when anything differs."""
    try:
        manifest = verify_backup(archive)
    except BackupError as exc:
        typer.echo(f"CORRUPT: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"OK: {manifest['backend']} backup of {manifest['created_at']}, "
        f"{len(manifest['tables'])} tables, {len(manifest['files'])} files"
    )


@backup_app.command("restore")
def restore(
    archive: Path,
    force: Annotated[bool, typer.Option(help="Overwrite an existing SQLite database")] = False,
) -> None:
    """Restore into TOPLLANTAS_DATA_DIR / TOPLLANTAS_DATABASE_URL (stop the server first),
    then compare every table with the manifest."""
    try:
        manifest = restore_backup(archive, get_settings(), force=force)
    except BackupError as exc:
        typer.echo(f"FAILED: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"restored {len(manifest['tables'])} tables; rows and checksums match")
