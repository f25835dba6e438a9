"""Apply a run of consecutive records of one partition in ONE transaction.

Order inside the transaction: lock the partition's offset row and drop what it already covers
-> store the new offset -> insert the inbox rows (a known id is a duplicate: no effect) -> run
each new event's reaction. The offset, inbox rows, effects and any outbox rows the reactions
stage commit together or not at all (ADR 0003).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from shared.auth.principal import Principal
from shared.db.uow import SqlUnitOfWork
from shared.messaging.envelope import Envelope, EnvelopeError, IntegrationEvent, decode
from shared.messaging.failures import PoisonMessage, safe_error
from shared.messaging.inbox import Inbox
from shared.messaging.metrics import APPLIED, REREAD
from shared.messaging.offsets import OffsetStore
from shared.observability import get_logger, request_id_var, traceparent_var

log = get_logger("messaging.consumer")

Reaction = Callable[[Any, Envelope, Any], Awaitable[None]]
UowFactory = Callable[[Principal, str | None], SqlUnitOfWork]


@dataclass(frozen=True)
class Decoded:
    record: ConsumerRecord[Any, Any]
    envelope: Envelope
    reaction: Reaction | None
    event: IntegrationEvent | None


class Applier:
    def __init__(
        self,
        *,
        name: str,
        actor: Principal,
        uow_factory: UowFactory,
        reactions: Mapping[type[IntegrationEvent], Reaction],
        offsets: OffsetStore,
        inbox: Inbox,
    ) -> None:
        self.name = name
        self.actor = actor
        self.uow_factory = uow_factory
        self.by_type: dict[str, tuple[type[IntegrationEvent], Reaction]] = {
            model.TYPE: (model, reaction) for model, reaction in reactions.items()
        }
        self.offsets = offsets
        self.inbox = inbox

    def decode(self, record: ConsumerRecord[Any, Any]) -> Decoded:
        try:
            envelope = decode(record.headers, record.value)
        except EnvelopeError as exc:
            raise PoisonMessage(str(exc)) from exc
        entry = self.by_type.get(envelope.type)
        event: IntegrationEvent | None = None
        if entry is not None:
            try:
                event = envelope.parse(entry[0])
            except ValidationError as exc:
                raise PoisonMessage(safe_error(exc)) from exc
        return Decoded(record, envelope, entry[1] if entry else None, event)

    async def apply(self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]) -> None:
        """The unit of work holds its commits meanwhile: a reaction's `commit()` only writes, so
        a failure anywhere leaves nothing half-applied (the caller falls back to one record)."""
        decoded = [self.decode(r) for r in records]
        uow = self.uow_factory(self.actor, decoded[0].envelope.id)
        applied: list[Decoded] = []
        async with uow:
            uow.hold_commits = True
            current = await self.offsets.lock(uow, tp)
            todo = [d for d in decoded if current is None or d.record.offset >= current]
            if len(todo) < len(decoded):
                REREAD.labels(self.name).inc(len(decoded) - len(todo))
            if not todo:
                log.info("consumer.already_applied", consumer=self.name, offset=records[-1].offset)
                return
            await self.offsets.store(
                uow, tp, todo[-1].record.offset + 1, exists=current is not None
            )
            known = [d for d in todo if d.reaction is not None and d.event is not None]
            for d in todo:
                if d.reaction is None:
                    log.debug(
                        "consumer.unknown_type_skipped", consumer=self.name, type=d.envelope.type
                    )
            new = await self.inbox.claim(uow, {d.envelope.id: d.envelope.type for d in known})
            for d in known:
                if d.envelope.id in new:
                    new.discard(d.envelope.id)  # a repeat of an id inside the batch is a duplicate
                    await self._react(uow, d)
                    applied.append(d)
            uow.hold_commits = False
            await uow.commit()
        for d in applied:
            APPLIED.labels(self.name, d.envelope.type).inc()

    async def _react(self, uow: SqlUnitOfWork, d: Decoded) -> None:
        assert d.reaction is not None
        uow.cause_event_id = d.envelope.id
        rid_token = request_id_var.set(d.envelope.request_id)
        tp_token = traceparent_var.set(d.envelope.traceparent)
        try:
            await d.reaction(d.event, d.envelope, uow)
            await uow.flush_staged()  # under this event's request id and cause
        finally:
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)

    async def advance_past(self, tp: TopicPartition, offset: int) -> None:
        uow = self.uow_factory(self.actor, None)
        async with uow:
            await self.offsets.advance_past(uow, tp, offset)
            await uow.commit()
