"""The one error hierarchy. Each error carries a stable ``code`` that GraphQL exposes as
``extensions.code`` and handlers map to responses; messages are safe to show to users."""

from __future__ import annotations

from typing import Any, ClassVar


class ArgusError(Exception):
    """Base of every error the product raises on purpose."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code}
        if self.details:
            ext["details"] = self.details
        return ext


class Unauthenticated(ArgusError):
    """No valid bearer token: missing, malformed, badly signed, expired, or for another audience.
    ``reason`` says which (``missing``, ``expired``, ``wrong_issuer``…): never part of the answer
    outside the local stack (see argus.api.errors.unauthenticated_extensions)."""

    code = "UNAUTHENTICATED"

    def __init__(
        self, message: str, *, details: dict[str, Any] | None = None, reason: str = "invalid"
    ) -> None:
        super().__init__(message, details=details)
        self.reason = reason


class Forbidden(ArgusError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"


class NotFound(ArgusError):
    """The thing does not exist in the caller's organisation (or the caller may not know it does)."""

    code = "NOT_FOUND"


class BadUserInput(ArgusError):
    """The input is invalid; ``details`` names the offending fields."""

    code = "BAD_USER_INPUT"


class Conflict(ArgusError):
    """The change conflicts with existing state (a duplicate, a stale version)."""

    code = "CONFLICT"


class Internal(ArgusError):
    """Something failed that the caller cannot fix; details are logged, never returned."""

    code = "INTERNAL"


ERROR_CODES: tuple[str, ...] = (
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "CONFLICT",
    "INTERNAL",
)
