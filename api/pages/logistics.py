"""Pages for people outside the chat: the driver's route (``/driver``, signed in by their link)
and the customer's tracking page (``/track/{token}``) with the JSON it refreshes from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.deps import ContainerDep
from api.routes.driver import COOKIE
from core.errors import PermissionDenied, Unauthenticated
from core.security import issue_token, read_token
from db.engine import session_scope
from db.repositories import deliveries as repo
from db.repositories.api_keys import verify_key
from domain.enums import Role
from domain.logistics import FailureReason
from domain.logistics_results import TrackingView

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(tags=["pages"], include_in_schema=False)
TOKEN = Annotated[str, Query(min_length=10, max_length=200)]
FAILURE_TEXT = {
    FailureReason.NOBODY_HOME: "No había nadie",
    FailureReason.WRONG_ADDRESS: "Dirección incorrecta",
    FailureReason.REFUSED: "Rechazó el pedido",
    FailureReason.NO_ACCESS: "Sin acceso",
    FailureReason.OTHER: "Otro",
}


@router.get("/driver/login")
async def driver_login(container: ContainerDep, key: TOKEN) -> Response:
    """The driver's link: checks the key, sets the session cookie, opens the route page."""
    with session_scope(container.engine) as session:
        principal = verify_key(session, key)
        if principal.role != Role.DRIVER:
            raise PermissionDenied("this link is not a driver's")
        repo.driver_by_key(session, principal.key_prefix)
    hours = container.settings.logistics.driver_session_hours
    token = issue_token(principal, secret=container.jwt_secret, ttl_seconds=hours * 3600)
    response = RedirectResponse("/driver", status_code=303)
    response.set_cookie(
        COOKIE, token, max_age=hours * 3600, httponly=True, samesite="strict",
        secure=container.settings.public_base_url.startswith("https://"),
    )  # fmt: skip
    return response


@router.get("/driver", response_class=HTMLResponse)
async def driver_page(request: Request, container: ContainerDep) -> Response:
    name = None
    cookie = request.cookies.get(COOKIE)
    if cookie:
        try:
            principal = read_token(cookie, secret=container.jwt_secret)
            with session_scope(container.engine) as session:
                name = repo.driver_by_key(session, principal.key_prefix).name
        except (Unauthenticated, PermissionDenied):
            name = None
    return templates.TemplateResponse(
        request, "driver.html",
        {"driver_name": name, "ping_seconds": container.settings.logistics.ping_seconds,
         "reasons": [(r.value, FAILURE_TEXT[r]) for r in FailureReason]},
        status_code=200 if name else 401,
    )  # fmt: skip


@router.get("/driver/manifest.webmanifest")
async def driver_manifest() -> FileResponse:
    """The driver page as an installable app (home-screen icon, full screen)."""
    return FileResponse(STATIC / "logistics" / "driver.webmanifest",
                        media_type="application/manifest+json")  # fmt: skip


@router.get("/driver/sw.js")
async def driver_service_worker() -> FileResponse:
    """The service worker, served under /driver so it may control the driver page."""
    return FileResponse(
        STATIC / "logistics" / "driver-sw.js", media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/driver", "Cache-Control": "no-cache"},
    )  # fmt: skip


@router.get("/track/{token}", response_class=HTMLResponse)
async def tracking_page(
    request: Request,
    container: ContainerDep,
    token: str,
    refresh: Annotated[int, Query(ge=2, le=300, description="Seconds between refreshes")] = 15,
) -> Response:
    with session_scope(container.engine) as session:
        view = repo.tracking_view(
            session, token, tile_url=container.settings.logistics.map_tile_url
        )
    return templates.TemplateResponse(
        request, "track.html", {"view": view, "token": token, "refresh_ms": refresh * 1000}
    )


@router.get("/track/{token}/status")
async def tracking_status(container: ContainerDep, token: str) -> TrackingView:
    with session_scope(container.engine) as session:
        return repo.tracking_view(
            session, token, tile_url=container.settings.logistics.map_tile_url
        )


def install(app: FastAPI) -> None:
    """The pages and their own static files (no CDN)."""
    app.include_router(router)
    app.mount(
        "/static/logistics", StaticFiles(directory=STATIC / "logistics"), name="logistics_static"
    )
