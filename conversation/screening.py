"""Messages that must not reach the agents (empty, huge, binary) and their Spanish replies."""

from __future__ import annotations

from domain.messages import BINARY_REPLY, EMPTY_REPLY, LONG_REPLY

MAX_MESSAGE_BYTES = 4096


def screen_message(text: str) -> str | None:
    """A Spanish reply for a message that must not reach the agents (empty, huge, binary)."""
    if not text or not text.strip():
        return EMPTY_REPLY
    if len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        return LONG_REPLY
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t")
    if "\x00" in text or printable / len(text) < 0.85:
        return BINARY_REPLY
    return None
