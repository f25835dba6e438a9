"""What every vetting resource's bodies share: text constraints, names of states, example ids,
and the problem answers a route may give."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import StringConstraints

# Free text: no control characters except tab/newline (PostgreSQL refuses NUL; logs stay clean).
_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=_NO_CONTROL),
]
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=ONE_LINE)
]
CaseStatusName = Literal[
    "open", "pending_confirmation", "approved", "suspended", "denied", "cancelled"
]
DecisionStateName = Literal["effective", "pending_confirmation", "rejected", "superseded"]
UnitMatchName = Literal["registered", "by_name", "unregistered", "ambiguous"]

# Ids shown in the OpenAPI examples.
CASE_ID = "3f0a4c1e-8d2b-4f4e-9a51-6c1d2e7b9a10"
NOMINATION_ID = "b7d1c2a4-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
CANDIDATE_ID = "0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"
DECISION_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
ENTRY_ID = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"

_PROBLEMS = {
    400: "Malformed cursor or If-Match header",
    401: "No or invalid bearer token",
    403: "The caller's role may not do this",
    404: "No such resource (or not of the SCO's country)",
    409: "The current state refuses the change",
    412: "If-Match does not match the current ETag",
    422: "Invalid input, or a reason code that does not fit",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problem+json answers a route may give."""
    return {
        status: {"description": _PROBLEMS[status], "content": {"application/problem+json": {}}}
        for status in (401, 403, *statuses)
    }
