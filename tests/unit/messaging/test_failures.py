"""Which failures are the record's fault, which the infrastructure's, and how they are named."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.db.admission import ServiceBusy
from shared.messaging.failures import Kind, PoisonMessage, describe


def _db_error(driver_error: Exception) -> DBAPIError:
    """A SQLAlchemy error wrapping a driver error, as the asyncpg dialect raises them."""
    return DBAPIError("SELECT 1", {}, driver_error)


@pytest.mark.parametrize(
    ("driver_error", "kind", "code"),
    [
        (asyncpg.QueryCanceledError("canceling statement"), Kind.TRANSIENT, "sqlstate.57014"),
        (asyncpg.LockNotAvailableError("lock timeout"), Kind.TRANSIENT, "sqlstate.55P03"),
        (asyncpg.SerializationError("could not serialize"), Kind.TRANSIENT, "sqlstate.40001"),
        (asyncpg.DeadlockDetectedError("deadlock"), Kind.TRANSIENT, "sqlstate.40P01"),
        (asyncpg.AdminShutdownError("terminating"), Kind.INFRASTRUCTURE, "sqlstate.57P01"),
        (asyncpg.TooManyConnectionsError("too many"), Kind.INFRASTRUCTURE, "sqlstate.53300"),
        (asyncpg.UniqueViolationError("duplicate key"), Kind.FAILURE, "sqlstate.23505"),
    ],
)
def test_a_database_error_is_classified_by_its_sqlstate(
    driver_error: Exception, kind: Kind, code: str
) -> None:
    failure = describe(_db_error(driver_error))

    assert (failure.kind, failure.code) == (kind, code)
    assert failure.error_class == type(driver_error).__name__


@pytest.mark.parametrize(
    ("error", "kind", "code"),
    [
        (ConnectionRefusedError(), Kind.INFRASTRUCTURE, "connection"),
        (asyncpg.ConnectionDoesNotExistError("closed"), Kind.INFRASTRUCTURE, "sqlstate.08003"),
        (PoolTimeout("QueuePool limit reached"), Kind.INFRASTRUCTURE, "pool.timeout"),
        (ServiceBusy("10 in progress", retry_after=2), Kind.INFRASTRUCTURE, "admission.busy"),
        (TimeoutError(), Kind.TRANSIENT, "timeout"),
        (RuntimeError("a bug"), Kind.FAILURE, "reaction.error"),
        (PoisonMessage("poison.envelope", "not JSON"), Kind.POISON, "poison.envelope"),
    ],
)
def test_other_errors_are_classified_by_what_they_mean(
    error: Exception, kind: Kind, code: str
) -> None:
    failure = describe(error)

    assert (failure.kind, failure.code) == (kind, code)


def test_a_description_never_carries_the_error_message() -> None:
    secret = 'invalid input syntax for type integer: "candidate-passport-X123"'

    failure = describe(_db_error(asyncpg.InvalidTextRepresentationError(secret)))

    assert "X123" not in f"{failure.error_class} {failure.code} {failure.detail}"
    assert failure.code == "sqlstate.22P02"
