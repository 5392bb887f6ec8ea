"""Routing errors: each names the field at fault and the reason, so a caller can show it as is."""

from __future__ import annotations


class ProblemError(ValueError):
    """An input the builder refuses: ``field`` is the offending input, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InstanceFormatError(ValueError):
    """A benchmark instance file that cannot be read (missing, malformed, unsupported)."""
