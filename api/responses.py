"""Fast JSON responses for hot read paths."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel
from pydantic.main import IncEx


def json_response(model: BaseModel, *, exclude: IncEx | None = None) -> Response:
    """Serialise a model once, in Rust, skipping FastAPI's second validation of the result.

    Routes that use it declare ``response_model`` so the OpenAPI schema stays exact.
    """
    return Response(content=model.model_dump_json(exclude=exclude), media_type="application/json")
