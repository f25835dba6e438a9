"""The AsyncAPI document generated from the published contracts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from gateway.docs.asyncapi import KafkaServer, build_asyncapi
from gateway.docs.refs import parse_component_ref, resolve, unresolved_refs
from imet.services import DOMAIN_SERVICES, definition
from shared.contracts.envelope import build_headers
from shared.contracts.flow import consumers_of
from shared.contracts.registry import published_events

EVENTS = published_events()
SNAPSHOTS = Path(__file__).resolve().parents[4] / "tests" / "contract" / "snapshots" / "events"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_asyncapi(EVENTS, KafkaServer())


def inline(node: Any, lookup: Any) -> Any:
    """`node` with every `$ref` replaced by what it points to (the contracts are not recursive)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return inline(lookup(node["$ref"]), lookup)
        return {k: inline(v, lookup) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [inline(item, lookup) for item in node]
    return node


def test_every_published_event_type_is_a_message_on_its_topic(document: dict[str, Any]) -> None:
    for event_type, model in EVENTS.items():
        channel = document["channels"][model.TOPIC]
        message_ref = channel["messages"][event_type.split(".")[2]]["$ref"]

        assert resolve(document, message_ref)["name"] == event_type
        assert channel["address"] == model.TOPIC
    assert len(document["components"]["messages"]) == 2 * len(EVENTS)


def test_each_topic_has_its_dead_letter_channel(document: dict[str, Any]) -> None:
    topics = {model.TOPIC for model in EVENTS.values()}

    assert set(document["channels"]) == topics | {f"{topic}.dlq" for topic in topics}
    for topic in topics:
        dlq = document["channels"][f"{topic}.dlq"]
        assert dlq["address"] == f"{topic}.dlq"
        assert set(dlq["messages"]) == set(document["channels"][topic]["messages"])


def test_the_document_validates_against_the_official_asyncapi_3_schema(
    document: dict[str, Any], asyncapi_validator: Any, errors_of: Any
) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert errors_of(asyncapi_validator, document) == []


def test_the_asyncapi_schema_used_to_validate_rejects_a_broken_document(
    document: dict[str, Any], asyncapi_validator: Any, errors_of: Any
) -> None:
    broken = json.loads(json.dumps(document))
    broken["operations"]["catalog.publish"]["action"] = "publish"  # AsyncAPI 2 wording
    del broken["info"]["version"]

    assert len(errors_of(asyncapi_validator, broken)) >= 2


def test_every_reference_of_the_document_resolves(document: dict[str, Any]) -> None:
    assert unresolved_refs(document) == []


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_each_payload_is_the_events_pinned_contract_schema(
    document: dict[str, Any], event_type: str
) -> None:
    snapshot = json.loads((SNAPSHOTS / f"{event_type}.json").read_text())
    message = document["components"]["messages"][event_type]

    payload = inline(message["payload"], lambda ref: resolve(document, ref))
    pinned = inline(snapshot, lambda ref: snapshot["$defs"][ref.rsplit("/", 1)[1]])

    assert payload == pinned


def test_headers_the_outbox_writes_validate_against_each_messages_headers(
    document: dict[str, Any],
) -> None:
    for event_type, model in EVENTS.items():
        service = model.TOPIC.split(".")[1]
        headers = build_headers(
            event_id="0b7c5e4e-3c1f-4a34-9d7c-2f4f8f0f4e11",
            event_type=event_type,
            source=f"/imet/{service}",
            subject="D177014",
            time=datetime.now(UTC),
            traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            request_id="req-1",
        )
        schema = inline(
            document["components"]["messages"][event_type]["headers"],
            lambda ref: resolve(document, ref),
        )
        validator = jsonschema_rs.Draft7Validator(schema)

        assert list(validator.iter_errors(headers)) == [], event_type
        wrong_type = {**headers, "ce_type": "imet.other.thing.v1"}
        assert not validator.is_valid(wrong_type)
        missing_id = {k: v for k, v in headers.items() if k != "ce_id"}
        assert not validator.is_valid(missing_id)


def test_dead_letter_messages_require_the_error_headers(document: dict[str, Any]) -> None:
    message = document["components"]["messages"]["imet.vetting.denied.v1.dlq"]
    schema = inline(message["headers"], lambda ref: resolve(document, ref))

    required = {name for part in schema["allOf"] for name in part.get("required", [])}

    assert {"ce_id", "x-dlq-consumer", "x-dlq-original-offset", "x-dlq-error-type"} <= required
    assert (
        message["payload"]
        == document["components"]["messages"]["imet.vetting.denied.v1"]["payload"]
    )


def test_the_record_key_is_described_as_the_aggregate_id(document: dict[str, Any]) -> None:
    for event_type, model in EVENTS.items():
        key = document["components"]["messages"][event_type]["bindings"]["kafka"]["key"]

        assert key["type"] == "string"
        assert f"`{model.KEY_FIELD}`" in key["description"], event_type
    course = document["components"]["messages"]["imet.catalog.course_published.v1"]
    assert course["bindings"]["kafka"]["key"]["pattern"] == "^[BDPMZQ][0-9]{6}$"


def test_the_owner_sends_on_its_topic_and_the_consumers_are_named(
    document: dict[str, Any],
) -> None:
    operation = document["operations"]["catalog.publish"]

    assert operation["action"] == "send"
    assert resolve(document, operation["channel"]["$ref"])["address"] == "imet.catalog.events"
    assert len(operation["messages"]) == 9
    assert "funding, nomination" in operation["description"]
    held = document["components"]["messages"]["imet.catalog.seat_held.v1"]
    assert {c["service"] for c in held["x-consumers"]} == {"nomination", "funding"}
    assert "backfills_nomination_id" in held["description"]


def test_the_declared_flow_matches_the_reactions_each_service_registers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in DOMAIN_SERVICES:  # settings need a URL; nothing connects
        monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", "postgresql://u@127.0.0.1:9/x")
    registered: dict[str, set[str]] = {event_type: set() for event_type in EVENTS}
    for name in DOMAIN_SERVICES:
        for model in definition(name).reactions():
            registered[model.TYPE].add(name)

    documented = {event_type: set(consumers_of(event_type)) for event_type in EVENTS}

    assert documented == registered


def test_broker_settings_shape_the_server_and_the_addresses() -> None:
    kafka = KafkaServer("b1:9093, b2:9093", "staging.", 12, "SASL_SSL", "SCRAM-SHA-512")

    document = build_asyncapi(EVENTS, kafka)

    server = document["servers"]["kafka"]
    assert (server["host"], server["protocol"]) == ("b1:9093", "kafka-secure")
    scheme = resolve(document, server["security"][0]["$ref"])
    assert scheme["type"] == "scramSha512"
    channel = document["channels"]["imet.funding.events"]
    assert channel["address"] == "staging.imet.funding.events"
    assert channel["bindings"]["kafka"]["partitions"] == 12
    assert document["channels"]["imet.funding.events.dlq"]["address"] == (
        "staging.imet.funding.events.dlq"
    )


def test_payload_schemas_live_in_the_components(document: dict[str, Any]) -> None:
    for event_type in EVENTS:
        payload = document["components"]["messages"][event_type]["payload"]

        assert parse_component_ref(payload["$ref"]) == ("schemas", event_type)
        assert "$defs" not in document["components"]["schemas"][event_type]
