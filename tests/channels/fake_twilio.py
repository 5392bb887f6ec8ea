"""A fake of Twilio's Messages API (``POST /2010-04-01/Accounts/{Sid}/Messages.json``).

Serve ``FakeTwilio(sid, token).app`` with ``tests.live_server.live_server`` and point the real
twilio client at it. It checks what Twilio checks (HTTP Basic auth = account sid and auth
token, To/From, Body or ContentSid, ContentVariables as a JSON object) and answers with
Twilio's JSON (201 with a ``sid``) or Twilio's error JSON. ``fail_next(status, n)`` makes the
next ``n`` valid requests fail with that status (for retries). Accepted messages are in
``.messages``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class FakeTwilio:
    """Twilio's message-create endpoint, checking auth and form fields."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict[str, str]] = []
        self.requests = 0
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self.app = FastAPI()
        self.app.post("/2010-04-01/Accounts/{sid}/Messages.json")(self._create)

    def fail_next(self, status: int, times: int = 1) -> None:
        """The next ``times`` valid requests answer ``status``."""
        with self._lock:
            self._failures += [status] * times

    @staticmethod
    def _error(status: int, code: int, message: str) -> JSONResponse:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return JSONResponse(body, status_code=status)

    async def _create(self, sid: str, request: Request) -> JSONResponse:
        with self._lock:
            self.requests += 1
        basic = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if sid != self.account_sid or request.headers.get("authorization") != f"Basic {basic}":
            return self._error(401, 20003, "Authenticate")
        form = {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
        if not form.get("To"):
            return self._error(400, 21604, "A 'To' phone number is required.")
        if not form.get("From"):
            return self._error(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body") and not form.get("ContentSid"):
            return self._error(400, 21619, "A text message body or media urls must be specified.")
        if "ContentVariables" in form:
            try:
                variables: Any = json.loads(form["ContentVariables"])
            except ValueError:
                variables = None
            if not isinstance(variables, dict) or not form.get("ContentSid"):
                return self._error(400, 21656, "The ContentVariables Parameter is invalid.")
        if len(form.get("Body", "")) > 1600:
            return self._error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        with self._lock:
            if self._failures:
                status = self._failures.pop(0)
                return self._error(status, 20500 if status >= 500 else 20429, "Service unavailable")
            message_sid = "SM" + secrets.token_hex(16)
            self.messages.append({**form, "Sid": message_sid})
        return JSONResponse(
            {
                "sid": message_sid,
                "account_sid": sid,
                "api_version": "2010-04-01",
                "to": form["To"],
                "from": form["From"],
                "body": form.get("Body", ""),
                "status": "queued",
                "num_segments": "1",
                "num_media": "0",
                "direction": "outbound-api",
                "date_created": "Fri, 20 Nov 2026 18:00:00 +0000",
                "date_updated": "Fri, 20 Nov 2026 18:00:00 +0000",
                "date_sent": None,
                "error_code": None,
                "error_message": None,
                "price": None,
                "price_unit": "USD",
                "messaging_service_sid": None,
                "uri": f"/2010-04-01/Accounts/{sid}/Messages/{message_sid}.json",
                "subresource_uris": {},
            },
            status_code=201,
        )
