"""Integration events and their CloudEvents 1.0 envelope (Kafka binary content mode).

On the wire an event is a Kafka record whose key is the aggregate id, whose value is the JSON
body of a pydantic model, and whose headers carry the CloudEvents attributes:
`ce_specversion`, `ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`, `content-type`,
the extensions `ce_partitionkey`, `ce_requestid` and `ce_sequence` (added by the relay), and
the W3C `traceparent`.

Integration events are the published contracts: producers own them (`shared/contracts/<producer>/`),
they evolve additively within a version, and consumers read them tolerantly (`extra="ignore"`).
"""

from __future__ import annotations

import builtins
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"


class IntegrationEvent(BaseModel):
    """Base of every published event; subclasses set TYPE, TOPIC, AGGREGATE and KEY_FIELD."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]
    AGGREGATE: ClassVar[str]
    KEY_FIELD: ClassVar[str]

    _registry: ClassVar[dict[str, type[IntegrationEvent]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("TYPE")
        if event_type is None:
            return
        known = IntegrationEvent._registry.get(event_type)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise TypeError(f"event type {event_type} is defined twice ({known} and {cls})")
        IntegrationEvent._registry[event_type] = cls

    def aggregate_id(self) -> str:
        return str(getattr(self, self.KEY_FIELD))

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    """The registered model of an event type (contracts must have been imported)."""
    return IntegrationEvent._registry.get(event_type)


def registered_events() -> dict[str, type[IntegrationEvent]]:
    return dict(IntegrationEvent._registry)


class EnvelopeError(ValueError):
    """A Kafka record that is not a valid CloudEvent of ours (a poison message)."""


@dataclass(frozen=True)
class Envelope:
    """A decoded CloudEvent: attributes plus the JSON body (not yet validated against a model)."""

    id: str
    type: str
    source: str
    time: datetime
    subject: str
    data: dict[str, Any]
    traceparent: str | None = None
    request_id: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    #: `ce_sequence` (CloudEvents sequence extension): the producer's outbox order, zero-padded
    #: so it sorts as text; set by the relay (ADR 0051), absent on records from elsewhere.
    sequence: str | None = None

    def parse(self, model: builtins.type[IntegrationEvent]) -> IntegrationEvent:
        return model.model_validate(self.data)


def new_event_id() -> str:
    return str(uuid.uuid4())


def build_headers(
    *,
    event_id: str,
    event_type: str,
    source: str,
    subject: str,
    time: datetime,
    traceparent: str | None = None,
    request_id: str | None = None,
) -> dict[str, str]:
    headers = {
        "ce_specversion": SPECVERSION,
        "ce_id": event_id,
        "ce_type": event_type,
        "ce_source": source,
        "ce_time": time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "ce_subject": subject,
        "ce_partitionkey": subject,
        "content-type": CONTENT_TYPE,
    }
    if traceparent:
        headers["traceparent"] = traceparent
    if request_id:
        headers["ce_requestid"] = request_id
    return headers


def encode_value(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def decode(
    headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...], value: bytes | None
) -> Envelope:
    """Decode a Kafka record in CloudEvents binary mode; raise EnvelopeError when it is not one."""
    try:
        attrs = {k: v.decode() for k, v in headers}
    except UnicodeDecodeError as exc:
        raise EnvelopeError("header is not UTF-8") from exc
    missing = [a for a in ("ce_id", "ce_type", "ce_source", "ce_specversion") if a not in attrs]
    if missing:
        raise EnvelopeError(f"missing CloudEvents attributes: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPECVERSION:
        raise EnvelopeError(f"unsupported specversion {attrs['ce_specversion']}")
    if value is None:
        raise EnvelopeError("empty record value")
    try:
        data = json.loads(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EnvelopeError("record value is not JSON") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("record value is not a JSON object")
    try:
        time = datetime.fromisoformat(attrs.get("ce_time", "").replace("Z", "+00:00"))
    except ValueError:
        time = datetime.now(UTC)
    known = {
        "ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time", "ce_subject",
        "traceparent", "ce_requestid", "ce_sequence",
    }  # fmt: skip
    return Envelope(
        id=attrs["ce_id"],
        type=attrs["ce_type"],
        source=attrs["ce_source"],
        time=time,
        subject=attrs.get("ce_subject", ""),
        data=data,
        traceparent=attrs.get("traceparent"),
        request_id=attrs.get("ce_requestid"),
        extra_headers={k: v for k, v in attrs.items() if k not in known},
        sequence=attrs.get("ce_sequence"),
    )
