"""Dead letters as an operator sees them: ids, filters, decoded records, replay headers.

Pure code (no broker): `broker.py` reads and re-publishes. A dead letter's id is
`<dlq topic>:<partition>:<offset>` - where it sits on the broker, stable for as long as the
broker keeps the record (the DLQ topics are append-only; retention removes the oldest).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka.structs import ConsumerRecord

from shared.messaging.kafka import LOGICAL_TOPICS, dlq_topic, physical_topic

DLQ_SUFFIX = ".dlq"
DLQ_HEADER_PREFIX = "x-dlq-"
#: Headers a replay adds to the re-published record (the `x-dlq-*` of the failure are dropped).
REPLAYED_FROM = "x-dlq-replayed-from"
REPLAYED_AT = "x-dlq-replayed-at"
REPLAYED_BY = "x-dlq-replayed-by"
# Kafka topic names: 1..249 of [A-Za-z0-9._-]; offsets are int64, partitions int32.
ID_PATTERN = r"^[A-Za-z0-9._-]{1,245}\.dlq:[0-9]{1,10}:[0-9]{1,19}$"
_ID = re.compile(ID_PATTERN)
MAX_PARTITION = 2**31 - 1
MAX_OFFSET = 2**63 - 1


class InvalidDeadLetterId(ValueError):
    """Not `<dlq topic>:<partition>:<offset>` (answered 400 by the gateway, exit 2 by the CLI)."""


class UnknownTopic(ValueError):
    """A topic filter that names no dead-letter topic of this deployment."""


@dataclass(frozen=True, order=True)
class DeadLetterId:
    topic: str
    partition: int
    offset: int

    @classmethod
    def parse(cls, text: str) -> DeadLetterId:
        if not _ID.fullmatch(text):
            raise InvalidDeadLetterId(
                "A dead letter id is <dlq topic>:<partition>:<offset>, "
                "e.g. imet.vetting.events.dlq:0:42."
            )
        topic, partition, offset = text.rsplit(":", 2)
        if int(partition) > MAX_PARTITION or int(offset) > MAX_OFFSET:
            raise InvalidDeadLetterId("The partition or offset of the id is out of range.")
        return cls(topic, int(partition), int(offset))

    @property
    def original_topic(self) -> str:
        """Where a replay goes: always the topic the DLQ belongs to, never a header's say."""
        return self.topic[: -len(DLQ_SUFFIX)]

    def __str__(self) -> str:
        return f"{self.topic}:{self.partition}:{self.offset}"


def dlq_topics(prefix: str) -> list[str]:
    """The dead-letter topics of this deployment (one per topic, ADR 0052)."""
    return [dlq_topic(physical_topic(t, prefix)) for t in LOGICAL_TOPICS]


@dataclass(frozen=True)
class DeadLetterFilter:
    """`topic`: a logical topic (`imet.vetting.events`), its physical name or its DLQ's name;
    `since`: dead-lettered at or after (the `x-dlq-failed-at` header, else the record time)."""

    topic: str | None = None
    since: datetime | None = None

    def topics(self, known: list[str], prefix: str) -> list[str]:
        if self.topic is None:
            return list(known)
        name = self.topic if self.topic.endswith(DLQ_SUFFIX) else dlq_topic(self.topic)
        for candidate in (name, physical_topic(name, prefix)):
            if candidate in known:
                return [candidate]
        raise UnknownTopic(f"No dead-letter topic for {self.topic!r}; known: {', '.join(known)}.")

    def matches(self, letter: DeadLetter) -> bool:
        if self.since is None:
            return True
        since = self.since if self.since.tzinfo else self.since.replace(tzinfo=UTC)
        when = letter.failed_at or letter.timestamp
        return when is not None and when >= since


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("utf-8", errors="replace")


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _time(value: str | None) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


@dataclass(frozen=True)
class DeadLetter:
    id: DeadLetterId
    key: bytes | None
    value: bytes | None
    raw_headers: tuple[tuple[str, bytes], ...]
    timestamp: datetime | None

    @classmethod
    def of(cls, record: ConsumerRecord[Any, Any]) -> DeadLetter:
        ts = record.timestamp
        return cls(
            id=DeadLetterId(record.topic, record.partition, record.offset),
            key=record.key, value=record.value, raw_headers=tuple(record.headers),
            timestamp=datetime.fromtimestamp(ts / 1000, UTC) if ts and ts > 0 else None,
        )  # fmt: skip

    @property
    def headers(self) -> dict[str, str]:
        return {name: _text(value) or "" for name, value in self.raw_headers}

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def failed_at(self) -> datetime | None:
        return _time(self.header("x-dlq-failed-at"))

    def payload(self) -> Any:
        """The value as JSON when it is JSON, else text, else base64 (`{"base64": ...}`)."""
        if self.value is None:
            return None
        try:
            text = self.value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(self.value).decode()}
        try:
            return json.loads(text)
        except ValueError:
            return text

    def summary(self) -> dict[str, Any]:
        h = self.headers
        return {
            "id": str(self.id),
            "topic": self.id.topic,
            "partition": self.id.partition,
            "offset": self.id.offset,
            "key": _text(self.key),
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "event_id": h.get("ce_id"),
            "event_type": h.get("ce_type"),
            "consumer": h.get("x-dlq-consumer"),
            "original_topic": h.get("x-dlq-original-topic"),
            "original_partition": _int(h.get("x-dlq-original-partition")),
            "original_offset": _int(h.get("x-dlq-original-offset")),
            "error": {
                "type": h.get("x-dlq-error-type"),
                "code": h.get("x-dlq-error-code"),
                "detail": h.get("x-dlq-error-detail"),
            },
            "attempts": _int(h.get("x-dlq-attempts")),
            "failed_at": h.get("x-dlq-failed-at"),
            "replayed_from": h.get(REPLAYED_FROM),
        }

    def detail(self) -> dict[str, Any]:
        return {**self.summary(), "headers": self.headers, "payload": self.payload()}

    def replay_headers(self, *, actor: str, now: datetime) -> list[tuple[str, bytes]]:
        """The original record's headers, without this failure's `x-dlq-*`, plus the replay's."""
        kept = [(n, v) for n, v in self.raw_headers if not n.startswith(DLQ_HEADER_PREFIX)]
        return [
            *kept,
            (REPLAYED_FROM, str(self.id).encode()),
            (REPLAYED_AT, now.isoformat().encode()),
            (REPLAYED_BY, actor.encode()),
        ]

    def original_partition(self) -> int | None:
        return _int(self.header("x-dlq-original-partition"))


def is_replay(headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...]) -> bool:
    """Does this record come from `imet dlq replay` (so a dead-lettered inbox row may retry)?"""
    return any(name == REPLAYED_FROM for name, _ in headers)
