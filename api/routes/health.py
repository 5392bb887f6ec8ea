"""/healthz (the process is up) and /readyz (the database answers and is migrated)."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import EngineDep
from db.migrate import alembic_config

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
def healthz() -> dict[str, str]:
    """200 while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness", response_model=None)
def readyz(engine: EngineDep) -> dict[str, str] | JSONResponse:
    """200 when the database answers and its schema is at the latest migration, else 503."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:  # any driver error means "not ready"
        return JSONResponse(
            {"status": "unavailable", "database": type(exc).__name__}, status_code=503
        )
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": f"schema at {current}, expected {head}"},
            status_code=503,
        )
    return {"status": "ready", "database": "ok", "schema": str(head)}
