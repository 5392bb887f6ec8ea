"""Schemathesis against the real app: every operation, bounded examples, an admin key with a
rate limit that masks nothing, and not one server error (issue 13, input bounds)."""

from __future__ import annotations

import time
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings

from domain.enums import Role
from tests.conftest import bearer

EXAMPLES = 3  # per operation and mode (plus schema examples): ~80 operations x 2 modes
SKIP = {"POST /v1/chat", "POST /v1/chat/stream"}  # agent turns (seconds each); tested apart


def _kwargs(case: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url="http://testserver")
    kwargs.pop("allow_redirects", None)
    kwargs.pop("follow_redirects", None)
    return kwargs


def _fuzz(
    client: TestClient, strategy: Any, auth: dict[str, str], label: str, errors: list[str]
) -> int:
    """Send EXAMPLES generated cases of one operation; server errors go to ``errors``."""
    sent = 0

    @hsettings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        kwargs = _kwargs(case)
        headers = {**(kwargs.pop("headers", None) or {}), **auth}
        r = client.request(headers=headers, **kwargs)
        sent += 1
        if r.status_code >= 500:
            errors.append(f"{label}: {r.status_code} {r.text[:200]}")

    run()
    return sent


def test_no_operation_answers_a_server_error(client: TestClient, keys: dict[Role, str]) -> None:
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    auth = bearer(keys[Role.ADMIN])
    errors: list[str] = []
    calls = 0
    operations = 0
    took: dict[str, float] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIP:
            continue
        operations += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            label = f"{operation.label} ({mode.value})"
            begin = time.perf_counter()
            try:
                calls += _fuzz(
                    client, operation.as_strategy(generation_mode=mode), auth, label, errors
                )
            except Exception as exc:  # schemathesis could not build a case: say which
                if "Unsatisfiable" not in type(exc).__name__:
                    raise
            took[operation.label] = took.get(operation.label, 0) + time.perf_counter() - begin
    slow = sorted(took.items(), key=lambda kv: -kv[1])[:5]
    summary = f"{operations} operations, {calls} requests, {len(errors)} server errors; {slow}"
    assert operations > 60 and calls > operations * EXAMPLES, summary
    assert errors == [], summary
