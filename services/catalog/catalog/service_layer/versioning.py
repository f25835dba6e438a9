"""Optimistic concurrency for updates, without the service layer knowing about HTTP."""

from __future__ import annotations

from collections.abc import Callable

VersionCheck = Callable[[object, int], None]
"""Called with (resource id, current version) under the row lock; raises when the caller's
precondition (e.g. HTTP If-Match) does not hold for that version."""


def no_check(resource_id: object, version: int) -> None:
    """For callers without a precondition (the seed, reactions)."""
