"""Errors a business rule raises. Plain Python: domain code imports these, never FastAPI.

The HTTP layer turns them into RFC 9457 problem+json (`shared.http.problems`); the `code` is the
stable last segment of the problem `type` URI that clients switch on.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A business rule refused the request; nothing was changed."""

    code: ClassVar[str] = "business-rule-violated"
    status: ClassVar[int] = 422
    title: ClassVar[str] = "Business rule violated"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def headers(self) -> dict[str, str]:
        """Response headers the refusal carries (e.g. `Retry-After` on a 503)."""
        return {}


class NotFound(DomainError):
    code = "not-found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = "Conflict with the current state"


class PreconditionFailed(DomainError):
    code = "precondition-failed"
    status = 412
    title = "The resource changed since you read it"


class PreconditionRequired(DomainError):
    code = "precondition-required"
    status = 428
    title = "If-Match header required"


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = "Forbidden"
