"""The one place where errors become HTTP responses: JSON (a refused page in a browser gets
HTML, api/pages/refusals.py), never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.abuse import Throttled
from api.pages.refusals import refused_page, wants_page
from api.ratelimit import RateLimited, RateLimiter
from core.errors import (
    Conflict,
    DomainError,
    ExternalServiceError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], tuple[int, str]] = {
    InvalidRequest: (422, "invalid_request"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    PermissionDenied: (403, "forbidden"),
    Unauthenticated: (401, "unauthenticated"),
    ExternalServiceError: (502, "external_service_error"),
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """The JSON error shape of every 4xx/5xx."""
    return {"error": code, "message": message, "field": field}


def _field(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on an app."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        status, code = next(
            (v for k, v in STATUS.items() if isinstance(exc, k)), (400, "bad_request")
        )
        if status in (401, 403) and wants_page(request):
            return refused_page(request, status, exc)  # a person in a browser: a page
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(code, exc.message, exc.field), status_code=status, headers=headers
        )

    @app.exception_handler(RateLimited)
    async def rate_limited(_: Request, exc: RateLimited) -> JSONResponse:
        message = (
            exc.message
            if isinstance(exc, Throttled)
            else "too many requests for this API key; retry later"
        )
        return JSONResponse(
            error_body("rate_limited", message),
            status_code=429,
            headers={"Retry-After": RateLimiter.retry_after_header(exc.wait_s)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "message": "invalid request"}
        body = error_body(
            "validation_error", f"{first['field']}: {first['message']}", first["field"]
        )
        body["errors"] = errors
        return JSONResponse(body, status_code=422)

    # The root fix is validation at the edge (domain/bounds.py); this net keeps an integer that
    # slipped past it (too big for the driver or the column) a 422, not a 500.
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception) -> JSONResponse:
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            error_body("validation_error", "a value is out of range (integers: 0 to 2147483647)"),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "internal error; it has been logged"), status_code=500
        )
