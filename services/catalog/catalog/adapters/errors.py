"""Turn a database refusal that a concurrent request can cause into the domain's answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from shared.errors import DomainError

UNIQUE_VIOLATION = "23505"


@contextmanager
def unique_violation_as(error: type[DomainError], detail: str) -> Iterator[None]:
    """A unique-constraint violation (two requests creating the same thing) becomes `error`."""
    try:
        yield
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            raise error(detail) from None
        raise
