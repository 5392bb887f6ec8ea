"""Domain errors; the API maps them to HTTP in one place (api/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of the errors our own code raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""


class Conflict(DomainError):
    """The request is valid but the current state forbids it (stock, status transitions)."""


class InvalidRequest(DomainError):
    """The request itself is wrong: a field has a bad value."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class Unauthenticated(DomainError):
    """The caller did not prove who they are."""


class ExternalServiceError(DomainError):
    """An outside system (ERP, payment provider, Twilio) failed or timed out."""
