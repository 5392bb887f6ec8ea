"""Driver endpoints (role ``driver``, only their own route): today's route, salí / llegué /
entregado (name + photo) / no entregado (reason), and GPS pings that refresh the live ETAs.

A driver authenticates with their key as a Bearer token, or with the session cookie that their
sign-in link set on the phone (``/driver/login?key=...``); the cookie is SameSite=Strict, so
another site cannot post with it.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import ContainerDep, NotifierDep, SettingsDep, bearer, get_principal, run_write
from core.errors import InvalidRequest, PermissionDenied
from core.security import Principal, read_token
from db.engine import session_scope
from db.repositories import deliveries as repo
from domain.clock import mexico_today
from domain.enums import Role
from domain.logistics_results import FailCreate, PingCreate, RoutePublic

router = APIRouter(tags=["driver"])
COOKIE = "tl_driver"
MAX_PHOTO_BYTES = 6 * 1024 * 1024
DbId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


async def driver_principal(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The driver from the sign-in cookie, else from the Authorization header."""
    cookie = request.cookies.get(COOKIE)
    if cookie and credentials is None:
        principal = read_token(cookie, secret=container.jwt_secret)
    else:
        principal = await get_principal(container, credentials)
    if principal.role != Role.DRIVER:
        raise PermissionDenied("only drivers use these endpoints (role driver)")
    return principal


DriverPrincipal = Annotated[Principal, Depends(driver_principal)]


@router.get("/api/v1/driver/route", summary="The driver's route of today (or their next one)")
async def my_route(container: ContainerDep, principal: DriverPrincipal) -> RoutePublic | None:
    with session_scope(container.engine) as session:
        driver = repo.driver_by_key(session, principal.key_prefix)
        route = repo.driver_route(session, driver, mexico_today())
        return (
            repo.route_public(session, route, container.settings.public_base_url) if route else None
        )


async def _send(notifier: NotifierDep, ids: list[int]) -> None:
    import anyio

    for outbox_id in ids:
        await anyio.to_thread.run_sync(notifier.deliver, outbox_id)


@router.post("/api/v1/driver/routes/{route_id}/depart", summary="Salí: the route leaves the branch")
async def depart(
    request: Request, container: ContainerDep, notifier: NotifierDep, principal: DriverPrincipal,
    route_id: DbId,
) -> RoutePublic:  # fmt: skip
    def write() -> tuple[RoutePublic, list[int]]:
        with session_scope(container.engine, write=True) as session:
            driver = repo.driver_by_key(session, principal.key_prefix)
            out = repo.depart(session, driver, route_id, base_url=container.settings.public_base_url,
                              actor=principal.actor)  # fmt: skip
            session.flush()
            route = repo.get_route(session, route_id)
            return repo.route_public(
                session, route, container.settings.public_base_url
            ), out.outbox_ids

    route, ids = await run_write(request, write)
    await _send(notifier, ids)
    return route


@router.post("/api/v1/driver/deliveries/{delivery_id}/arrive", summary="Llegué")
async def arrive(
    request: Request, container: ContainerDep, principal: DriverPrincipal, delivery_id: DbId
) -> dict[str, str]:
    def write() -> None:
        with session_scope(container.engine, write=True) as session:
            driver = repo.driver_by_key(session, principal.key_prefix)
            repo.arrive(session, driver, delivery_id, actor=principal.actor)

    await run_write(request, write)
    return {"status": "arrived"}


@router.post("/api/v1/driver/deliveries/{delivery_id}/deliver", summary="Entregado, with proof")
async def deliver(
    request: Request, container: ContainerDep, notifier: NotifierDep, settings: SettingsDep,
    principal: DriverPrincipal, delivery_id: DbId,
    recipient_name: Annotated[str, Form(min_length=2, max_length=120)],
    photo: Annotated[UploadFile | None, File(description="A photo of the tires handed over")] = None,
) -> dict[str, str]:  # fmt: skip
    stored = None
    if photo is not None and photo.filename:
        if not (photo.content_type or "").startswith("image/"):
            raise InvalidRequest("the proof must be an image", field="photo")
        data = await photo.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise InvalidRequest("the photo is larger than 6 MB", field="photo")
        if not data:
            raise InvalidRequest("the photo is empty", field="photo")
        folder = Path(settings.data_dir) / "proofs"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".png" if photo.content_type == "image/png" else ".jpg"
        stored = f"{delivery_id}-{secrets.token_hex(8)}{suffix}"
        (folder / stored).write_bytes(data)

    def write() -> list[int]:
        with session_scope(container.engine, write=True) as session:
            driver = repo.driver_by_key(session, principal.key_prefix)
            return repo.deliver(session, driver, delivery_id, recipient=recipient_name,
                                photo=stored, actor=principal.actor).outbox_ids  # fmt: skip

    await _send(notifier, await run_write(request, write))
    return {"status": "delivered"}


@router.post("/api/v1/driver/deliveries/{delivery_id}/fail", summary="No entregado, with a reason")
async def fail(
    request: Request, container: ContainerDep, notifier: NotifierDep, principal: DriverPrincipal,
    delivery_id: DbId, body: FailCreate,
) -> dict[str, str]:  # fmt: skip
    reason = body.reason.value + (f": {body.note.strip()}" if body.note.strip() else "")

    def write() -> list[int]:
        with session_scope(container.engine, write=True) as session:
            driver = repo.driver_by_key(session, principal.key_prefix)
            return repo.fail(session, driver, delivery_id, reason=reason,
                             actor=principal.actor).outbox_ids  # fmt: skip

    await _send(notifier, await run_write(request, write))
    return {"status": "failed"}


@router.post("/api/v1/driver/pings", status_code=201, summary="A GPS position of the active route")
async def post_ping(
    request: Request, container: ContainerDep, notifier: NotifierDep, principal: DriverPrincipal,
    body: PingCreate,
) -> dict[str, str]:  # fmt: skip
    settings = container.settings

    def write() -> list[int]:
        with session_scope(container.engine, write=True) as session:
            driver = repo.driver_by_key(session, principal.key_prefix)
            return repo.ping(
                session, driver, body.latitude, body.longitude, body.accuracy_m,
                tolerance_minutes=settings.logistics.late_tolerance_minutes,
                base_url=settings.public_base_url,
                dispatch_to=repo.dispatch_contact(session, driver.branch_id),
            ).outbox_ids  # fmt: skip

    await _send(notifier, await run_write(request, write))
    return {"status": "stored"}
