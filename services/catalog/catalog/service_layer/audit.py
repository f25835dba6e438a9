"""Audit snapshots: the state of an aggregate as JSON-ready data (before/after of a change)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID


def snapshot(item: Any) -> dict[str, Any]:
    """A dataclass as a JSON-ready dict (dates ISO 8601, money and ids as strings)."""
    return {key: _plain(value) for key, value in dataclasses.asdict(item).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
