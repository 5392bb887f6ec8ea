"""The pages' Jinja2 environment (built once per process on first use) and its filters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from domain.pricing import format_mxn

PAGES_DIR = Path(__file__).resolve().parent
STATIC_DIR = PAGES_DIR / "static"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _delta(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.1f} %"


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """The templates under api/pages/templates, with money and percent filters."""
    env = Jinja2Templates(directory=str(PAGES_DIR / "templates"))
    env.env.filters["mxn"] = lambda cents: "—" if cents is None else format_mxn(int(cents))
    env.env.filters["pct"] = _pct
    env.env.filters["delta"] = _delta
    return env


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template."""
    return templates().TemplateResponse(request, name, context, status_code=status_code)
