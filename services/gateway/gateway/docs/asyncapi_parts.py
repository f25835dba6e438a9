"""Fixed parts of the AsyncAPI document: the CloudEvents headers, the dead-letter headers, the
document's description. Kafka header values are bytes; ours are all UTF-8 text."""

from __future__ import annotations

from typing import Any

BINDING_VERSION = "0.5.0"
CE_HEADERS = "CloudEventsKafkaHeaders"
DLQ_HEADERS = "DeadLetterHeaders"
UINT = r"^[0-9]+$"

CLOUD_EVENTS_HEADERS: dict[str, Any] = {
    "type": "object",
    "title": CE_HEADERS,
    "description": "CloudEvents 1.0, Kafka protocol binding in binary content mode: the event "
    "attributes are record headers (UTF-8 text), the record value is the JSON event data.",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_time",
        "ce_subject",
        "ce_partitionkey",
        "content-type",
    ],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {
            "type": "string",
            "format": "uuid",
            "description": "Unique per event; "
            "a redelivery repeats it, so consumers deduplicate by it.",
        },
        "ce_type": {
            "type": "string",
            "pattern": r"^imet\.[a-z_]+\.[a-z_]+\.v[0-9]+$",
            "description": "`imet.<service>.<event>.v<N>`: selects the payload schema.",
        },
        "ce_source": {
            "type": "string",
            "pattern": r"^/imet/[a-z_]+$",
            "description": "The producing service.",
            "examples": ["/imet/catalog"],
        },
        "ce_time": {
            "type": "string",
            "format": "date-time",
            "description": "When the change was committed (UTC, RFC 3339).",
        },
        "ce_subject": {"type": "string", "description": "The aggregate id (= the record key)."},
        "ce_partitionkey": {
            "type": "string",
            "description": "CloudEvents partitioning "
            "extension: the aggregate id (= the record key).",
        },
        "ce_sequence": {
            "type": "string",
            "pattern": r"^[0-9]{20}$",
            "description": "CloudEvents sequence extension: the producer's outbox order, "
            "zero-padded to 20 digits so it sorts as text. Within one key, the first occurrence "
            "of each event on the log is in this order.",
        },
        "ce_requestid": {
            "type": "string",
            "description": "`X-Request-ID` of the HTTP request "
            "that caused the event, when there was one.",
        },
        "traceparent": {
            "type": "string",
            "pattern": r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            "description": "W3C trace context of the change.",
        },
        "content-type": {"type": "string", "const": "application/json"},
    },
    "additionalProperties": {"type": "string"},
}

DEAD_LETTER_HEADERS: dict[str, Any] = {
    "type": "object",
    "title": DLQ_HEADERS,
    "description": "Added by the consumer that gave up on a record, after its own headers.",
    "required": [
        "x-dlq-consumer",
        "x-dlq-original-topic",
        "x-dlq-original-partition",
        "x-dlq-original-offset",
        "x-dlq-error-type",
        "x-dlq-error-code",
        "x-dlq-attempts",
        "x-dlq-failed-at",
    ],
    "properties": {
        "x-dlq-consumer": {"type": "string", "description": "The consumer (service) that failed."},
        "x-dlq-original-topic": {"type": "string"},
        "x-dlq-original-partition": {"type": "string", "pattern": UINT},
        "x-dlq-original-offset": {"type": "string", "pattern": UINT},
        "x-dlq-error-type": {"type": "string", "description": "Exception class name."},
        "x-dlq-error-code": {
            "type": "string",
            "description": "Stable code of the failure, e.g. `poison.envelope`, `poison.body`, "
            "`sqlstate.57014`, `reaction.error` - never an exception's message.",
            "examples": ["poison.body", "sqlstate.57014"],
        },
        "x-dlq-error-detail": {
            "type": "string",
            "description": "For poison records only: which header or field failed its check "
            "(names, never values).",
        },
        "x-dlq-attempts": {"type": "string", "pattern": UINT},
        "x-dlq-failed-at": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": {"type": "string"},
}

DESCRIPTION = """\
Every state change of the IMET pipeline's four services is published as an integration event on
its owner's topic, `imet.<service>.events`.

- **Envelope**: CloudEvents 1.0 in Kafka *binary* mode: `ce_*` attributes, `traceparent` and
  `content-type` are record headers; the record value is the JSON event data (the payload
  below). `ce_type` names the payload schema.
- **Keys and ordering**: the record key is the aggregate id (UTF-8), so the events of one
  aggregate are on one partition, in the order they were committed. There is no order across
  aggregates or topics.
- **Delivery**: at least once (transactional outbox). Deduplicate by `ce_id`.
- **Dead letters**: a record a pipeline consumer could not process after retries is copied,
  byte for byte, to `<topic>.dlq` with `x-dlq-*` headers.
- **Versions**: within `v1` changes are additive (new optional fields); read tolerantly and
  ignore unknown fields. A breaking change is published as a new type (`.v2`) beside `v1`.
- **Personal data** never appears on these topics (ADR 0005). Every `reason` is a code
  from a documented set, never a person's words (those stay in the owning service and are
  read through its API, ADR 0057). The reason sets are open (`x-unknown-reads-as`): read a
  code you do not know - a newer one, or the free text of a record published before the
  change - as `other`.

A readable version of this document is served at `/asyncapi`."""


def short_name(event_type: str) -> str:
    """`imet.catalog.seat_held.v1` -> `seat_held`."""
    return event_type.split(".")[2]


def service_of(topic: str) -> str:
    """`imet.catalog.events` -> `catalog`."""
    return topic.split(".")[1]


def message_headers(event_type: str, service: str, *, dead_letter: bool) -> dict[str, Any]:
    refs = [{"$ref": f"#/components/schemas/{CE_HEADERS}"}]
    if dead_letter:
        refs.append({"$ref": f"#/components/schemas/{DLQ_HEADERS}"})
    return {
        "type": "object",
        "allOf": refs,
        "properties": {
            "ce_type": {"type": "string", "const": event_type},
            "ce_source": {"type": "string", "const": f"/imet/{service}"},
        },
    }


def key_schema(payload: dict[str, Any], key_field: str, aggregate: str) -> dict[str, Any]:
    """The record key: the payload's `key_field` as UTF-8 text."""
    field = payload.get("properties", {}).get(key_field, {})
    key: dict[str, Any] = {
        "type": "string",
        "description": f"The {aggregate.replace('_', ' ')} id: the payload's `{key_field}` "
        "as UTF-8 text (= `ce_subject`). One key's events stay in order.",
    }
    if field.get("type") == "string":
        key.update({k: field[k] for k in ("format", "pattern") if k in field})
    elif field.get("type") == "integer":
        key["pattern"] = r"^-?[0-9]+$"
    if "examples" in field:
        key["examples"] = [str(example) for example in field["examples"]]
    return key
