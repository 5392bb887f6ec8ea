"""A lean HTTP/1.1 client for load generators: JSON POSTs on one keep-alive connection.

On this 2-core machine the load generator shares the cores with the server it measures. httpx
spends about 8 ms of CPU per chat turn (its request and response models, its connection pool);
that is a third of what the server spends, taken from the server's second core, so a saturated
run measured the client as much as the server. This client writes the request line and headers
by hand and reads the response by its Content-Length (or chunks): well under a millisecond.
It is for the benchmarks only; the product and the tests speak through real clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from types import TracebackType
from typing import Any

# uvicorn closes a keep-alive connection after 5 s idle; one idle this long is not reused.
IDLE_REUSE_S = 4.0


class LeanClient:
    """``async with LeanClient(host, port) as c: status, body = await c.post_json(path, data)``.

    One connection, opened on first use and again after the server closes it; ``local_address``
    binds the client's side (a loopback address per simulated customer). Transport failures
    raise ``OSError`` (``ConnectionError``, ``TimeoutError``).
    """

    def __init__(
        self, host: str, port: int, *, local_address: str | None = None, timeout_s: float = 60.0
    ) -> None:
        self.host = host
        self.port = port
        self.local_address = local_address
        self.timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used = 0.0

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def post_json(self, path: str, payload: Any) -> tuple[int, Any]:
        """POST ``payload`` as JSON; the status and the decoded JSON body (None when empty)."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        return await asyncio.wait_for(self._exchange(head + body), self.timeout_s)

    async def _exchange(self, request: bytes) -> tuple[int, Any]:
        if self._writer is not None and time.monotonic() - self._used > IDLE_REUSE_S:
            await self.aclose()  # the server is about to drop it: start afresh
        reused = self._writer is not None
        try:
            return await self._once(request)
        except (ConnectionError, asyncio.IncompleteReadError):
            if not reused:
                raise
        # The server closed the idle connection (uvicorn: after 5 s of keep-alive) as the
        # request went out, before reading it: send it again on a new one, as browsers and
        # httpx do. A connection that fails fresh is an error.
        await self.aclose()
        return await self._once(request)

    async def _once(self, request: bytes) -> tuple[int, Any]:
        if self._writer is None:
            local = (self.local_address, 0) if self.local_address else None
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, local_addr=local
            )
        assert self._reader is not None
        reader, writer = self._reader, self._writer
        try:
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            await self.aclose()
            raise ConnectionError("the server closed the connection") from exc
        except ConnectionError:
            await self.aclose()
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            data = await self._chunks(reader)
        else:
            data = await reader.readexactly(int(headers.get("content-length", "0")))
        self._used = time.monotonic()
        if headers.get("connection", "").lower() == "close":
            await self.aclose()
        return status, json.loads(data) if data else None

    @staticmethod
    async def _chunks(reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers from our server
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
