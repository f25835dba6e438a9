"""Partition ownership among the instances of one consumer, by PostgreSQL advisory locks.

We do not use Kafka consumer groups (ADR 0003): the dev broker has a group bug that strands a
group forever, and joins cost seconds. Instead every instance of a consumer holds, on one
dedicated connection (`connections.LockConnection`):
- a member slot lock `(class(consumer:members), slot)` - the live instances are the granted
  slot locks visible in `pg_locks`;
- one lock `(class(consumer:topic), partition)` per partition it owns.
Partitions are dealt round-robin over the live members ordered by slot.

Changes are announced on the `imet_leases` channel (payload: the consumer's name) when an
instance joins, releases partitions or leaves, so the others rebalance at once instead of
scanning `pg_locks` every second. An instance that dies cannot announce anything: its locks
vanish with its session (within seconds, see connections.py) and the survivors find out at
their next periodic scan. Ownership spreads work; correctness does not depend on it, because
each transaction also locks the partition's offset row and checks the offset (applier.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.messaging.connections import LockConnection
from shared.messaging.locks import lock_class

MAX_MEMBERS = 256
LEASES_CHANNEL = "imet_leases"

_MEMBERS = """
SELECT objid::bigint AS slot FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = $1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY 1
"""


@dataclass(frozen=True, order=True)
class Partition:
    topic: str
    partition: int


class PartitionLeases:
    def __init__(self, conn: LockConnection, consumer: str) -> None:
        self.conn = conn
        self.consumer = consumer
        self.slot: int | None = None
        self.owned: set[Partition] = set()
        self._members_class = lock_class(f"{consumer}:members")

    async def join(self) -> int:
        for slot in range(MAX_MEMBERS):
            if await self.conn.fetchval(
                "SELECT pg_try_advisory_lock($1::int, $2::int)", self._members_class, slot
            ):
                self.slot = slot
                await self.announce()
                return slot
        raise RuntimeError(f"more than {MAX_MEMBERS} instances of consumer {self.consumer}")

    async def leave(self) -> None:
        """Release everything and tell the others (a graceful stop)."""
        await self.conn.fetchval("SELECT pg_advisory_unlock_all()")
        self.owned = set()
        await self.announce()

    async def announce(self) -> None:
        await self.conn.fetchval("SELECT pg_notify($1, $2)", LEASES_CHANNEL, self.consumer)

    async def members(self) -> list[int]:
        return [int(r["slot"]) for r in await self.conn.fetch(_MEMBERS, self._members_class)]

    def _partition_class(self, topic: str) -> int:
        return lock_class(f"{self.consumer}:{topic}")

    async def rebalance(self, partitions: list[Partition]) -> tuple[set[Partition], set[Partition]]:
        """Release what is no longer ours, take what is ours and free; (acquired, released)."""
        assert self.slot is not None, "join() first"
        members = await self.members()
        if self.slot not in members:  # pragma: no cover - our own lock is always visible
            members = sorted([*members, self.slot])
        index, count = members.index(self.slot), len(members)
        ordered = sorted(partitions)
        desired = {p for i, p in enumerate(ordered) if i % count == index}
        released = self.owned - desired
        for p in released:
            await self.conn.fetchval(
                "SELECT pg_advisory_unlock($1::int, $2::int)",
                self._partition_class(p.topic),
                p.partition,
            )
        self.owned -= released
        if released:
            await self.announce()  # whoever waits for these can take them now
        acquired: set[Partition] = set()
        for p in sorted(desired - self.owned):
            if await self.conn.fetchval(
                "SELECT pg_try_advisory_lock($1::int, $2::int)",
                self._partition_class(p.topic),
                p.partition,
            ):
                acquired.add(p)
        self.owned |= acquired
        return acquired, released
