"""Call a chat model with our retry policy: transient failures only, backoff with jitter.

Retried: rate limits (429), timeouts, connection failures and server errors (5xx), as the
``openai`` SDK reports them (``langchain-openai`` re-raises them as subclasses), plus any
LangChain ``ModelError`` that declares itself retryable (so the offline model can opt in).
Everything else (bad request, wrong key, unknown model...) propagates at once.

The wait is exponential with full jitter; a ``Retry-After``/``retry-after-ms`` header on the
error's HTTP response wins, capped at ``max_wait_s``. When the last attempt fails the caller
gets ``core.errors.ExternalServiceError``, chained to the provider's error.
"""

from __future__ import annotations

import email.utils
import logging
import math
import time
from collections.abc import Sequence
from typing import Any

import openai
from langchain_core.exceptions import ModelError
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable, RunnableConfig
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from core.errors import ExternalServiceError

log = logging.getLogger(__name__)

RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (
    openai.RateLimitError,
    openai.APITimeoutError,  # a subclass of APIConnectionError; listed for the reader
    openai.APIConnectionError,
    openai.InternalServerError,
)


def is_retryable(exc: BaseException) -> bool:
    """True for failures that a later attempt of the same request may not hit."""
    if isinstance(exc, RETRYABLE_ERRORS):
        return True
    return isinstance(exc, ModelError) and bool(exc.is_retryable)


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server-requested wait carried by ``exc``'s HTTP response, if any (seconds)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            value = float(raw_ms) / 1000
        except ValueError:
            pass
        else:
            return value if math.isfinite(value) else None
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return value if math.isfinite(value) else None


class _Backoff:
    """Exponential backoff with full jitter, unless the server said how long to wait."""

    def __init__(self, initial_wait_s: float, max_wait_s: float) -> None:
        self.max_wait_s = max_wait_s
        self._jitter = wait_random_exponential(multiplier=initial_wait_s, max=max_wait_s)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        requested = retry_after_seconds(exc)
        if requested is not None:
            return min(max(requested, 0.0), self.max_wait_s)
        return float(self._jitter(state))


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.warning(
        "LLM call failed (attempt %d): %s: %s; retrying in %.2fs",
        state.attempt_number,
        type(exc).__name__,
        exc,
        wait,
    )


def _policy(attempts: int, max_wait_s: float, initial_wait_s: float) -> dict[str, Any]:
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if max_wait_s < 0 or initial_wait_s < 0:
        raise ValueError("waits cannot be negative")
    return {
        "stop": stop_after_attempt(attempts),
        "wait": _Backoff(initial_wait_s, max_wait_s),
        "retry": retry_if_exception(is_retryable),
        "before_sleep": _log_retry,
        "reraise": True,
    }


def _as_ai_message(result: BaseMessage) -> AIMessage:
    if isinstance(result, AIMessage):
        return result
    raise TypeError(f"the chat model returned {type(result).__name__}, not an AIMessage")


def _gave_up(exc: BaseException, attempts: int) -> ExternalServiceError:
    noun = "intento" if attempts == 1 else "intentos"
    return ExternalServiceError(
        f"el modelo no respondió tras {attempts} {noun}: {type(exc).__name__}: {exc}"
    )


def invoke_with_retry(
    model: Runnable[Any, BaseMessage],
    messages: Sequence[BaseMessage],
    *,
    attempts: int,
    max_wait_s: float = 20.0,
    initial_wait_s: float = 0.5,
    config: RunnableConfig | None = None,
) -> AIMessage:
    """``model.invoke(messages)``, retrying transient failures up to ``attempts`` calls in all.

    Raises ``ExternalServiceError`` (chained) when every attempt failed transiently; any
    other error propagates unchanged from the first attempt that raised it.
    """
    policy = _policy(attempts, max_wait_s, initial_wait_s)
    try:
        for attempt in Retrying(**policy):
            with attempt:
                result = model.invoke(list(messages), config)
    except Exception as exc:
        if is_retryable(exc):
            raise _gave_up(exc, attempts) from exc
        raise
    return _as_ai_message(result)


async def ainvoke_with_retry(
    model: Runnable[Any, BaseMessage],
    messages: Sequence[BaseMessage],
    *,
    attempts: int,
    max_wait_s: float = 20.0,
    initial_wait_s: float = 0.5,
    config: RunnableConfig | None = None,
) -> AIMessage:
    """The async twin of ``invoke_with_retry`` (``model.ainvoke``, non-blocking waits)."""
    policy = _policy(attempts, max_wait_s, initial_wait_s)
    try:
        async for attempt in AsyncRetrying(**policy):
            with attempt:
                result = await model.ainvoke(list(messages), config)
    except Exception as exc:
        if is_retryable(exc):
            raise _gave_up(exc, attempts) from exc
        raise
    return _as_ai_message(result)
