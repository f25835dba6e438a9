"""Types and helpers shared by the funding API's request and response bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from shared.contracts.types import Money

Reason = Annotated[
    str, Field(min_length=3, max_length=500, description="Why (recorded with the actor)")
]
NonNegativeMoney = Annotated[Money, Field(ge=0, le=Decimal("999999999999.99"))]


def with_example(**example: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})
