"""A scripted fake of OpenAI's Chat Completions API (and Azure OpenAI's route to it).

Serve ``ScriptedOpenAI(...).app`` with ``tests.live_server.live_server`` and point a real
client (``ChatOpenAI``, ``AzureChatOpenAI``, the ``openai`` SDK) at it:

    fake = ScriptedOpenAI([{"tool_calls": [{"name": "buscar", "arguments": {"q": "x"}}]},
                           {"content": "Listo."}], api_key="sk-test")
    with live_server(fake.app) as url:
        model = ChatOpenAI(model="gpt-4o-mini", base_url=f"{url}/v1", api_key="sk-test")

Requests are validated the way OpenAI does (auth, required fields, message roles and
shapes, assistant ``tool_calls`` paired with ``tool`` messages by ``tool_call_id``, tool
definitions, unknown parameters) and rejected with OpenAI's error JSON. Valid requests take
the next step of the script:

* ``{"content": "texto"}``: a text reply;
* ``{"tool_calls": [{"name": ..., "arguments": {...}}]}``: tool calls (optional ``"id"``;
  ``arguments`` may be a raw string to send malformed JSON); may carry ``content`` too;
* ``{"status": 429, "retry_after": 1}`` (or ``"retry_after_ms": 300``), ``{"status": 500}``,
  any other status with an optional ``"message"``: an error in OpenAI's shape;
* ``{"delay_s": 5}``: answer slowly (for client timeouts); combine with ``content`` or
  ``tool_calls`` for a slow but real answer.

``respond(fn)`` installs a hook that sees each valid request body and returns a step (or
``None`` to fall back to the script). When neither has a step, the fake answers 500 with
a message saying so, so a test notices the unexpected call. Every request is recorded in
``.requests``. ``stream: true`` is answered with server-sent events like OpenAI's.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

Step = dict[str, Any]
Responder = Callable[[dict[str, Any]], Step | None]

ROLES = ("system", "developer", "user", "assistant", "tool")
STEP_KEYS = frozenset(
    {"content", "tool_calls", "status", "retry_after", "retry_after_ms", "message", "delay_s"}
)
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# Chat Completions request parameters; anything else is rejected, as OpenAI does.
KNOWN_PARAMS = frozenset(
    {
        "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "stream",
        "stream_options", "temperature", "top_p", "n", "stop", "max_tokens",
        "max_completion_tokens", "presence_penalty", "frequency_penalty", "logit_bias",
        "logprobs", "top_logprobs", "seed", "user", "response_format", "metadata", "store",
        "service_tier", "reasoning_effort", "modalities", "audio", "prediction",
        "web_search_options", "verbosity", "prompt_cache_key", "safety_identifier",
        "functions", "function_call",
    }
)  # fmt: skip
CONTENT_PART_TYPES = {
    "system": {"text"},
    "developer": {"text"},
    "user": {"text", "image_url", "input_audio", "file"},
    "assistant": {"text", "refusal"},
    "tool": {"text"},
}


class _Rejected(Exception):  # noqa: N818 - a control-flow signal, not an error of ours
    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type_: str = "invalid_request_error",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type_
        self.headers = dict(headers or {})


@dataclass
class RecordedRequest:
    """One HTTP request the fake received, as the client sent it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    raw_body: bytes
    body: Any = None  # the parsed JSON, or None
    status: int = 0  # what the fake answered
    error: str | None = None  # the error message it answered with, if any

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or []) if isinstance(self.body, dict) else []

    @property
    def is_chat(self) -> bool:
        return self.method == "POST" and self.path.endswith("/chat/completions")


@dataclass
class _Flavor:
    azure: bool = False
    deployment: str | None = None


