"""Types and bases shared by the catalog's request and response bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from catalog.domain.errors import InvalidMaslNumber
from catalog.domain.masl import MASL_RULE, validate_masl


def _masl(value: str) -> str:
    try:
        return validate_masl(value)
    except InvalidMaslNumber:
        raise ValueError(MASL_RULE) from None


NO_NUL = r"^[^\x00]*$"
"""PostgreSQL text cannot hold NUL characters: refuse them at the door (422, not 500)."""


EARLIEST, LATEST = date(1990, 1, 1), date(2100, 9, 30)
CalendarDate = Annotated[
    date, Field(ge=EARLIEST, le=LATEST, description="A date between 1990-01-01 and 2100-09-30")
]


MaslNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        description=MASL_RULE,
        examples=["D177014"],
        # Documented for clients; validated by `_masl`, whose message names the rule.
        json_schema_extra={"pattern": "^[BDPMZQ][0-9]{6}$"},
    ),
    AfterValidator(_masl),
]


class RequestBody(BaseModel):
    """Unknown fields are refused (a misspelt field must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class PatchBody(RequestBody):
    """A partial update: absent fields stay; `null` only where a field may be empty."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_where_a_value_is_required(self) -> Any:
        for name in self.model_fields_set - self.NULLABLE:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep its value")
        if not self.model_fields_set:
            raise ValueError("nothing to change: send at least one field")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class Problem(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://imet.example/problems/invalid-masl-number",
                    "title": "Invalid MASL number",
                    "status": 422,
                    "detail": "Malformed MASL number: a MASL number is one implementing-agency "
                    "letter (B Army, D Air Force, P Navy, M Marine Corps, Z Coast Guard, "
                    "Q other DoD) "
                    "followed by 6 digits, e.g. D177014.",
                    "instance": "/api/v1/catalog/courses/X12",
                }
            ]
        },
    )


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem answers a route may give."""
    described = {
        400: "Malformed request (cursor, If-Match, Idempotency-Key)",
        401: "Missing or invalid bearer token",
        403: "The caller's role may not do this",
        404: "No such resource",
        409: "Conflicts with the resource's current state",
        412: "If-Match does not match the current ETag (someone changed it since you read it)",
        422: "Invalid input or a business rule refused it; nothing was changed",
        428: "If-Match header required",
    }
    return {
        status: {
            "model": Problem,
            "description": described[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
