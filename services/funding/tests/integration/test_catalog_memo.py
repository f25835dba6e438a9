"""The catalog read model remembers what its transaction holds (ADR 0150): a course lock is
taken once per transaction, a state no newer than one seen stored costs no statement, and
nothing is remembered past a commit or a rollback."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from funding.domain.catalog_facts import CourseState
from services.funding.tests.integration.support import ACTOR, Course, course


def _state(c: Course, version: int) -> CourseState:
    return CourseState(
        c.masl_id, "Test course", c.category, c.dedicated, "DLIELC", True, True, True, version,
        {c.fiscal_year: c.tuition},
    )  # fmt: skip


class _Statements:
    def __init__(self, runtime: Any) -> None:
        self.seen: list[str] = []
        self.engine = runtime.engine.sync_engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(statement)

    def count(self) -> tuple[int, int]:
        """(course locks, course upserts) so far."""
        locks = sum("pg_advisory_xact_lock" in s for s in self.seen)
        upserts = sum(s.startswith("INSERT") and "course (masl_id" in s for s in self.seen)
        return locks, upserts

    def detach(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


async def test_a_transaction_locks_a_course_once_and_knows_a_stale_state_without_asking(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c = course(fiscal_year)
    statements = _Statements(runtime)
    try:
        async with runtime.uow(ACTOR) as uow:
            await uow.catalog.serialize_course(c.masl_id)
            applied = await uow.catalog.apply_course(_state(c, 2))
            await uow.catalog.serialize_course(c.masl_id)
            same_again = await uow.catalog.apply_course(_state(c, 2))
            older = await uow.catalog.apply_course(_state(c, 1))
            in_first = statements.count()
            await uow.commit()
            await uow.catalog.serialize_course(c.masl_id)
            stale_next_transaction = await uow.catalog.apply_course(_state(c, 2))
            newer = await uow.catalog.apply_course(_state(c, 3))
            in_second = statements.count()
            await uow.commit()
    finally:
        statements.detach()

    assert (applied, same_again, older) == (True, False, False)
    assert in_first == (1, 1)  # one lock, one upsert: the repeats asked nothing
    assert (stale_next_transaction, newer) == (False, True)
    assert in_second == (2, 3)  # a new transaction locks again and asks the database again


async def test_a_rolled_back_write_is_not_remembered(make_runtime: Any, fiscal_year: int) -> None:
    runtime = await make_runtime("funding")
    c = course(fiscal_year)
    async with runtime.uow(ACTOR) as uow:
        first = await uow.catalog.apply_course(_state(c, 5))
        await uow.rollback()
        again = await uow.catalog.apply_course(_state(c, 5))
        await uow.commit()

    assert (first, again) == (True, True)
