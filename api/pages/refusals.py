"""Refusals for people in a browser: a page that cannot be shown answers with a Spanish HTML
page (403) or sends them to sign in (401); programs, and every API route, keep the JSON."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.pages.render import render
from core.errors import DomainError

# Routes for programs: their refusals are JSON whatever the Accept header says.
API_PREFIXES = ("/api/", "/v1/", "/webhooks/", "/oauth/", "/health", "/calendar/", "/static/")


def wants_page(request: Request) -> bool:
    """A browser asking for a page: HTML accepted, not an API route, not a JSON endpoint."""
    path = request.url.path
    if path.startswith(API_PREFIXES) or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def refused_page(request: Request, status: int, exc: DomainError) -> Response:
    """401: to the login page, back here afterwards (GET). 403: a page that says why."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        back = f"?next={quote(target)}" if request.method == "GET" else ""
        return RedirectResponse(f"/login{back}", status_code=303)
    stale = exc.field == "csrf"
    return render(
        request, "refused.html", status_code=403,
        title="La página caducó" if stale else "No tienes acceso a esta página",
        text="Vuelve a cargar la página e inténtalo de nuevo." if stale
        else "Tu cuenta no tiene permiso para ver esto. Si lo necesitas, pídele acceso a un "
        "administrador o entra con otra cuenta.",
    )  # fmt: skip
