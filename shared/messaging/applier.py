"""Apply a run of consecutive records of one partition in ONE transaction.

Order inside the transaction, cheapest and safest first:
1. lock the partition's offset row and drop every record it already covers: a record behind
   the stored offset is never decoded, applied or dead-lettered again (a replay is free);
2. decode the envelopes (headers + JSON) of the rest: a record that is not a CloudEvent is
   poison (`PoisonMessage`, the caller dead-letters it);
3. store the new offset and insert the inbox rows: an id already there (applied or
   dead-lettered before, e.g. a producer's re-send) is a duplicate and goes no further - but a
   replayed dead letter (`x-dlq-replayed-from`) takes a `dead_lettered` row over (inbox.py);
4. only then validate each new event's body against its model and run its reaction.
The offset, inbox rows, effects and any outbox rows the reactions stage commit together or not
at all (ADR 0003). The unit of work holds its commits meanwhile, so a reaction's `commit()` only
writes and a failure anywhere leaves nothing half-applied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from shared.auth.principal import Principal
from shared.contracts.envelope import Envelope, EnvelopeError, IntegrationEvent, decode
from shared.db.uow import SqlUnitOfWork
from shared.messaging.dlq.records import is_replay
from shared.messaging.failures import PoisonMessage, validation_detail
from shared.messaging.inbox import APPLIED_OUTCOME, DEAD_LETTERED_OUTCOME, Inbox
from shared.messaging.metrics import APPLIED, REREAD
from shared.messaging.offsets import OffsetStore
from shared.observability import get_logger, request_id_var, traceparent_var
from shared.tracing import consume_span

log = get_logger("messaging.consumer")

Reaction = Callable[[Any, Envelope, Any], Awaitable[None]]
UowFactory = Callable[[Principal, str | None], SqlUnitOfWork]


def record_time(records: list[ConsumerRecord[Any, Any]]) -> datetime:
    """The newest producer timestamp of the records (now when the broker gives none)."""
    newest = max(r.timestamp for r in records)
    return datetime.fromtimestamp(newest / 1000, UTC) if newest > 0 else datetime.now(UTC)


def envelope_of(record: ConsumerRecord[Any, Any]) -> Envelope:
    try:
        return decode(record.headers, record.value)
    except EnvelopeError as exc:
        raise PoisonMessage("poison.envelope", str(exc)) from exc


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

    async def apply(self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]) -> int:
        """Apply what the stored offset does not cover yet; the number of events applied."""
        uow = self.uow_factory(self.actor, None)
        applied: list[str] = []
        async with uow:
            uow.hold_commits = True
            current = await self.offsets.lock(uow, tp)
            todo = [r for r in records if current is None or r.offset >= current]
            if len(todo) < len(records):
                # Read again although applied: what a replay costs (the fault suite counts it).
                REREAD.labels(self.name).inc(len(records) - len(todo))
                log.info("consumer.reread", consumer=self.name, topic=tp.topic,
                         partition=tp.partition, records=len(records) - len(todo))  # fmt: skip
            if not todo:
                log.debug("consumer.already_applied", consumer=self.name, offset=records[-1].offset)
                return 0
            envelopes = [(r, envelope_of(r)) for r in todo]
            await self.offsets.store(
                uow, tp, todo[-1].offset + 1, record_time(todo), exists=current is not None
            )
            known = [(r, e) for r, e in envelopes if e.type in self.by_type]
            for _, e in envelopes:
                if e.type not in self.by_type:
                    log.debug("consumer.unknown_type_skipped", consumer=self.name, type=e.type)
            replays = {e.id for r, e in known if is_replay(r.headers)}
            new = await self.inbox.claim(
                uow, tp, {e.id: e.type for _, e in known}, outcome=APPLIED_OUTCOME,
                retry_dead_lettered=replays,
            )  # fmt: skip
            for _, envelope in known:
                if envelope.id in new:
                    new.discard(envelope.id)  # a repeat of an id inside the batch is a duplicate
                    await self._react(uow, tp, envelope)
                    applied.append(envelope.type)
            uow.hold_commits = False
            await uow.commit()
        for event_type in applied:
            APPLIED.labels(self.name, event_type).inc()
        return len(applied)

    async def _react(self, uow: SqlUnitOfWork, tp: TopicPartition, envelope: Envelope) -> None:
        model, reaction = self.by_type[envelope.type]
        try:
            event = envelope.parse(model)
        except ValidationError as exc:
            raise PoisonMessage(
                "poison.body",
                validation_detail(exc),
                event_id=envelope.id,
                event_type=envelope.type,
            ) from exc
        uow.cause_event_id = envelope.id
        rid_token = request_id_var.set(envelope.request_id)
        tp_token = traceparent_var.set(envelope.traceparent)
        try:
            with consume_span(
                consumer=self.name, topic=tp.topic, partition=tp.partition, event_id=envelope.id,
                event_type=envelope.type, traceparent=envelope.traceparent,
            ):  # fmt: skip
                await reaction(event, envelope, uow)
                await uow.flush_staged()  # under this event's request id, cause and span
        finally:
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)

    async def dead_lettered(
        self, tp: TopicPartition, record: ConsumerRecord[Any, Any], event_id: str | None, kind: str
    ) -> None:
        """After the DLQ took the record: move the offset past it and, when the event's id is
        known, remember it in the inbox, so a re-send of the same event is not dead-lettered
        (nor applied) again. A replay (`imet dlq replay`, ADR 0106) takes that row over."""
        uow = self.uow_factory(self.actor, None)
        async with uow:
            await self.offsets.advance_past(uow, tp, record.offset, record_time([record]))
            if event_id is not None:
                await self.inbox.claim(uow, tp, {event_id: kind}, outcome=DEAD_LETTERED_OUTCOME)
            await uow.commit()

    @staticmethod
    def identity(record: ConsumerRecord[Any, Any]) -> tuple[str | None, str]:
        """(event id, type) of a record whose envelope decodes, else (None, "")."""
        try:
            envelope = decode(record.headers, record.value)
        except EnvelopeError:
            return None, ""
        return envelope.id, envelope.type