@dataclass
class ScriptedOpenAI:
    """The fake server: ``.app`` to serve, ``.requests`` to assert on."""

    script: Iterable[Step] = ()
    api_key: str = "sk-test"
    models: tuple[str, ...] | None = None  # None: any model name exists
    azure_deployment: str | None = None  # None: any deployment exists
    azure_model: str = "gpt-4o-mini"  # the model behind the Azure deployment
    requests: list[RecordedRequest] = field(default_factory=list)
    _steps: deque[Step] = field(default_factory=deque, init=False, repr=False)
    _responder: Responder | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _served: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._steps.extend(self.script)
        self.app = self._build_app()

    # ---- scripting -------------------------------------------------------------------

    def add(self, *steps: Step) -> ScriptedOpenAI:
        """Append steps to the script."""
        with self._lock:
            self._steps.extend(steps)
        return self

    def respond(self, fn: Responder | None) -> ScriptedOpenAI:
        """Answer each valid request with ``fn(body)``; ``None`` falls back to the script."""
        self._responder = fn
        return self

    @property
    def remaining(self) -> int:
        """Script steps not used yet."""
        return len(self._steps)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The chat-completion requests received, valid or not."""
        return [r for r in self.requests if r.is_chat]

    @property
    def last_body(self) -> dict[str, Any]:
        """The JSON body of the last chat-completion request."""
        body = self.chat_requests[-1].body
        assert isinstance(body, dict)
        return body

    def _next_step(self, body: dict[str, Any]) -> Step:
        if self._responder is not None:
            step = self._responder(copy.deepcopy(body))
            if step is not None:
                return step
        with self._lock:
            if self._steps:
                self._served += 1
                return self._steps.popleft()
        raise _Rejected(
            500,
            f"ScriptedOpenAI: the script ran out after {self._served} step(s); this request "
            f"was not expected (last message: {_last_message_text(body)!r})",
            type_="server_error",
        )

    # ---- the app ---------------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="ScriptedOpenAI", openapi_url=None, docs_url=None, redoc_url=None)

        @app.get("/v1/models")
        async def list_models(request: Request) -> Response:
            record = await self._record(request)
            try:
                self._check_bearer(request)
            except _Rejected as rejected:
                return self._reject(record, rejected, _Flavor())
            names = self.models or ("gpt-4o-mini", "gpt-4o")
            data = [
                {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "system"}
                for name in names
            ]
            return self._ok(record, {"object": "list", "data": data})

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            record = await self._record(request)
            return await self._chat(request, record, _Flavor())

        @app.post("/openai/deployments/{deployment}/chat/completions")
        async def azure_chat(request: Request, deployment: str) -> Response:
            record = await self._record(request)
            return await self._chat(request, record, _Flavor(azure=True, deployment=deployment))

        @app.api_route(
            "/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], response_model=None
        )
        async def unknown(request: Request, path: str) -> Response:
            record = await self._record(request)
            rejected = _Rejected(404, f"Invalid URL ({request.method} /{path})")
            return self._reject(record, rejected, _Flavor())

        return app

    async def _record(self, request: Request) -> RecordedRequest:
        raw = await request.body()
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        record = RecordedRequest(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            raw_body=raw,
            body=body,
        )
        with self._lock:
            self.requests.append(record)
        return record

    async def _chat(self, request: Request, record: RecordedRequest, flavor: _Flavor) -> Response:
        try:
            if flavor.azure:
                self._check_azure(request, flavor)
            else:
                self._check_bearer(request)
            body = _parse_json(record.raw_body)
            _validate_chat(body, azure=flavor.azure)
            if not flavor.azure and self.models is not None and body["model"] not in self.models:
                raise _Rejected(
                    404,
                    f"The model `{body['model']}` does not exist or you do not have access to it.",
                    code="model_not_found",
                )
            step = self._next_step(body)
            _check_step(step, body)
            delay = float(step.get("delay_s", 0))
            if delay > 0 and not await _sleep_unless_disconnected(request, delay):
                record.status = 499  # the client gave up (timeout); nobody reads an answer
                return Response(status_code=499)
            if "status" in step:
                raise _step_error(step)
        except _Rejected as rejected:
            return self._reject(record, rejected, flavor)
        model = self.azure_model if flavor.azure else str(body["model"])
        if body.get("stream"):
            record.status = 200
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(
                _sse(step, body, model, include_usage),
                media_type="text/event-stream",
                headers=_ok_headers(),
            )
        return self._ok(record, _completion(step, body, model))

    # ---- checks and answers ----------------------------------------------------------

    def _check_bearer(self, request: Request) -> None:
        auth = request.headers.get("authorization")
        if not auth:
            raise _Rejected(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
                "or as the password field (with blank username) if you're accessing the API "
                "from your browser and are prompted for a username and password. You can "
                "obtain an API key from https://platform.openai.com/account/api-keys.",
            )
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            raise _Rejected(
                401,
                f"Incorrect API key provided: {_redact(key.strip())}. You can find your API "
                "key at https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )

    def _check_azure(self, request: Request, flavor: _Flavor) -> None:
        if request.headers.get("api-key") != self.api_key:
            raise _Rejected(
                401,
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure "
                "to provide a valid key for an active subscription and use a correct regional "
                "API endpoint for your resource.",
                code="401",
            )
        if not request.query_params.get("api-version"):
            raise _Rejected(404, "Resource not found", code="404")
        if self.azure_deployment is not None and flavor.deployment != self.azure_deployment:
            raise _Rejected(
                404,
                "The API deployment for this resource does not exist. If you created the "
                "deployment within the last 5 minutes, please wait a moment and try again.",
                code="DeploymentNotFound",
            )

    def _reject(self, record: RecordedRequest, rejected: _Rejected, flavor: _Flavor) -> Response:
        record.status = rejected.status
        record.error = rejected.message
        error: dict[str, Any]
        if flavor.azure and rejected.status in (401, 404):
            error = {"code": rejected.code, "message": rejected.message}
        else:
            error = {
                "message": rejected.message,
                "type": rejected.type,
                "param": rejected.param,
                "code": rejected.code,
            }
        headers = {**_ok_headers(), **rejected.headers}
        return JSONResponse({"error": error}, status_code=rejected.status, headers=headers)

    def _ok(self, record: RecordedRequest, payload: dict[str, Any]) -> Response:
        record.status = 200
        return JSONResponse(payload, headers=_ok_headers())


# ---- request validation --------------------------------------------------------------


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        raise _Rejected(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
            "but what was sent was not valid JSON.)",
        )
    return body


def _missing(param: str) -> _Rejected:
    return _Rejected(
        400,
        f"Missing required parameter: '{param}'.",
        param=param,
        code="missing_required_parameter",
    )


def _bad_type(param: str, expected: str, value: Any) -> _Rejected:
    return _Rejected(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {_json_type(value)} instead.",
        param=param,
        code="invalid_type",
    )


def _bad_value(param: str, value: Any, supported: Iterable[str]) -> _Rejected:
    options = ", ".join(f"'{s}'" for s in supported)
    return _Rejected(
        400,
        f"Invalid value: '{value}'. Supported values are: {options}.",
        param=param,
        code="invalid_value",
    )


def _validate_chat(body: dict[str, Any], *, azure: bool) -> None:
    unknown = sorted(set(body) - KNOWN_PARAMS)
    if unknown:
        raise _Rejected(400, f"Unrecognized request argument supplied: {unknown[0]}")
    if not azure and not body.get("model"):
        raise _Rejected(400, "you must provide a model parameter")
    if "model" in body and not isinstance(body["model"], str):
        raise _bad_type("model", "a string", body["model"])
    if "messages" not in body:
        raise _missing("messages")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise _bad_type("messages", "an array", messages)
    if not messages:
        raise _Rejected(
            400,
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got "
            "an empty array instead.",
            param="messages",
            code="empty_array",
        )
    for index, message in enumerate(messages):
        _validate_message(index, message)
    _validate_tool_pairing(messages)
    tools = body.get("tools")
    if tools is not None:
        _validate_tools(tools)
    if body.get("tool_choice") is not None and not tools:
        raise _Rejected(
            400,
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
            "specified.",
            param="tool_choice",
        )
    if body.get("parallel_tool_calls") is not None and not tools:
        raise _Rejected(
            400,
            "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed "
            "when 'tools' are specified.",
            param="parallel_tool_calls",
        )
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise _bad_type("stream", "a boolean", stream)
    if body.get("stream_options") is not None and not stream:
        raise _Rejected(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
        )
    temperature = body.get("temperature")
    if temperature is not None:
        if not isinstance(temperature, int | float) or isinstance(temperature, bool):
            raise _bad_type("temperature", "a decimal", temperature)
        if not 0 <= temperature <= 2:
            raise _Rejected(
                400,
                f"Invalid 'temperature': decimal out of range. Expected a value between 0 and 2, "
                f"but got {temperature} instead.",
                param="temperature",
                code="decimal_out_of_range",
            )
    n = body.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 128):
        raise _Rejected(400, f"Invalid 'n': expected an integer from 1 to 128, got {n}.", param="n")


def _validate_message(index: int, message: Any) -> None:
    where = f"messages[{index}]"
    if not isinstance(message, dict):
        raise _bad_type(where, "an object", message)
    if "role" not in message:
        raise _missing(f"{where}.role")
    role = message["role"]
    if role not in ROLES:
        raise _bad_value(f"{where}.role", role, ROLES)
    content = message.get("content")
    if role == "assistant":
        if content is None and not message.get("tool_calls") and not message.get("audio"):
            raise _missing(f"{where}.content")
        for position, call in enumerate(message.get("tool_calls") or []):
            _validate_tool_call(f"{where}.tool_calls[{position}]", call)
    elif content is None:
        raise _missing(f"{where}.content")
    if content is not None:
        _validate_content(f"{where}.content", content, CONTENT_PART_TYPES[role])
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        if "tool_call_id" not in message:
            raise _missing(f"{where}.tool_call_id")
        raise _bad_type(f"{where}.tool_call_id", "a string", message["tool_call_id"])
    name = message.get("name")
    if name is not None and not isinstance(name, str):
        raise _bad_type(f"{where}.name", "a string", name)


def _validate_content(where: str, content: Any, part_types: set[str]) -> None:
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _bad_type(where, "one of a string or array of objects", content)
    for position, part in enumerate(content):
        here = f"{where}[{position}]"
        if not isinstance(part, dict):
            raise _bad_type(here, "an object", part)
        if part.get("type") not in part_types:
            raise _bad_value(f"{here}.type", part.get("type"), sorted(part_types))
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            raise _missing(f"{here}.text")


def _validate_tool_call(where: str, call: Any) -> None:
    if not isinstance(call, dict):
        raise _bad_type(where, "an object", call)
    if not isinstance(call.get("id"), str) or not call["id"]:
        raise _missing(f"{where}.id")
    if call.get("type") != "function":
        raise _bad_value(f"{where}.type", call.get("type"), ["function"])
    function = call.get("function")
    if not isinstance(function, dict):
        raise _missing(f"{where}.function")
    if not isinstance(function.get("name"), str):
        raise _missing(f"{where}.function.name")
    if "arguments" not in function:
        raise _missing(f"{where}.function.arguments")
    if not isinstance(function["arguments"], str):
        raise _bad_type(f"{where}.function.arguments", "a string", function["arguments"])


def _validate_tool_pairing(messages: list[dict[str, Any]]) -> None:
    pending: list[str] = []  # ids of the last assistant's tool calls not yet answered
    in_tool_block = False
    for index, message in enumerate(messages):
        role = message["role"]
        if role == "tool":
            call_id = message["tool_call_id"]
            if not in_tool_block:
                raise _Rejected(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    param=f"messages.[{index}].role",
                )
            if call_id not in pending:
                raise _Rejected(
                    400,
                    f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in "
                    "'tool_calls' of previous message.",
                    param=f"messages.[{index}].tool_call_id",
                )
            pending.remove(call_id)
            continue
        if pending:
            raise _unanswered(pending, index - 1)
        in_tool_block = role == "assistant" and bool(message.get("tool_calls"))
        pending = [call["id"] for call in message.get("tool_calls") or []] if in_tool_block else []
    if pending:
        raise _unanswered(pending, len(messages) - 1)


def _unanswered(pending: list[str], index: int) -> _Rejected:
    return _Rejected(
        400,
        "An assistant message with 'tool_calls' must be followed by tool messages responding "
        "to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        + ", ".join(pending),
        param=f"messages.[{index}].role",
    )


def _validate_tools(tools: Any) -> None:
    if not isinstance(tools, list):
        raise _bad_type("tools", "an array", tools)
    names: set[str] = set()
    for index, tool in enumerate(tools):
        where = f"tools[{index}]"
        if not isinstance(tool, dict):
            raise _bad_type(where, "an object", tool)
        if tool.get("type") != "function":
            raise _bad_value(f"{where}.type", tool.get("type"), ["function"])
        function = tool.get("function")
        if not isinstance(function, dict):
            raise _missing(f"{where}.function")
        name = function.get("name")
        if name is None:
            raise _missing(f"{where}.function.name")
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            raise _Rejected(
                400,
                f"Invalid '{where}.function.name': string does not match pattern. Expected a "
                "string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                param=f"{where}.function.name",
                code="invalid_value",
            )
        if name in names:
            raise _Rejected(
                400, f"Duplicate tool name '{name}' in 'tools'.", param=f"{where}.function.name"
            )
        names.add(name)
        description = function.get("description")
        if description is not None and not isinstance(description, str):
            raise _bad_type(f"{where}.function.description", "a string", description)
        parameters = function.get("parameters")
        if parameters is not None and (
            not isinstance(parameters, dict) or parameters.get("type", "object") != "object"
        ):
            raise _Rejected(
                400,
                f"Invalid schema for function '{name}': schema must be a JSON Schema of "
                "'type: \"object\"'.",
                param=f"{where}.function.parameters",
                code="invalid_function_parameters",
            )


# ---- script steps and answers ----------------------------------------------------------


def _check_step(step: Any, body: dict[str, Any]) -> None:
    """Refuse (500) a step a real model could not produce for this request."""
    if not isinstance(step, dict) or not step or set(step) - STEP_KEYS:
        raise _Rejected(500, f"ScriptedOpenAI: bad script step {step!r}", type_="server_error")
    offered = [t["function"]["name"] for t in body.get("tools") or []]
    for call in step.get("tool_calls") or []:
        if call.get("name") not in offered:
            raise _Rejected(
                500,
                f"ScriptedOpenAI: the script calls tool {call.get('name')!r} but the request "
                f"offered {offered}",
                type_="server_error",
            )


def _step_error(step: Step) -> _Rejected:
    status = int(step["status"])
    headers: dict[str, str] = {}
    if "retry_after" in step:
        headers["retry-after"] = str(step["retry_after"])
    if "retry_after_ms" in step:
        headers["retry-after-ms"] = str(step["retry_after_ms"])
    if status == 429:
        return _Rejected(
            429,
            step.get("message")
            or "Rate limit reached for gpt-4o-mini in organization org-fake on requests per "
            "min (RPM): Limit 3, Used 3, Requested 1. Please try again later.",
            type_="requests",
            code="rate_limit_exceeded",
            headers=headers,
        )
    if status >= 500:
        return _Rejected(
            status,
            step.get("message")
            or "The server had an error while processing your request. Sorry about that!",
            type_="server_error",
            headers=headers,
        )
    return _Rejected(status, step.get("message") or f"scripted error {status}", headers=headers)


def _tool_calls(step: Step) -> list[dict[str, Any]]:
    calls = []
    for call in step.get("tool_calls") or []:
        arguments = call.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        calls.append(
            {
                "id": call.get("id") or f"call_{secrets.token_hex(12)}",
                "type": "function",
                "function": {"name": call["name"], "arguments": arguments},
            }
        )
    return calls


def _usage(body: dict[str, Any], content: str | None, calls: list[dict[str, Any]]) -> Step:
    prompt = max(1, len(json.dumps(body.get("messages", []), ensure_ascii=False)) // 4)
    completion = len(content or "") // 4 + sum(
        len(c["function"]["arguments"]) // 4 + 3 for c in calls
    )
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _completion(step: Step, body: dict[str, Any], model: str) -> dict[str, Any]:
    calls = _tool_calls(step)
    content = step.get("content")
    if content is None and not calls:
        content = "(respuesta lenta)" if "delay_s" in step else ""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content,
        "refusal": None,
        "annotations": [],
    }
    if calls:
        message["tool_calls"] = calls
    choices = [
        {
            "index": index,
            "message": copy.deepcopy(message),
            "logprobs": None,
            "finish_reason": "tool_calls" if calls else "stop",
        }
        for index in range(int(body.get("n") or 1))
    ]
    return {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": _usage(body, content, calls),
        "service_tier": "default",
        "system_fingerprint": "fp_scripted",
    }


async def _sse(
    step: Step, body: dict[str, Any], model: str, include_usage: bool
) -> AsyncIterator[bytes]:
    """The reply as OpenAI streams it: role, content pieces, tool-call pieces, finish."""
    calls = _tool_calls(step)
    content = step.get("content")
    if content is None and not calls:
        content = ""
    head = {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_scripted",
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        payload: dict[str, Any] = {
            **head,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            payload["usage"] = None
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()

    yield chunk({"role": "assistant", "content": "" if content is not None else None})
    for piece in re.findall(r"\S+\s*|\s+", content or ""):
        yield chunk({"content": piece})
    for index, call in enumerate(calls):
        arguments = call["function"]["arguments"]
        half = len(arguments) // 2
        first = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        yield chunk({"tool_calls": [first]})
        for part in (arguments[:half], arguments[half:]):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]})
    yield chunk({}, "tool_calls" if calls else "stop")
    if include_usage:
        usage = {**head, "choices": [], "usage": _usage(body, content, calls)}
        yield f"data: {json.dumps(usage, ensure_ascii=False)}\n\n".encode()
    yield b"data: [DONE]\n\n"
    await asyncio.sleep(0)


async def _sleep_unless_disconnected(request: Request, seconds: float) -> bool:
    """Sleep ``seconds``; False as soon as the client hangs up (so shutdown is not held)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return False
        await asyncio.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
    return True


def _ok_headers() -> dict[str, str]:
    return {"x-request-id": f"req_{secrets.token_hex(16)}", "openai-processing-ms": "1"}


def _redact(key: str) -> str:
    if len(key) <= 8:
        return "*" * len(key)
    return f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _last_message_text(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    content = messages[-1].get("content") if messages else None
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
