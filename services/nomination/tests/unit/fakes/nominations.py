"""In-memory nominations and their history (the twin of adapters/repositories/nominations.py).

The two partial unique indexes of the table are checked here and raise `ConstraintViolated`
where PostgreSQL would refuse: one open nomination per candidate and class, one active
nomination per person (fingerprint) and class.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nomination.domain.errors import ConstraintViolated
from nomination.domain.nomination import HistoryEntry, Nomination
from nomination.domain.states import ACTIVE, TERMINAL, Funding, Seat, State, Vetting
from services.nomination.tests.unit.fakes.store import NominationStore

# What PostgreSQL fills in when a nomination is inserted (server defaults).
_DEFAULTS: dict[str, Any] = {
    "with_dependents": False,
    "seat_status": Seat.NONE.value,
    "vetting_status": Vetting.NONE.value,
    "funding_status": Funding.NONE.value,
    "compensations": {},
}


class MemoryNominations:
    def __init__(self, store: NominationStore) -> None:
        self.store = store

    def _check(self, n: Nomination) -> None:
        for other in self.store.nominations.values():
            if other.id == n.id:
                continue
            if (
                n.state not in TERMINAL
                and other.state not in TERMINAL
                and (other.candidate_id, other.class_id) == (n.candidate_id, n.class_id)
            ):
                raise ConstraintViolated("uq_nomination_candidate_open")
            if (
                n.person_fingerprint is not None
                and n.state in ACTIVE
                and other.state in ACTIVE
                and (other.class_id, other.person_fingerprint) == (n.class_id, n.person_fingerprint)
            ):
                raise ConstraintViolated("uq_nomination_person_active")

    async def add(self, values: dict[str, Any]) -> Nomination:
        now = datetime.now(UTC)
        n = Nomination(
            **{**_DEFAULTS, "created_at": now, "updated_at": now, **values, "version": 1}
        )
        self._check(n)
        self.store.nominations[n.id] = n
        return n

    async def get(self, nomination_id: UUID, *, for_update: bool = False) -> Nomination | None:
        return self.store.nominations.get(nomination_id)

    async def update(self, current: Nomination, values: dict[str, Any]) -> Nomination:
        stored = self.store.nominations[current.id]
        new = stored.with_values(
            {**values, "version": current.version + 1, "updated_at": datetime.now(UTC)}
        )
        self._check(new)
        self.store.nominations[new.id] = new
        return new

    async def open_for(self, candidate_id: UUID, class_id: UUID) -> Nomination | None:
        for n in self._oldest_first():
            if (n.candidate_id, n.class_id) == (candidate_id, class_id) and not n.ended:
                return n
        return None

    async def person_is_active_in_class(
        self, class_id: UUID, fingerprint: str, *, other_than: UUID
    ) -> bool:
        return any(
            n.class_id == class_id
            and n.person_fingerprint == fingerprint
            and n.active
            and n.id != other_than
            for n in self.store.nominations.values()
        )

    def _oldest_first(self) -> list[Nomination]:
        return sorted(self.store.nominations.values(), key=lambda n: n.created_at)

    def _ids(self, states: Iterable[State], **where: Any) -> list[UUID]:
        wanted = set(states)
        return [
            n.id
            for n in self._oldest_first()
            if n.state in wanted and all(getattr(n, k) == v for k, v in where.items())
        ]

    async def ids_in_class(self, class_id: UUID, states: Iterable[State]) -> list[UUID]:
        return self._ids(states, class_id=class_id)

    async def ids_in_country(self, country: str, states: Iterable[State]) -> list[UUID]:
        return self._ids(states, country=country)

    async def ids_of_candidate(self, candidate_id: UUID, states: Iterable[State]) -> list[UUID]:
        return self._ids(states, candidate_id=candidate_id)

    async def add_history(
        self,
        nomination_id: UUID,
        *,
        kind: str,
        actor: str,
        cause_event_id: str | None,
        from_state: str | None = None,
        to_state: str | None = None,
        reason: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.store.history.append(
            HistoryEntry(
                id=len(self.store.history) + 1, nomination_id=nomination_id,
                occurred_at=datetime.now(UTC), kind=kind, actor=actor,
                from_state=from_state, to_state=to_state, reason=reason,
                cause_event_id=cause_event_id, detail=detail or {},
            )
        )  # fmt: skip

    async def history(self, nomination_id: UUID) -> list[HistoryEntry]:
        return [h for h in self.store.history if h.nomination_id == nomination_id]
