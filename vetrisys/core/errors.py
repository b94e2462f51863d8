"""Domain errors. Services raise these; the API and views map them to one status each."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra: dict[str, Any] = extra


class ValidationFailed(DomainError):
    """Input that breaks a rule (422); `fields` maps a field name to its messages."""

    status = 422
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message, code=code, fields=fields or {}, **extra)
        self.fields = fields or {}

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationFailed:
        """One message about one field."""
        return cls(message, fields={field: [message]})


class Conflict(DomainError):
    """The request is valid but clashes with the current state (409)."""

    status = 409
    code = "conflict"


class NotAllowed(DomainError):
    """The actor is known but lacks the capability (403)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such object, or not one the actor may see (404)."""

    status = 404
    code = "not_found"


class NotAuthenticated(DomainError):
    """No valid credentials (401)."""

    status = 401
    code = "not_authenticated"
