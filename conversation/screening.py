"""Messages that must not reach the agents (empty, huge, binary) and their Spanish replies."""

from __future__ import annotations

MAX_MESSAGE_BYTES = 4096
EMPTY_REPLY = "¿Me escribes tu mensaje? Cuéntame para qué auto buscas llantas o en qué te ayudo 🙂"
LONG_REPLY = "Tu mensaje es muy largo para mí 😅 ¿Me lo resumes en unas líneas?"
BINARY_REPLY = "No pude leer ese mensaje. ¿Me lo escribes con texto, por favor?"


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
