"""SQL repositories: load and store the catalog's aggregates (SQLAlchemy Core on the unit of
work's session), one module per aggregate. What they all share is here: a unique-constraint
violation that a concurrent request can cause becomes the domain's answer."""

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
